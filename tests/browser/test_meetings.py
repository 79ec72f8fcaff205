"""A meeting session walked in a real Chromium, from its creation to the booking it produced: the
coordinator sets it up, a company and two programmers (through their invitation link) give wishes, the
coordinator plans and publishes, both sides see their schedule and calendar, check-in at the door drives
a re-plan, the company marks the meeting held, the follow-up's message lists the company met, and a
booking attributed to the meeting shows in the report."""

from datetime import UTC, datetime

import pytest
import time_machine
from icalendar import Calendar
from sqlalchemy import select

from crm.base.extensions import db
from crm.invitations import services as invitations
from crm.mail.models import OutboxMessage
from crm.mail.rendering import text_to_html
from crm.meetings.models import Meeting, MeetingOutcome
from crm.scheduler import run_due
from tests import factories
from tests.browser.test_home import _screenshot, _sign_in
from tests.scene import on_stage

pytestmark = pytest.mark.browser

WISHES = datetime(2027, 2, 1, 9, tzinfo=UTC)  # a month before the edition (4 and 5 March 2027)
DOOR = datetime(2027, 3, 5, 8, 45, tzinfo=UTC)  # 9:45 in Paris on day two, the first round at 10:30
AFTER_FIRST_ROUND = datetime(2027, 3, 5, 9, 50, tzinfo=UTC)
ENDED = datetime(2027, 3, 6, 12, tzinfo=UTC)
J2 = datetime(2027, 3, 7, 8, 30, tzinfo=UTC)  # the follow-up's first message is due at 9:00 in Paris


def _travel(moment):
    return time_machine.travel(moment, tick=True)


def _as(browser, page, base, email):
    browser.clear_cookies()
    _sign_in(page, base, email)


