"""Invitations: personal links without an account (valid, forged, expired, erased), answers, the board,
the opt-out link, and a merge that keeps invitations."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from crm.base.database import utcnow
from crm.base.extensions import db
from crm.contacts import duplicates, privacy
from crm.invitations import services
from crm.invitations.models import Answer, Invitation
from crm.mail.models import OutboxMessage
from tests import factories
from tests.conftest import csrf_token, post_form, sign_in


def test_coordinator_invites_a_filtered_list_and_each_gets_a_personal_link(app, world, client):
    a = world.a
    privacy.opt_out(a.member_contact, now=utcnow())
    db.session.commit()
    sign_in(client, a.coordinator)
    board = client.get(f"/editions/{a.planned.id}/invitations").get_data(as_text=True)
    assert "1 personne pas encore invitée correspond." in board  # one invited already, one objected
    before = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    response = post_form(client, f"/editions/{a.planned.id}/invitations", {}, token_from="/account/password")
    assert response.status_code == 302
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(1)).all()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == before + 1
    body = messages[0].body_text
    assert messages[0].to_address == a.programmers[1].email
    assert "http://localhost/rsvp/" in body and "http://localhost/stop/" in body
    assert "origine : Carte de visite" in body


def test_rsvp_link_answers_without_an_account_and_the_board_counts_it(app, world):
    a = world.a
    anonymous = app.test_client()
    url = f"/rsvp/{a.invitation_token}"
    page = anonymous.get(url)
    assert page.status_code == 200
    assert a.programmers[0].full_name in page.get_data(as_text=True)
    token = csrf_token(anonymous, url)
    missing_day = anonymous.post(url, data={"csrf_token": token, "answer": "coming"})
    assert missing_day.status_code == 422
    assert "Dites quel(s) jour(s) vous venez." in missing_day.get_data(as_text=True)
    ok = anonymous.post(url, data={"csrf_token": token, "answer": "coming", "days": ["2027-03-05"]})
    assert ok.status_code == 302
    board = services.board(a.planned)
    assert (board["invited"], board["answered"], board["answers"][Answer.COMING]) == (1, 1, 1)
    assert board["days"] == [(a.planned.starts_on, 0), (a.planned.ends_on, 1)]


@pytest.mark.parametrize("token", ["forged-token", "", "x" * 43])
def test_forged_link_gets_a_clear_page_and_no_data(app, world, token):
    response = app.test_client().get(f"/rsvp/{token}" if token else "/rsvp/%20")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Ce lien n&#39;est pas valide" in html or "Ce lien n'est pas valide" in html
    assert world.a.programmers[0].last_name not in html


def test_expired_link_and_erased_person(app, world):
    a = world.a
    invitation = db.session.scalar(select(Invitation).where(Invitation.edition_id == a.planned.id))
    with pytest.raises(services.LinkError, match="expiré"):
        services.by_token(a.invitation_token, now=datetime(2027, 6, 1, tzinfo=UTC))
    privacy.erase(invitation.programmer, now=utcnow())
    db.session.commit()
    response = app.test_client().get(f"/rsvp/{a.invitation_token}")
    assert response.status_code == 404
    assert "effacées" in response.get_data(as_text=True)


def test_stop_link_confirms_on_get_and_opts_out_on_a_bare_post(app, world):
    a = world.a
    client = app.test_client()
    assert client.get(f"/stop/{a.invitation_token}").status_code == 200
    db.session.expire_all()
    assert a.programmers[0].opted_out_at is None  # a link scanner's GET changes nothing
    assert client.post(f"/stop/{a.invitation_token}").status_code == 200  # no cookie, no CSRF token
    db.session.expire_all()
    assert a.programmers[0].opted_out_at is not None


def test_merge_keeps_invitations_one_per_edition(app, world):
    a = world.a
    keep, drop = a.programmers
    factories.invitation(a.planned, drop)
    other = factories.edition(a.network, name="Autre édition")
    moved = factories.invitation(other, drop)
    duplicates.merge(keep, drop, actor=a.coordinator)
    db.session.commit()
    owners = dict(db.session.execute(select(Invitation.edition_id, Invitation.programmer_id)).all())
    assert owners[a.planned.id] == keep.id
    assert owners[other.id] == keep.id
    assert db.session.get(Invitation, moved.id).programmer_id == keep.id


def test_rsvp_records_which_shows_interest_the_person(app, world):
    a = world.a
    anonymous = app.test_client()
    url = f"/rsvp/{a.invitation_token}"
    page = anonymous.get(url).get_data(as_text=True)
    assert "Spectacle A1 — Compagnie A1" in page
    token = csrf_token(anonymous, url)
    response = anonymous.post(
        url, data={"csrf_token": token, "answer": "maybe", "shows": [str(a.shows[0].id), "999999"]}
    )
    assert response.status_code == 302
    invitation = db.session.scalar(select(Invitation).where(Invitation.edition_id == a.planned.id))
    assert [s.show_id for s in invitation.shows] == [a.shows[0].id]  # only shows of the programme count


def test_coordinator_removes_people_by_hand_before_sending(app, world, client):
    a = world.a
    extra = [factories.programmer(a.network, a.coordinator, a.venue, last_name=f"Liste{i}") for i in range(3)]
    db.session.commit()
    sign_in(client, a.coordinator)
    board = client.get(f"/editions/{a.planned.id}/invitations").get_data(as_text=True)
    assert "Décochez les personnes à ne pas inviter" in board
    kept = [a.programmers[1].id, extra[0].id]
    data = {"listed": "1", "people": [str(i) for i in kept]}
    post_form(client, f"/editions/{a.planned.id}/invitations", data, token_from="/account/password")
    invited = set(
        db.session.scalars(select(Invitation.programmer_id).where(Invitation.edition_id == a.planned.id))
    )
    assert invited == {a.programmers[0].id, *kept}


def test_a_reminder_goes_once_two_days_before_to_those_coming_with_working_links(app, world):
    import re

    import time_machine

    from crm.invitations.models import InvitationDay
    from crm.scheduler import run_due

    a = world.a
    coming = services.by_token(a.invitation_token, now=datetime(2027, 1, 1, tzinfo=UTC))
    coming.answer = Answer.COMING
    coming.days = [InvitationDay(day=a.planned.starts_on)]
    declined = factories.invitation(a.planned, a.programmers[1])
    declined.answer = Answer.NOT_COMING
    db.session.commit()
    with time_machine.travel(datetime(2027, 3, 1, 10, tzinfo=UTC), tick=False):
        assert run_due().get("reminders", 0) == 0  # three days before: not yet
    with time_machine.travel(datetime(2027, 3, 2, 10, tzinfo=UTC), tick=False):
        assert run_due()["reminders"] == 1
        assert run_due().get("reminders", 0) == 0  # once
    [reminder] = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject.startswith("Rappel"))
    ).all()
    assert reminder.programmer_id == a.programmers[0].id and "jeudi 4 mars" in reminder.body_text
    assert f"/programme/{a.planned.slug}" in reminder.body_text
    rsvp = re.search(r"http://127.0.0.1:5000(/rsvp/\S+)", reminder.body_text).group(1)
    with time_machine.travel(datetime(2027, 3, 2, 10, tzinfo=UTC), tick=False):
        assert app.test_client().get(rsvp).status_code == 200
        assert app.test_client().get(rsvp + "x").status_code == 404
