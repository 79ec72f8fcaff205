"""Bookings attributed to a meeting (speed-dating), and the report's meetings: planned → held → answered
→ booked per company, bookings from meetings beside bookings from shows; on the follow-up scene."""

import csv
import io
from datetime import date
from html import unescape
from types import SimpleNamespace

import openpyxl
import pytest
from sqlalchemy import func, select

from crm.base.extensions import db
from crm.followups import services as followups
from crm.followups.models import Enrolment
from crm.impact import report, services
from crm.impact.models import Outcome, OutcomeStatus
from crm.showcase.models import EditionStatus
from tests import factories
from tests.conftest import post_form, sign_in, statement_counts
from tests.impact.test_impact import LIST, REPORT
from tests.scene import D2, ENDED, launch, meet, meeting_session, on_stage


def _enrolment(person):
    return db.session.scalar(select(Enrolment).where(Enrolment.programmer_id == person.id))


def _record(scene, company, show, *, person=None, meeting=None, status="confirmed"):
    data = {
        "company_id": company.id, "show_id": show.id, "programmer_id": person.id if person else None,
        "edition_id": scene.edition.id, "meeting_id": meeting.id if meeting else None,
        "kind": "performances", "status": status, "decided_on": date(2027, 4, 1),
        "dates": [{"on": date(2027, 6, 1), "departement_code": "45"}],
    }  # fmt: skip
    outcome = services.save_outcome(None, scene.a.network, data, actor=scene.a.coordinator, now=ENDED)
    db.session.commit()
    return outcome


@pytest.fixture
def meetings(scene):
    """A published session of the edition (round n at 9:00 + 20 min × (n − 1) on 5 March):
    - came × Compagnie A1, held; came answers "book" about Spectacle A1 (which they saw);
    - came_once × Compagnie A3, held; no answer;
    - only_met × Compagnie A2, held; only_met answers "book" about Spectacle A2 (never seen);
    - only_met × Compagnie A3, missed; other × Compagnie A2, not marked;
    and an unpublished session whose meeting (held, by mistake) counts nowhere.
    Network B has a session with a held meeting and a booking from it: A's report never sees them."""
    a, edition = scene.a, scene.edition
    c1, c2, c3 = scene.companies
    only_met = factories.programmer(a.network, a.coordinator, a.venue, last_name="Rencontrée")
    other = factories.programmer(a.network, a.coordinator, a.venue, last_name="Autre")
    session = meeting_session(edition, a.venue)
    found = SimpleNamespace(
        scene=scene, only_met=only_met, other=other, session=session,
        came_c1=meet(session, scene.came, c1, 1),
        came_once_c3=meet(session, scene.came_once, c3, 1, table=2),
        only_met_c2=meet(session, only_met, c2, 2),
        only_met_c3=meet(session, only_met, c3, 3, outcome="missed"),
        other_c2=meet(session, other, c2, 4, outcome=None),
    )  # fmt: skip
    draft = meeting_session(edition, a.venue, name="Brouillon", published=False)
    found.unpublished = meet(draft, other, c1, 1)
    b = scene.world.b
    b_session = meeting_session(b.planned, b.venue)
    found.b_meeting = meet(b_session, b.programmers[0], b.companies[0], 1)
    data = {
        "company_id": b.companies[0].id, "show_id": b.shows[0].id, "programmer_id": None,
        "edition_id": None, "meeting_id": found.b_meeting.id, "kind": "performances", "status": "confirmed",
        "decided_on": date(2027, 4, 1), "dates": [{"on": date(2027, 6, 1)}],
    }  # fmt: skip
    services.save_typed(None, b.network, data, actor=b.coordinator, now=ENDED)
    db.session.commit()
    launch(scene)
    followups.record_answer(_enrolment(scene.came), scene.shows[0].id, "book", now=D2)
    followups.record_answer(_enrolment(only_met), scene.shows[1].id, "book", now=D2)
    db.session.commit()
    return found


def test_the_draft_from_an_answer_is_attributed_to_the_meeting_that_listed_the_show(meetings):
    scene = meetings.scene
    drafts = {
        o.programmer_id: o
        for o in db.session.scalars(select(Outcome).where(Outcome.status == OutcomeStatus.DRAFT))
    }
    assert drafts[meetings.only_met.id].meeting_id == meetings.only_met_c2.id
    assert drafts[scene.came.id].meeting_id is None  # they saw the show: it came from the show


