"""Outcomes tied back to the showcase, and every figure of the impact report against hand-computed
answers on a small fixture (the follow-up scene: three companies on stage, two people present)."""

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from icalendar import Calendar
from sqlalchemy import select

from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.calendar import services as calendars
from crm.calendar.models import FeedKind
from crm.followups import services as followups
from crm.followups.models import Enrolment, PairStop
from crm.impact import report, services
from crm.impact.models import Outcome, OutcomeKind, OutcomeStatus
from crm.scheduler import run_due
from tests.conftest import post_form, sign_in, statement_counts
from tests.scene import D2, ENDED, launch, travel


def _record(scene, person, company, show, status, dates, *, fee=None, decided_on, actor=None, **extra):
    data = {
        "company_id": company.id, "show_id": show.id, "programmer_id": person.id if person else None,
        "edition_id": scene.edition.id, "kind": "performances", "status": status, "fee": fee,
        "decided_on": decided_on, "dates": [{"on": d, "departement_code": code} for d, code in dates],
        **extra,
    }  # fmt: skip
    outcome = services.save_outcome(
        None, scene.a.network, data, actor=actor or scene.a.coordinator, now=ENDED
    )
    db.session.commit()
    return outcome


@pytest.fixture
def booked(scene):
    """Known answers: see each figure's test."""
    launch(scene)
    with travel(D2):
        run_due()
        enrolment = db.session.scalar(select(Enrolment).where(Enrolment.programmer_id == scene.came.id))
        followups.record_answer(enrolment, scene.shows[0].id, "book", now=D2)  # → a draft outcome
        db.session.commit()
    c0, c1, c2 = scene.companies
    s0, s1, s2 = scene.shows
    _record(scene, scene.came, c0, s0, "confirmed", [(date(2027, 5, 1), "49"), (date(2027, 5, 2), "49"),
            (date(2027, 6, 1), "37")], fee="1000", decided_on=date(2027, 3, 15))  # fmt: skip
    _record(scene, scene.came_once, c1, s1, "confirmed", [(date(2027, 9, 1), "75")], fee="800,50",
            decided_on=date(2027, 4, 4))  # fmt: skip
    _record(scene, scene.came, c2, s2, "option", [(date(2027, 10, 1), "13"), (date(2027, 10, 2), "13")],
            decided_on=date(2027, 4, 20))  # fmt: skip
    return scene


def test_the_funnel_of_an_edition(booked):
    figures = report.funnel([booked.edition.id])
    # invited: the world's invitation of programmer A1 (came) and the scene's of member_contact (missed)
    assert figures == {
        "invited": 2, "present": 2, "messaged": 2, "answered": 1, "interested": 1, "booked": 2,
        "conversion": 1.0, "missed": {"said_yes": 1, "messaged": 1, "answered": 0},
    }  # fmt: skip
    steps = [figures[k] for k in ("invited", "present", "messaged", "answered", "interested")]
    assert steps == sorted(steps, reverse=True)  # no step counts more people than the one before


def test_outcomes_by_kind_and_status(booked):
    table = report.outcomes_by_kind_and_status([booked.edition.id])
    assert table[OutcomeKind.PERFORMANCES] == {
        OutcomeStatus.DRAFT: 1,
        OutcomeStatus.OPTION: 1,
        OutcomeStatus.CONFIRMED: 2,
        OutcomeStatus.CANCELLED: 0,
    }
    assert sum(sum(row.values()) for row in table.values()) == 4


def test_performances_fees_and_median_delay(booked):
    performances, fees = report.performances_and_fees([booked.edition.id])
    assert performances == 4  # 3 + 1 confirmed dates; the option's 2 do not count
    assert Decimal(fees) == Decimal("3800.50")  # 3 × 1,000 + 1 × 800.50
    assert report.median_days_to_booking([booked.edition.id]) == 20  # 10 and 30 days after 5 March