def test_a_meeting_session_from_wishes_to_the_booking_it_produced(world, live_server, browser):
    a = world.a
    with _travel(WISHES):
        # a second company plays at 9:00 on day two: accepted, it may take part too
        morning = on_stage(a.planned, a.venue, a.companies[1], a.shows[1], 8)
        first = invitations.by_token(a.invitation_token, now=WISHES)
        second = factories.invitation(a.planned, a.programmers[1])
        for invitation in (first, second):
            invitations.answer(invitation, "coming", ["2027-03-05"], now=WISHES)
        db.session.commit()
        page = browser.new_page()

        _as(browser, page, live_server, "coord-a@example.org")
        page.goto(f"{live_server}/editions/{a.planned.id}")
        page.get_by_role("button", name="Rencontres professionnelles (speed-dating)").click()
        page.get_by_role("button", name="Nouvelle session").click()
        page.get_by_label("Lieu").select_option(label="Théâtre A, Tours")
        page.get_by_label("Jour").fill("2027-03-05")
        page.get_by_label("Début du premier tour").fill("10:30")
        page.get_by_label("Nombre de tours").fill("3")
        page.get_by_label("Nombre de tables").fill("2")
        page.get_by_label("Pause après les tours").fill("")
        page.get_by_role("button", name="Enregistrer").click()
        assert page.get_by_role("heading", name="Rencontres pro").is_visible()
        session_url = page.url

        _as(browser, page, live_server, "member-a1@example.org")
        page.get_by_role("link", name="Rencontres pro").click()
        page.get_by_label("Qui sera à votre table ?").fill("Lise Martin, diffusion")
        page.get_by_role("button", name="Nous participons").click()
        company_url = page.url

        for invitation, token in ((first, a.invitation_token), (second, None)):
            browser.clear_cookies()
            token = token or invitations.signed_token(invitation)
            page.goto(f"{live_server}/rsvp/{token}")
            page.get_by_role("button", name="Participer aux rencontres").click()
            page.get_by_role("button", name="Je participe aux rencontres").click()
            page.get_by_label("Compagnie A1", exact=True).select_option(label="Je veux rencontrer")
            page.get_by_role("button", name="Enregistrer mes souhaits").click()
            assert "1 souhait(s) enregistré(s)" in page.content()
        page.set_viewport_size({"width": 390, "height": 844})
        _screenshot(page, "meetings-programmer-wishes-phone")
        page.set_viewport_size({"width": 1280, "height": 900})

        _as(browser, page, live_server, "member-a1@example.org")
        page.goto(company_url)
        page.get_by_label("Claire ProgrammateurA1", exact=True).select_option(label="Je veux rencontrer")
        page.get_by_label("Claire ProgrammateurA2", exact=True).select_option(label="Volontiers")
        page.get_by_role("button", name="Enregistrer mes souhaits").click()
        assert "2 souhait(s) enregistré(s)" in page.content()

        _as(browser, page, live_server, "coord-a@example.org")
        page.goto(session_url)
        page.get_by_role("button", name="Planifier").click()
        assert "Planning proposé" in page.content()
        _screenshot(page, "meetings-session-desktop")
        page.get_by_role("button", name="Publier et envoyer les plannings").click()
        assert "Planning publié" in page.content()
        meetings = db.session.scalars(select(Meeting).order_by(Meeting.round)).all()
        # the company meets both people, one round each, at the same table
        assert sorted(m.programmer_id for m in meetings) == sorted(p.id for p in a.programmers)
        assert [m.round for m in meetings] == [1, 2] and {m.table_number for m in meetings} == {1}
        mine = next(m for m in meetings if m.programmer_id == a.programmers[0].id)
        hours = {1: "10:30–10:45", 2: "10:50–11:05"}[mine.round]

        # the e-mail with the schedule, as a mail reader shows it: its link is a button
        notice = db.session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.to_address == a.programmers[0].email)
            .where(OutboxMessage.subject.like("Vos rendez-vous%"))
        )
        mail = browser.new_page()  # a blank page: the application's CSP would strip the inline styles
        mail.set_viewport_size({"width": 390, "height": 844})
        mail.set_content(text_to_html(notice.body_text, subject=notice.subject, brand="Réseau A"))
        assert mail.get_by_role("link", name="Votre planning, toujours à jour").is_visible()
        assert mail.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        _screenshot(mail, "meetings-email-phone")
        mail.close()

        browser.clear_cookies()
        page.goto(f"{live_server}/rsvp/{a.invitation_token}/meetings/{meetings[0].session_id}")
        assert page.get_by_role("heading", name="Vos rendez-vous").is_visible()
        assert hours in page.content() and "Compagnie A1" in page.content()
        page.get_by_role(
            "link", name="Ajouter mon agenda (spectacles et rendez-vous) à mon calendrier"
        ).click()
        if page.get_by_role("button", name="Créer mon lien d'abonnement").is_visible():
            page.get_by_role("button", name="Créer mon lien d'abonnement").click()
        feed = page.locator("#feed-url").input_value()
        events = Calendar.from_ical(page.request.get(feed.replace("webcal://", "http://")).body()).walk(
            "VEVENT"
        )
        assert any(str(e["summary"]).startswith("Rendez-vous\u202f: Compagnie A1") for e in events)

    with _travel(DOOR):
        # at the door: the first person is checked in at the morning show, the second is not there
        _as(browser, page, live_server, "coord-a@example.org")
        page.goto(f"{live_server}/slots/{morning.id}/checkin")
        page.get_by_role("searchbox").fill("ra1")
        page.get_by_role("button", name="Chercher").click()
        page.get_by_role("button", name="Pointer Claire ProgrammateurA1").click()
        page.goto(f"{session_url}/presence")
        page.set_viewport_size({"width": 390, "height": 844})
        assert "1 programmateur·rice(s) pas encore là" in page.content()
        _screenshot(page, "meetings-presence-phone")
        page.get_by_role("button", name="Replanifier pour les absents").click()
        assert "1 rendez-vous libéré(s)" in page.content()
        page.set_viewport_size({"width": 1280, "height": 900})
    db.session.expire_all()
    [kept] = db.session.scalars(select(Meeting)).all()
    assert kept.programmer_id == a.programmers[0].id

    with _travel(AFTER_FIRST_ROUND):
        _as(browser, page, live_server, "member-a1@example.org")
        page.goto(company_url)
        page.set_viewport_size({"width": 390, "height": 844})
        page.get_by_role("button", name="Oui").click()
        assert "Rendez-vous noté." in page.content()
        _screenshot(page, "meetings-company-phone")
    db.session.expire_all()
    assert db.session.get(Meeting, kept.id).outcome == MeetingOutcome.HELD

    with _travel(ENDED):
        # the shared follow-up: launched by the coordinator, its J+2 message lists the company met
        _as(browser, page, live_server, "coord-a@example.org")
        page.goto(f"{live_server}/editions/{a.planned.id}/suivi/sequence")
        if page.get_by_role("button", name="Créer le suivi").is_visible():
            page.get_by_role("button", name="Créer le suivi").click()
        page.get_by_role("button", name="Lancer le suivi").click()
    with _travel(J2):
        run_due()
    message = db.session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.programmer_id == a.programmers[0].id, OutboxMessage.body_html.is_not(None))
        .order_by(OutboxMessage.id.desc())
    )
    mail = browser.new_page()
    mail.set_viewport_size({"width": 390, "height": 844})
    mail.set_content(message.body_html)
    card = mail.locator(".card").filter(has_text="Compagnie A1")
    assert "Rencontre en tête-à-tête" in card.inner_text()
    assert card.get_by_role("link", name="Je souhaite le programmer").is_visible()
    _screenshot(mail, "meetings-followup-email-phone")
    mail.close()

    with _travel(J2):
        # the company records the booking the meeting produced; the report counts it as from a meeting
        page.set_viewport_size({"width": 1280, "height": 900})
        _as(browser, page, live_server, "member-a1@example.org")
        page.get_by_role("link", name="Dates obtenues").click()
        page.get_by_role("button", name="Enregistrer une date obtenue").click()
        page.get_by_label("Spectacle").select_option(label="Compagnie A1 — Spectacle A1")
        page.get_by_label("Rencontre en tête-à-tête qui a produit cette date").select_option(index=1)
        page.get_by_label("Statut").select_option(label="Confirmé")
        page.locator("#dates-0-on").fill("2027-10-02")
        page.locator("#dates-0-town").fill("Blois")
        page.locator("#dates-0-departement_code").fill("41")
        page.get_by_role("button", name="Enregistrer").click()
        page.goto(f"{live_server}/editions/{a.planned.id}/impact")
        _screenshot(page, "meetings-report")
        origins = page.get_by_role("row", name="Dates confirmées grâce aux rencontres en tête-à-tête")
        assert origins.get_by_role("cell").inner_text() == "1"
        funnel = page.locator("table.meetings").get_by_role("row").filter(has_text="Compagnie A1").first
        # planned (the re-plan freed the absentee's), held, answered, booked
        assert funnel.inner_text().split()[-4:] == ["1", "1", "0", "1"]