def test_the_form_offers_the_companys_held_meetings_and_fills_the_person_and_edition(meetings, client):
    scene = meetings.scene
    member = scene.a.members[1]  # Compagnie A2
    sign_in(client, member)
    page = unescape(client.get("/outcomes/new").get_data(as_text=True))
    label = "Claire Rencontrée — Rencontres du vendredi, 05/03/2027, tour 2 (09:20)"
    assert f'<option value="{meetings.only_met_c2.id}">{label}</option>' in page
    for elsewhere in ("other_c2", "came_c1", "only_met_c3", "unpublished"):  # not held, or not theirs
        assert f'<option value="{getattr(meetings, elsewhere).id}">' not in page
    response = post_form(client, "/outcomes/new", {
        "company_id": member.company_id, "show_id": scene.shows[1].id,
        "meeting_id": meetings.only_met_c2.id, "kind": "performances", "status": "option",
        "decided_on": "2027-04-02", "currency": "EUR",
    }, token_from="/outcomes")  # fmt: skip
    assert response.status_code == 302
    saved = db.session.scalar(select(Outcome).where(Outcome.status == OutcomeStatus.OPTION))
    assert (saved.meeting_id, saved.programmer_id, saved.edition_id) == (
        meetings.only_met_c2.id,
        meetings.only_met.id,
        scene.edition.id,
    )
    edit = unescape(client.get(f"/outcomes/{saved.id}").get_data(as_text=True))
    assert f'<option selected value="{meetings.only_met_c2.id}">{label}</option>' in edit


@pytest.mark.parametrize(
    ("meeting", "extra", "message"),
    [
        ("came_c1", {}, "Cette rencontre n'est pas celle de cette compagnie."),
        ("b_meeting", {}, "Choisissez une rencontre de la liste."),
        ("other_c2", {}, "Cette rencontre n'a pas eu lieu : choisissez une rencontre tenue."),
        ("only_met_c2", {"programmer_email": "came"}, "Cette rencontre était avec une autre personne"),
        ("only_met_c2", {"edition_id": "other"}, "Cette rencontre a eu lieu pendant une autre édition"),
        (None, {"meeting_id": "987654"}, "Choisissez une rencontre de la liste."),
    ],
)
def test_a_forged_or_wrong_meeting_is_refused_next_to_the_field(meetings, client, meeting, extra, message):
    scene = meetings.scene
    member = scene.a.members[1]
    if extra.get("programmer_email"):
        extra = {"programmer_email": scene.came.email}
    if extra.get("edition_id"):
        other = factories.edition(scene.a.network, name="Autre édition")
        other.status = EditionStatus.HELD  # one the form offers
        db.session.commit()
        extra = {"edition_id": other.id}
    before = db.session.scalar(select(func.count()).select_from(Outcome))
    sign_in(client, member)
    response = post_form(client, "/outcomes/new", {
        "company_id": member.company_id, "show_id": scene.shows[1].id,
        "meeting_id": getattr(meetings, meeting).id if meeting else "", "kind": "performances",
        "status": "option", "decided_on": "2027-04-02", "currency": "EUR", **extra,
    }, token_from="/outcomes")  # fmt: skip
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert f'<small class="field-error" id="meeting_id-error">{message}' in page
    assert db.session.scalar(select(func.count()).select_from(Outcome)) == before  # nothing saved


def test_the_coordinator_editing_a_booking_chooses_among_its_companys_meetings(meetings, client):
    scene = meetings.scene
    outcome = _record(scene, scene.companies[2], scene.shows[2], person=scene.came_once)
    sign_in(client, scene.a.coordinator)
    page = client.get(f"/outcomes/{outcome.id}").get_data(as_text=True)
    select_ = page.split('id="meeting_id"', 1)[1].split("</select>", 1)[0]
    assert f'value="{meetings.came_once_c3.id}"' in select_
    assert (
        f'value="{meetings.only_met_c2.id}"' not in select_
        and f'value="{meetings.came_c1.id}"' not in select_
    )
    new = unescape(client.get("/outcomes/new").get_data(as_text=True))  # any company: each labelled
    assert "Compagnie A2 — Claire Rencontrée — Rencontres du vendredi" in new


def test_the_report_follows_meetings_from_planned_to_booked_per_company(meetings):
    scene = meetings.scene
    c1, c2, c3 = scene.companies
    [draft] = db.session.scalars(select(Outcome).where(Outcome.meeting_id == meetings.only_met_c2.id)).all()
    draft.status = OutcomeStatus.CONFIRMED  # the company completed the draft the answer made
    _record(scene, c1, scene.shows[0], person=scene.came)  # seen and met, booked without the meeting
    _record(scene, c3, scene.shows[2], person=scene.came_once, meeting=meetings.came_once_c3, status="option")
    db.session.commit()
    rows = {row[0]: row[1:] for row in report.meetings_by_company([scene.edition.id])}
    # planned, held, answered (a one-click answer about the company's show), booked (confirmed, attributed)
    assert rows == {c1.id: (1, 1, 1, 0), c2.id: (2, 1, 1, 1), c3.id: (2, 1, 0, 0)}
    assert report.bookings_by_origin([scene.edition.id]) == {"meetings": 1, "shows": 1}
    figures = report.figures([scene.edition.id], viewer=scene.a.coordinator)
    assert figures["meetings"] == [("Compagnie A1", 1, 1, 1, 0), ("Compagnie A2", 2, 1, 1, 1),
                                   ("Compagnie A3", 2, 1, 0, 0)]  # fmt: skip
    assert figures["meetings_total"] == (5, 3, 2, 1)
    # present: the two who checked in, and only_met, who met a company; not who merely had a meeting
    assert report.funnel([scene.edition.id])["present"] == 3