def test_breakdowns_map_and_months(booked):
    ids = [booked.edition.id]
    by_company = {row[0]: tuple(row[1:]) for row in report.breakdown(ids, "company")}
    assert {k: (n, p, Decimal(f)) for k, (n, p, f) in by_company.items()} == {
        booked.companies[0].id: (1, 3, Decimal("3000")),
        booked.companies[1].id: (1, 1, Decimal("800.50")),
    }
    by_discipline = report.breakdown(ids, "discipline")
    assert sum(row[1] for row in by_discipline) == 2 and sum(row[2] for row in by_discipline) == 4
    assert report.by_departement(ids) == {"49": 2, "37": 1, "75": 1}
    assert report.by_month_after(ids) == [(0, 1), (1, 1)]


def test_attribution_is_proposed_where_the_person_saw_the_show(scene, client):
    assert services.proposed_edition(scene.companies[1].id, scene.came.id).id == scene.edition.id
    assert services.proposed_edition(scene.companies[1].id, scene.came_once.id) is None  # did not see it
    member = scene.a.members[0]
    sign_in(client, member)
    response = post_form(client, "/outcomes/new", {
        "company_id": member.company_id, "show_id": scene.shows[0].id,
        "programmer_email": scene.came_once.email,
        "kind": "performances", "status": "confirmed", "decided_on": "2027-04-01", "fee": "950",
        "currency": "EUR", "dates-0-on": "2027-06-12", "dates-0-venue": "Le Quai", "dates-0-town": "Angers",
        "dates-0-departement_code": "49",
    }, token_from="/outcomes")  # fmt: skip
    assert response.status_code == 302
    outcome = db.session.scalar(select(Outcome).where(Outcome.programmer_id == scene.came_once.id))
    assert outcome.edition_id == scene.edition.id and not outcome.attribution_confirmed
    assert [d.town for d in outcome.dates] == ["Angers"] and outcome.fee_per_performance == Decimal("950.00")


def test_a_recorded_outcome_stops_that_companys_follow_up(scene):
    launch(scene)
    _record(scene, scene.came, scene.companies[1], scene.shows[1], "option", [], decided_on=date(2027, 3, 20))
    stop = db.session.scalar(select(PairStop).where(PairStop.company_id == scene.companies[1].id))
    assert stop is not None and stop.reason == "outcome"


def test_a_member_records_only_for_their_company_and_bad_input_is_refused(scene):
    member = scene.a.members[0]
    with pytest.raises(DomainError) as other:
        _record(scene, scene.came, scene.companies[1], scene.shows[1], "option", [],
                decided_on=date(2027, 4, 1), actor=member)  # fmt: skip
    assert other.value.field == "company_id"
    with pytest.raises(DomainError) as wrong_show:
        _record(
            scene, scene.came, scene.companies[0], scene.shows[1], "option", [], decided_on=date(2027, 4, 1)
        )
    assert wrong_show.value.field == "show_id"
    with pytest.raises(DomainError) as no_date:
        _record(
            scene,
            scene.came,
            scene.companies[0],
            scene.shows[0],
            "confirmed",
            [],
            decided_on=date(2027, 4, 1),
        )
    assert no_date.value.field == "dates"
    with pytest.raises(DomainError) as fee:
        _record(scene, scene.came, scene.companies[0], scene.shows[0], "option", [], fee="mille",
                decided_on=date(2027, 4, 1))  # fmt: skip
    assert fee.value.field == "fee"
    db.session.rollback()
    assert db.session.scalar(select(Outcome)) is None  # nothing half-saved


def test_the_logo_list_shows_confirmed_attributed_dates_without_the_logo(booked, client):
    sign_in(client, booked.a.coordinator)
    page = client.get(f"/outcomes?edition={booked.edition.id}&logo=missing").get_data(as_text=True)
    assert page.count("<tr><td>") == 2
    assert services.missing_logo_count(booked.a.coordinator, booked.edition.id) == 2
    outcome = db.session.scalar(select(Outcome).where(Outcome.company_id == booked.companies[1].id))
    outcome.logo_credited = True
    db.session.commit()
    assert services.missing_logo_count(booked.a.coordinator, booked.edition.id) == 1


