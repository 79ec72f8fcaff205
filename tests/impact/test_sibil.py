"""The pooled box office performance by performance: tickets by price, refused mistakes, the statement's
income following the receipts, and the quarter's SIBIL export (CSV and JSON) read back and added up."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from crm.base.extensions import db
from crm.impact import boxoffice, services, sibil
from crm.impact.models import BoxOffice, BoxOfficePerformance
from crm.showcase.editions import performing_companies
from crm.showcase.models import Edition, EditionStatus
from tests import factories
from tests.conftest import post_form, sign_in
from tests.scene import on_stage


@pytest.fixture
def ticketed(world):
    """World A's planned edition: its slot on 4 March 2027, two more on 5 March and one in April."""
    a = world.a
    a.venue.capacity = 200
    second = on_stage(a.planned, a.venue, a.companies[1], a.shows[1], 10)
    april = on_stage(a.planned, a.venue, a.companies[1], factories.show(a.companies[1], title="Avril"), 14)
    april.starts_at, april.ends_at = (
        datetime(2027, 4, 2, 18, tzinfo=UTC),
        datetime(2027, 4, 2, 19, tzinfo=UTC),
    )
    db.session.commit()
    return a, [a.slot, second, april]


def _prices(*rows):
    data = {}
    for n, (kind, label, price, tickets) in enumerate(rows):
        data |= {f"prices-{n}-kind": kind, f"prices-{n}-label": label, f"prices-{n}-unit_price": price,
                 f"prices-{n}-tickets": tickets}  # fmt: skip
    return data


def _record(client, a, slot, prices, **extra):
    url = f"/box-office/performances/{slot.id}"
    data = {"venue_type": "THEATRE", "capacity": "200", "free_tickets": "6", "vat_rate": "5,5",
            **_prices(*prices), **extra}  # fmt: skip
    return post_form(client, url, data, token_from=url)


def test_the_form_opens_on_what_the_records_say_and_refuses_mistakes_keeping_the_input(ticketed, client):
    a, slots = ticketed
    sign_in(client, a.coordinator)
    url = f"/box-office/performances/{slots[0].id}"
    page = client.get(url).get_data(as_text=True)
    assert 'value="200"' in page and '<option selected value="THEATRE">' in page  # the venue's jauge
    half = _record(client, a, slots[0], [("full", "Plein", "12", "80"), ("reduced", "Réduit", "8", "")])
    html = half.get_data(as_text=True)
    assert half.status_code == 422 and "Ligne 2 : indiquez le prix et le nombre de billets" in html
    assert 'value="Réduit"' in html and 'value="80"' in html
    over = _record(client, a, slots[0], [("full", "Plein", "12", "250")])
    assert over.status_code == 422 and "256 billets pour une jauge de 200" in over.get_data(as_text=True)
    assert db.session.get(BoxOfficePerformance, slots[0].id) is None  # nothing half-saved