def test_another_networks_meetings_and_bookings_never_count(meetings):
    scene, b = meetings.scene, meetings.scene.world.b
    a_editions = [e.id for e in (scene.edition, scene.a.edition)]
    assert {row[0] for row in report.meetings_by_company(a_editions)} == {c.id for c in scene.companies}
    assert report.bookings_by_origin(a_editions) == {"meetings": 0, "shows": 0}
    assert report.meetings_by_company([b.planned.id]) == [(b.companies[0].id, 1, 1, 0, 1)]
    assert report.bookings_by_origin([b.planned.id]) == {"meetings": 1, "shows": 0}
    outcome = db.session.scalar(select(Outcome).where(Outcome.network_id == b.network.id))
    assert (outcome.programmer_id, outcome.edition_id) == (b.programmers[0].id, b.planned.id)


def test_the_report_page_shows_the_meetings_and_a_company_sees_its_own_line(meetings, app):
    scene = meetings.scene
    coordinator, member = app.test_client(), app.test_client()
    sign_in(coordinator, scene.a.coordinator)
    sign_in(member, scene.a.members[1])
    url = f"/editions/{scene.edition.id}/impact"
    page = unescape(coordinator.get(url).get_data(as_text=True))
    table = page.split('<table class="meetings">', 1)[1].split("</table>", 1)[0]
    assert '<th scope="row">Compagnie A3</th><td>2</td><td>1</td><td>0</td><td>0</td>' in table
    assert '<th scope="row">Tout le réseau</th><td>5</td><td>3</td><td>2</td><td>0</td>' in table
    assert "Dates confirmées grâce aux rencontres en tête-à-tête</th><td>0</td>" in page
    own = unescape(member.get(url).get_data(as_text=True))
    table = own.split('<table class="meetings">', 1)[1].split("</table>", 1)[0]
    assert "Compagnie A2" in table and "Compagnie A1" not in table and "Compagnie A3" not in table
    assert "<td>5</td><td>3</td><td>2</td><td>0</td>" in table  # the network's totals stay
    b_page = unescape(coordinator.get("/impact").get_data(as_text=True))
    assert "Tout le réseau</th><td>5</td>" in b_page  # A's network report: B's meeting is not there


def test_without_meetings_the_report_has_no_meetings_table(scene, client):
    sign_in(client, scene.a.coordinator)
    page = client.get(f"/editions/{scene.edition.id}/impact").get_data(as_text=True)
    assert '<table class="meetings">' not in page and "grâce aux spectacles" in page


def test_the_exports_carry_the_meetings_columns(meetings, client):
    scene = meetings.scene
    _record(scene, scene.companies[1], scene.shows[1], meeting=meetings.only_met_c2)
    sign_in(client, scene.a.coordinator)
    text = client.get(f"/impact/export.csv?edition={scene.edition.id}").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][5:] == ["Rencontres prévues", "Rencontres tenues", "Rencontres suivies d'une réponse",
                           "Rencontres suivies d'une date confirmée"]  # fmt: skip
    assert ["Rencontres", "Compagnie A2", "", "", "", "2", "1", "1", "1"] in rows
    assert ["Rencontres", "Tout le réseau", "", "", "", "5", "3", "2", "1"] in rows
    assert ["Total", "dates confirmées grâce aux rencontres", "1", "", "", "", "", "", ""] in rows
    assert all(len(row) == len(rows[0]) for row in rows)
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/impact/export.xlsx?edition={scene.edition.id}").data)
    )
    values = [[c.value for c in row] for row in book.active.iter_rows()]
    assert any(row[:2] == ["Rencontres", "Compagnie A2"] and row[5:] == [2, 1, 1, 1] for row in values)


def test_the_report_and_the_form_do_not_grow_with_the_meetings(meetings, app):
    scene = meetings.scene
    coordinator = app.test_client()
    sign_in(coordinator, scene.a.coordinator)
    urls = [f"/editions/{scene.edition.id}/impact", "/impact", "/outcomes", "/outcomes/new"]
    _record(scene, scene.companies[1], scene.shows[1], person=meetings.only_met, meeting=meetings.only_met_c2)
    small = statement_counts(coordinator, urls)
    session = meeting_session(scene.edition, scene.a.venue, name="Rencontres du jeudi", day=date(2027, 3, 4))
    for i in range(6):
        company = factories.company(scene.a.network, name=f"Compagnie rencontrée {i}")
        show = factories.show(company)
        on_stage(scene.edition, scene.a.venue, company, show, 14 + i)
        person = factories.programmer(scene.a.network, scene.a.coordinator, last_name=f"Rencontre{i}")
        meeting = meet(session, person, company, i + 1)
        db.session.commit()
        _record(scene, company, show, person=person, meeting=meeting)
    assert statement_counts(coordinator, urls) == small == [REPORT, REPORT, LIST, FORM]


FORM = 5  # the signed-in user, then companies, shows, editions and held meetings to choose from