def test_exports_open_and_neutralise_formulas(booked, client):
    outcome = db.session.scalar(select(Outcome).where(Outcome.company_id == booked.companies[0].id,
                                                      Outcome.status == OutcomeStatus.CONFIRMED))  # fmt: skip
    outcome.show.title = '=HYPERLINK("http://x")'
    db.session.commit()
    sign_in(client, booked.a.coordinator)
    text = client.get("/outcomes/export.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 1 + 4 and "'=HYPERLINK" not in rows[0][0]
    assert any(
        cell.startswith("2027-05-01 '=HYPERLINK") or "'=HYPERLINK" in cell for row in rows for cell in row
    )
    book = openpyxl.load_workbook(io.BytesIO(client.get("/outcomes/export.xlsx").data))
    assert book.active.max_row == 5
    report_book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/impact/export.xlsx?edition={booked.edition.id}").data)
    )
    values = [[c.value for c in row][:5] for row in report_book.active.iter_rows()]  # then the meetings'
    assert ["Entonnoir", "present", 2, None, None] in values or ["Entonnoir", "present", 2, "", ""] in values


def test_the_report_page_shows_figures_map_and_table(booked, client):
    sign_in(client, booked.a.coordinator)
    page = client.get(f"/editions/{booked.edition.id}/impact").get_data(as_text=True)
    assert '<svg class="map"' in page and "Maine-et-Loire (49)\u202f: 2" in page
    assert "800,50\u00a0€" in page and "20 jours" in page
    member = booked.a.members[1]
    sign_in(client, member)
    own = client.get(f"/editions/{booked.edition.id}/impact").get_data(as_text=True)
    assert booked.companies[1].name in own and booked.companies[0].name not in own.split("Par compagnie")[1]


def test_confirmed_dates_reach_the_companys_calendar(booked, client):
    subscription = calendars.subscription_for(FeedKind.COMPANY, booked.companies[0].id)
    db.session.commit()
    calendar = Calendar.from_ical(client.get(f"/calendars/{calendars.token_for(subscription)}.ics").data)
    days = sorted(
        e["DTSTART"].dt for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("outcome-date")
    )
    assert days == [date(2027, 5, 1), date(2027, 5, 2), date(2027, 6, 1)]


def test_the_box_office_statement_and_the_companys_download(scene, client):
    sign_in(client, scene.a.coordinator)
    url = f"/editions/{scene.edition.id}/box-office"
    response = post_form(
        client, url, {"income": "1000", "fee_per_person": "255", "rule": "equal"}, token_from=url
    )
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "il manque" in page  # casts 3 + 2 + 2 = 7 people × 255 € = 1,785 € > 1,000 €
    text = client.get(f"{url}/{scene.companies[0].id}.csv").data.decode("utf-8-sig")
    rows = dict(row for row in csv.reader(io.StringIO(text), delimiter=";"))
    assert (
        rows["Manque pour payer tous les forfaits"] == "785,00"
    )  # a decimal comma, as French Excel reads it
    bad = post_form(client, url, {"income": "-5", "fee_per_person": "255", "rule": "equal"}, token_from=url)
    assert bad.status_code == 422 and "-5" in bad.get_data(as_text=True)


def test_report_and_list_query_counts_do_not_grow(booked, app):

    client = app.test_client()
    sign_in(client, booked.a.coordinator)
    urls = [f"/editions/{booked.edition.id}/impact", "/impact", "/outcomes", "/outcomes/export.xlsx"]

    def counts():
        return statement_counts(client, urls)

    small = counts()
    for n in range(6):
        _record(booked, booked.came_once, booked.companies[0], booked.shows[0], "confirmed",
                [(date(2027, 7, 1 + n), "44")], fee="500", decided_on=date(2027, 5, 1 + n))  # fmt: skip
    assert counts() == small == [REPORT, REPORT, LIST, EXPORT]