def test_receipts_by_price_make_the_statement_income_and_the_quarter_export(ticketed, client):
    a, slots = ticketed
    sign_in(client, a.coordinator)
    box = post_form(client, f"/editions/{a.planned.id}/box-office",
                    {"income": "100", "fee_per_person": "255", "rule": "equal"},
                    token_from=f"/editions/{a.planned.id}/box-office")  # fmt: skip
    assert box.status_code == 302
    first = [
        ("full", "Plein", "12", "80"),
        ("reduced", "Réduit", "8,50", "30"),
        ("subscription", "Pass", "6", "10"),
    ]
    assert _record(client, a, slots[0], first).status_code == 302
    assert _record(client, a, slots[1], [("full", "", "12", "50")], young_audience="y").status_code == 302
    assert _record(client, a, slots[2], [("full", "Plein", "15", "20")]).status_code == 302
    # 960 + 255 + 60 = 1 275 €, then 600 €, then 300 € in April: 2 175 € in all
    db.session.expire_all()
    assert db.session.scalar(select(BoxOffice.income).where(BoxOffice.edition_id == a.planned.id)) == Decimal(
        "2175.00"
    )
    page = client.get(f"/editions/{a.planned.id}/box-office").get_data(as_text=True)
    assert 'name="income"' not in page and "2\u202f175,00\u00a0€" in page
    assert "sibil-2027-T1.csv" in page and "sibil-2027-T2.csv" in page

    csv_file = client.get(f"/editions/{a.planned.id}/box-office/sibil-2027-T1.csv")
    assert csv_file.status_code == 200 and "attachment" in csv_file.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(csv_file.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert list(rows[0]) == list(sibil.FIELDS) and len(rows) == 2  # April is the next quarter's
    morning, evening = rows  # in time order
    assert evening["dateHeureRepresentationUnique"] == "2027-03-05T10:00:00Z"
    assert morning["dateHeureRepresentationUnique"] == "2027-03-04T19:00:00Z"
    assert (morning["recetteTotalBilletterie"], morning["nbBilletsTotalBilletterie"]) == ("1275.00", "126")
    assert (morning["nbBilletsTarifPlein"], morning["recetteTarifPlein"], morning["prixMoyenTarifPlein"]) == (
        "80", "960.00", "12.00",
    )  # fmt: skip
    assert morning["nbBilletsTarifAbonnementForfait"] == "10" and morning["nbBilletsExoneres"] == "6"
    assert morning["prixMoyenTotalBilletterie"] == "10.63"  # 1 275 € for 120 paid tickets
    assert morning["recetteTotalBilletterieHT"] == "1208.53" and morning["tauxTva"] == "5.50"  # 1 275 / 1,055
    assert (morning["typeLieu"], morning["jauge"], morning["jeunePublic"]) == ("THEATRE", "200", "false")
    assert evening["jeunePublic"] == "true" and evening["lieuNom"] == a.venue.name

    as_json = client.get(f"/editions/{a.planned.id}/box-office/sibil-2027-T1.json").get_json()
    assert [list(item) for item in as_json] == [list(sibil.FIELDS)] * 2
    assert as_json[0]["recetteTotalBilletterie"] == 1275.0 and as_json[1]["jeunePublic"] is True
    # the two quarters add up to the statement's income
    april = client.get(f"/editions/{a.planned.id}/box-office/sibil-2027-T2.json").get_json()
    total = sum(Decimal(str(item["recetteTotalBilletterie"])) for item in [*as_json, *april])
    found = services.box_office_for(a.planned)
    result = boxoffice.statement(found.income, found.fee_per_person, found.rule,
                                 performing_companies(a.planned))  # fmt: skip
    assert total * 100 == result.income_cents == sum(line.total_cents for line in result.lines)
    assert client.get(f"/editions/{a.planned.id}/box-office/sibil-2027-T3.csv").status_code == 404


def test_only_the_network_coordination_reaches_the_box_office(ticketed, world, client):
    a, slots = ticketed
    url = f"/box-office/performances/{slots[0].id}"
    sign_in(client, a.members[0])
    assert client.get(url).status_code == 403
    client.post("/logout")
    sign_in(client, world.b.coordinator)
    assert client.get(url).status_code == 404
    assert client.get(f"/editions/{a.planned.id}/box-office/sibil-2027-T1.csv").status_code == 404


def test_demo_ca_mijote_exports_its_quarter_adding_up_to_the_statement(app):
    from crm.demo import loader
    from crm.networks.models import Network

    loader.load(date(2026, 11, 27))
    db.session.commit()
    network = db.session.scalar(select(Network).where(Network.slug == "ca-mijote"))
    edition = db.session.scalar(
        select(Edition)
        .join(BoxOffice, BoxOffice.edition_id == Edition.id)
        .where(Edition.network_id == network.id)
    )
    assert edition.status in (EditionStatus.HELD, EditionStatus.FOLLOW_UP)  # the past edition
    found = sibil.recorded(edition)
    assert found and len(found) == len(sibil.performances(edition))  # every performance recorded
    lines = [
        line
        for year, q in sibil.quarters(found)
        for line in sibil.quarter_lines(found, year, q, network.name)
    ]
    assert {item["idExtBilletterie"] for item in lines} == {f"VIT-{p.slot.id}" for p in found}
    box = services.box_office_for(edition)
    result = boxoffice.statement(box.income, box.fee_per_person, box.rule, performing_companies(edition))
    total = sum(item["recetteTotalBilletterie"] for item in lines)
    assert total * 100 == result.income_cents == sum(line.total_cents for line in result.lines) > 0
    assert all(item["nbBilletsTotalBilletterie"] <= item["jauge"] for item in lines)


def _statements(client, url):
    from crm.base.querycount import count_queries

    with count_queries(db.engine) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_the_box_office_page_and_its_export_do_not_grow_with_the_performances(ticketed, client):
    a, slots = ticketed
    sign_in(client, a.coordinator)
    for slot in slots:
        assert _record(client, a, slot, [("full", "Plein", "10", "20")]).status_code == 302
    page, export = (
        f"/editions/{a.planned.id}/box-office",
        f"/editions/{a.planned.id}/box-office/sibil-2027-T1.csv",
    )
    before = (_statements(client, page), _statements(client, export))
    for hour in (8, 11, 15, 16):
        show = factories.show(a.companies[0], title=f"En plus {hour}")
        slot = on_stage(a.planned, a.venue, a.companies[0], show, hour)
        db.session.commit()
        assert (
            _record(
                client, a, slot, [("full", "Plein", "10", "20"), ("reduced", "Réduit", "5", "3")]
            ).status_code
            == 302
        )
    assert (_statements(client, page), _statements(client, export)) == before
    assert before == (5, 3)
