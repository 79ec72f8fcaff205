"""Each page sends a fixed number of statements, whatever the number of rows it shows."""

import pytest

from crm.base.extensions import db
from crm.base.querycount import count_queries
from tests import factories
from tests.conftest import sign_in

# page → (role, statements). The count includes loading the signed-in user.
BUDGETS = {
    # the home: + one grouped count per kind of thing the editions wait for (what next)
    "/": ("coordinator", 15),
    # + the addresses whose commune is still to choose
    "/companies": ("coordinator", 4),
    "/structures": ("coordinator", 4),
    # the directory: + the départements its people are in, listed first in the filter
    "/programmers": ("coordinator", 7),
    "/programmers?discipline=theatre&audience=all": ("coordinator", 7),
    "/editions": ("coordinator", 3),
    # the latest editions, the companies (count, page), where they played and what they hosted
    "/rotation": ("coordinator", 6),
    "/admin/users": ("admin", 5),
    "/admin/networks": ("admin", 3),
}
MEMBER_HOME = 7  # with the meeting sessions of its editions and which of them have a shared budget


def _grow(world, n):
    a = world.a
    for i in range(n):
        company = factories.company(a.network, name=f"Compagnie en plus {i}")
        factories.show(company)
        factories.structure(a.network, name=f"Structure en plus {i}")
        factories.programmer(a.network, a.coordinator, a.venue, disciplines=["dance", "music"])
        factories.edition(a.network, name=f"Édition en plus {i}")
        factories.user(net=a.network)
        factories.show(a.companies[0], title=f"Autre spectacle {i}")
    db.session.commit()


def _count(app, client, url):
    with count_queries(db.engine) as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("url", sorted(BUDGETS))
def test_page_query_count_is_pinned_and_does_not_grow(app, world, url):
    role, budget = BUDGETS[url]
    user = world.a.coordinator if role == "coordinator" else world.admin
    client = app.test_client()
    sign_in(client, user)
    small = _count(app, client, url)
    _grow(world, 12)
    large = _count(app, client, url)
    assert (small, large) == (budget, budget)


def test_member_home_query_count_does_not_grow(app, world):
    client = app.test_client()
    sign_in(client, world.a.members[0])
    small = _count(app, client, "/")
    _grow(world, 12)
    assert (small, _count(app, client, "/")) == (MEMBER_HOME, MEMBER_HOME)
