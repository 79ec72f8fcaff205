"""« Bilan pour les financeurs »: the figures of a hand-built edition, small-number suppression, the
artistic direction never shown company by company, access, bounded queries, and the demo's page."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from crm.base.extensions import db
from crm.base.querycount import count_queries
from crm.checkin.models import Attendance
from crm.contacts.models import ArtisticDirection, Organisation
from crm.impact import funders
from crm.impact.models import Outcome, OutcomeDate, OutcomeKind, OutcomeStatus
from crm.showcase.models import Edition, ShowFormat, Slot
from tests import factories
from tests.conftest import post_form, sign_in
from tests.scene import on_stage

SMALL, LARGE = "45001", "45147"  # Adon (188 inhabitants), Fleury-les-Aubrais (21,804)


def _booking(company, show, buyer, edition, days, fee="1000", status=OutcomeStatus.CONFIRMED):
    outcome = Outcome(network_id=company.network_id, company_id=company.id, show_id=show.id,
                      organisation_id=buyer.id if buyer else None, edition_id=edition.id,
                      kind=OutcomeKind.PERFORMANCES, status=status, fee_per_performance=Decimal(fee),
                      decided_on=date(2027, 3, 20), currency="EUR")  # fmt: skip
    outcome.dates = [OutcomeDate(on=date(2027, 5, d), departement_code=dep) for d, dep in days]
    db.session.add(outcome)
    return outcome


@pytest.fixture
def edition(scene):
    """The scene's held edition: three companies on stage, two people who came; bookings in a small and a
    large commune and one without a commune; one of the two people had come to an earlier edition."""
    a = scene.a
    small = factories.structure(a.network, name="Mairie d'Adon")
    large = factories.structure(a.network, name="Fleury en scène")
    small.commune_code, large.commune_code = SMALL, LARGE
    one, two, three = scene.companies
    young = scene.shows[1]
    young.audience = "young"
    _booking(one, scene.shows[0], small, scene.edition, [(6, "45"), (7, "45")], fee="1200")
    _booking(two, young, large, scene.edition, [(8, "45")], fee="800")
    _booking(three, scene.shows[2], None, scene.edition, [(9, "37")], fee="500")
    _booking(three, scene.shows[2], None, scene.edition, [(10, "45")], status=OutcomeStatus.OPTION)
    earlier = factories.edition(a.network, name="Édition 2025", starts_on=date(2025, 3, 6),
                                ends_on=date(2025, 3, 7))  # fmt: skip
    slot = Slot(edition_id=earlier.id, venue_id=a.venue.id, format=ShowFormat.FULL,
                starts_at=datetime(2025, 3, 6, 19, tzinfo=UTC),
                ends_at=datetime(2025, 3, 6, 20, tzinfo=UTC))  # fmt: skip
    db.session.add(slot)
    db.session.flush()
    db.session.add(Attendance(slot_id=slot.id, programmer_id=scene.came.id))
    a.network.region_code = "CVL"
    one.departement_code, two.departement_code, three.departement_code = "45", "37", "75"
    db.session.commit()
    return scene


def test_the_figures_of_a_hand_built_edition(edition, app):
    a = edition.a
    with app.test_request_context():
        found = funders.figures(edition.edition, a.network, "Autres")
    assert found.performances == 4 and found.programmed == 3  # the option's date is not counted
    assert (found.small_communes, found.larger_communes, found.unknown_communes) == (2, 1, 1)
    assert found.young_performances == 1
    assert (found.from_region, found.region_name) == (2, "Centre-Val de Loire")  # Loiret and Indre-et-Loire
    assert (found.new_people, found.returning_people) == (1, 1)
    assert found.companies[0] == ("Compagnie A1", 2, Decimal("2400.00"))
    # one company played in Indre-et-Loire, two in Loiret: both under 3, folded together
    assert found.departements == [("Autres", 4, Decimal("3700.00"))]


def test_a_departement_where_three_companies_played_is_shown(edition, app):
    third = edition.companies[2]
    _booking(third, edition.shows[2], None, edition.edition, [(11, "45")], fee="600")
    db.session.commit()
    with app.test_request_context():
        found = funders.figures(edition.edition, edition.a.network, "Autres")
    assert found.departements == [("45 – Loiret", 4, Decimal("3800.00")), ("Autres", 1, Decimal("500.00"))]


def test_small_groups_are_hidden_and_cannot_be_deduced_from_the_total():
    shown = funders.suppress([("F", 5), ("H", 4), ("M", 2)])
    assert [(g.count, g.hidden) for g in shown] == [(5, None), (None, "secondary"), (None, "small")]
    assert [g.count for g in funders.suppress([("F", 3), ("H", 3), ("M", 3)])] == [3, 3, 3]
    assert [g.hidden for g in funders.suppress([("F", 2), ("H", 1), ("M", 0)])] == ["small"] * 3
    # two groups hidden already hide each other: the larger ones stay
    assert [g.count for g in funders.suppress([("F", 6), ("H", 2), ("M", 1)])] == [6, None, None]


def _page(client, edition):
    response = client.get(f"/editions/{edition.id}/funders")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_page_hides_a_category_of_fewer_than_three_companies(edition, client):
    a = edition.a
    for company in edition.companies[:2]:
        company.artistic_direction = ArtisticDirection.WOMEN
    db.session.commit()
    sign_in(client, a.coordinator)
    page = _page(client, edition.edition)
    assert "Bilan pour les financeurs" in page and "2 sur 3 (67\u202f%)" in page
    women = page.split("Femme(s)</td><td>")[1].split("</td>")[0]
    assert women == "moins de 3"
    edition.companies[2].artistic_direction = ArtisticDirection.WOMEN
    db.session.commit()
    page = _page(client, edition.edition)
    assert page.split("Femme(s)</td><td>")[1].split("</td>")[0] == "3"


def test_the_artistic_direction_is_the_company_own_answer_never_shown_company_by_company(edition, client):
    a = edition.a
    company = a.companies[0]
    sign_in(client, a.members[0])
    url = f"/companies/{company.id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert 'name="artistic_direction"' in form
    data = {"name": company.name, "postcode": "45000", "city": "Orléans", "artistic_direction": "mixed"}
    assert post_form(client, url, data, token_from=url).status_code == 302
    db.session.expire_all()
    assert db.session.get(Organisation, company.id).artistic_direction == ArtisticDirection.MIXED
    assert "Mixte" not in client.get(f"/companies/{company.id}").get_data(as_text=True)
    client.post("/logout")
    sign_in(client, a.coordinator)
    for page in (f"/companies/{company.id}", url, "/companies"):
        assert "Mixte" not in client.get(page).get_data(as_text=True)
    # the coordination's save leaves the company's answer as it was
    assert post_form(client, url, {"name": company.name, "postcode": "45000", "city": "Orléans"},
                     token_from=url).status_code == 302  # fmt: skip
    db.session.expire_all()
    assert db.session.get(Organisation, company.id).artistic_direction == ArtisticDirection.MIXED


def test_only_the_network_coordination_sees_the_page(edition, world, client):
    url = f"/editions/{edition.edition.id}/funders"
    sign_in(client, edition.a.members[0])
    assert client.get(url).status_code == 403
    client.post("/logout")
    sign_in(client, world.b.coordinator)
    assert client.get(url).status_code == 404


def _statements(client, url):
    with count_queries(db.engine) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_the_page_does_a_fixed_number_of_queries(edition, client):
    sign_in(client, edition.a.coordinator)
    url = f"/editions/{edition.edition.id}/funders"
    before = _statements(client, url)
    for n in range(6):
        company = factories.company(edition.a.network, name=f"Compagnie en plus {n}")
        show = factories.show(company, title=f"Spectacle en plus {n}")
        on_stage(edition.edition, edition.a.venue, company, show, 8 + n)
        _booking(company, show, None, edition.edition, [(12 + n, "18")])
    db.session.commit()
    assert _statements(client, url) == before == 14  # with the budget's totals and volunteer time (5)


def test_demo_edition_funders_page_shows_the_indicators(app, client):
    from crm.accounts.models import User
    from crm.demo import loader
    from crm.impact.models import BoxOffice

    loader.load(date(2026, 11, 27))
    db.session.commit()
    edition = db.session.scalar(select(Edition).join(BoxOffice, BoxOffice.edition_id == Edition.id))
    coordinator = db.session.scalar(select(User).where(User.email == "coordination@ca-mijote.example"))
    sign_in(client, coordinator)
    page = _page(client, edition)
    headings = ("Territoire", "Représentations et cessions par compagnie", "Par département",
                "Direction artistique des compagnies programmées", "communes de moins de 15")  # fmt: skip
    assert all(heading in page for heading in headings)
    with app.test_request_context():
        found = funders.figures(edition, edition.network, "Autres")
    assert found.performances > 0 and found.programmed >= 3
    hidden = [g for g in found.directions if g.count is None]
    assert all(g.hidden in ("small", "secondary") for g in hidden)
    assert "moins de 3" in page or not hidden