# The report: + the meetings per company, the confirmed bookings from meetings and from shows (2), the
# venues and companies drawn on its map (1), and the travel: the network's factors, the companies' days
# and the programmers' days, the carpools both sides accepted (4); the volunteer time: the hourly value, by
# commission, by company, and each company's share at the edition before (5).
REPORT, LIST, EXPORT = 29, 10, 8


def test_the_follow_up_dashboard_counts_the_same_bookings_as_the_report(booked, client):
    sign_in(client, booked.a.coordinator)
    page = client.get(f"/editions/{booked.edition.id}/suivi").get_data(as_text=True)
    assert report.funnel([booked.edition.id])["booked"] == 2
    assert '<span class="figure">2</span>dates obtenues' in page


def test_the_box_office_takes_amounts_as_people_type_them(scene, client):
    from crm.impact.models import BoxOffice

    sign_in(client, scene.a.coordinator)
    url = f"/editions/{scene.edition.id}/box-office"
    response = post_form(
        client, url, {"income": "2 450,50", "fee_per_person": "255,00", "rule": "equal"}, token_from=url
    )
    assert response.status_code == 302
    saved = db.session.scalar(db.select(BoxOffice))
    assert (str(saved.income), str(saved.fee_per_person)) == ("2450.50", "255.00")
    bad = post_form(client, url, {"income": "deux mille", "rule": "equal"}, token_from=url)
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and html.count("field-error") == 1
    assert "Un montant en euros, par exemple 1200 ou 1200,50." in html and 'value="deux mille"' in html


def test_every_amount_goes_through_one_formatter_in_the_readers_locale(app):
    from decimal import Decimal

    from flask_babel import force_locale

    from crm.base.i18n import money

    with force_locale("fr"):
        assert money(Decimal("1850.5")) == "1\u202f850,50\u00a0€"
    with force_locale("en"):
        assert money(Decimal("1850.5")) == "€1,850.50"


def test_the_xlsx_keeps_amounts_as_numbers_with_a_euro_format(booked, client):
    from openpyxl import load_workbook

    sign_in(client, booked.a.coordinator)
    data = client.get("/outcomes/export.xlsx").data
    sheet = load_workbook(io.BytesIO(data)).active
    headers = [c.value for c in sheet[1]]
    column = headers.index("Prix par représentation") + 1
    fees = [row[column - 1] for row in sheet.iter_rows(min_row=2) if row[column - 1].value is not None]
    assert fees and all(isinstance(c.value, int | float) and "€" in c.number_format for c in fees)


def test_amounts_are_typed_in_a_text_box_that_accepts_a_comma(scene, client):
    sign_in(client, scene.a.coordinator)
    html = client.get(f"/editions/{scene.edition.id}/box-office").get_data(as_text=True)
    field = (
        html.split('id="income"', 1)[0].rsplit("<input", 1)[1]
        + html.split('id="income"', 1)[1].split(">", 1)[0]
    )
    assert 'type="text"' in field and 'inputmode="decimal"' in field


def test_the_funnel_is_shown_once_with_its_table_kept_for_screen_readers(booked, client):
    sign_in(client, booked.a.coordinator)
    html = client.get(f"/editions/{booked.edition.id}/impact").get_data(as_text=True)
    chart = html.split('<svg class="chart"', 1)[1].split("</svg>", 1)
    assert chart[0].startswith(' viewBox="0 0 600 204" aria-hidden="true"')
    hidden, shown = chart[1].split('<table class="visually-hidden">', 1)[1].split("</table>", 1)
    assert hidden.count('<th scope="row">') == 6 and "présent·es" in hidden
    assert "présent·es</th>" not in shown and "Représentations obtenues" in shown
