"""Each list of the API sends a fixed number of statements, whatever the number of rows it gives."""

import pytest

from crm.base.database import utcnow
from crm.base.extensions import db
from crm.base.querycount import count_queries
from crm.checkin.services import check_in
from crm.impact.services import save_outcome
from tests import factories
from tests.api.conftest import bearer

# Around each request: the token (1), its last use (at most 1 a minute), its rate (2 checks, 2 hits
# recorded, each pruning the old ones: 4), and the page itself.
LISTS = {
    "/api/v1/editions": 9,
    "/api/v1/registrations": 9,
    "/api/v1/slots": 9,
    "/api/v1/companies": 9,
    "/api/v1/programmers": 11,  # + their structures and their disciplines
    "/api/v1/attendance": 9,
    "/api/v1/invitations": 11,  # + their days and their shows
    "/api/v1/bookings": 10,  # + their performances
    "/api/v1/shows": 9,
    "/api/v1/structures?venues=true": 9,
    "/api/v1/programme/": 1,
}


def _grow(world, n, start=0):
    a = world.a
    for i in range(start, start + n):
        company = factories.company(a.network, name=f"Compagnie en plus {i}")
        show = factories.show(company)
        person = factories.programmer(a.network, a.coordinator, a.venue, disciplines=["dance", "music"])
        factories.invitation(a.planned, person)
        check_in(a.slot, person, actor=a.coordinator, now=utcnow())
        factories.edition(a.network, name=f"Édition en plus {i}")
        factories.structure(a.network, name=f"Salle en plus {i}", is_venue=True)
        factories.accepted(a.planned, company, show)
        save_outcome(None, a.network, {"company_id": company.id, "show_id": show.id, "kind": "performances",
                                       "status": "confirmed", "dates": [{"on": a.planned.starts_on}]},
                     actor=a.coordinator, now=utcnow())  # fmt: skip
    db.session.commit()


def _count(client, url, token):
    with count_queries(db.engine) as statements:
        response = client.get(url, headers=bearer(token))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["items"], url
    return len(statements)


@pytest.mark.parametrize("url", LISTS)
def test_a_list_costs_the_same_with_few_or_many_rows(app, client, world, tokens, url):
    _grow(world, 1)
    _count(client, url, tokens["read"])  # the token's last use written once
    small = _count(client, url, tokens["read"])
    _grow(world, 12, start=1)
    assert (small, _count(client, url, tokens["read"])) == (LISTS[url], LISTS[url])
