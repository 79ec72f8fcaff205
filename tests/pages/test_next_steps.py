"""Each edition says what it waits for, on its page and on the coordinator's home."""

from datetime import date, time

from crm.base.extensions import db
from crm.invitations.models import Answer
from crm.pages import next_steps
from crm.showcase import editions, planning
from crm.showcase.models import EditionStatus, Registration, RegistrationStatus, ShowFormat
from tests import factories
from tests.conftest import sign_in

BEFORE = date(2027, 1, 15)  # world A's planned edition runs on 4 and 5 March 2027


def _todos(edition, today=BEFORE):
    db.session.flush()
    return [(t.text, t.endpoint, t.ready) for t in next_steps.checklists([edition], today=today)[0].todos]


def test_a_draft_asks_for_its_closing_date_and_venues_then_to_open(app, world):
    a = world.a
    assert _todos(a.edition) == [
        ("Fixez la date de clôture des candidatures", "showcase.edition_rules", False),
        ("Choisissez les lieux", "showcase.edition_venues", False),
    ]
    factories.open_for_registrations(a)  # dates and venue set, and opened
    a.edition.status = EditionStatus.DRAFT
    assert _todos(a.edition) == [("Tout est prêt : ouvrez les candidatures", "showcase.edition", True)]


def test_open_registrations_count_what_waits_for_review_and_say_when_to_close(app, world):
    a = world.a
    edition = factories.open_for_registrations(a)
    db.session.add(
        Registration(edition_id=edition.id, company_id=a.companies[1].id, show_id=a.shows[1].id,
                     format=ShowFormat.FULL, cast_size=2)
    )  # fmt: skip
    closes = edition.registration_closes_on
    assert _todos(edition, today=closes) == [("1 candidature à examiner", "showcase.review", False)]
    after = _todos(edition, today=date.fromordinal(closes.toordinal() + 1))
    assert after[1] == (
        f"La clôture des candidatures était le {closes:%d/%m} : fermez-les",
        "showcase.edition",
        True,
    )


def test_a_closed_edition_counts_shows_without_slot_and_slots_without_show(app, world):
    a = world.a
    a.planned.status = EditionStatus.REGISTRATIONS_CLOSED
    company = factories.company(a.network, name="Compagnie en attente")
    db.session.add(
        Registration(edition_id=a.planned.id, company_id=company.id, show_id=factories.show(company).id,
                     format=ShowFormat.FULL, status=RegistrationStatus.ACCEPTED, cast_size=2)
    )  # fmt: skip
    for hour in (10, 14):
        planning.create_slot(
            a.planned,
            {
                "venue_id": a.venue.id,
                "day": a.planned.starts_on,
                "starts": time(hour),
                "ends": time(hour + 2),
            },
        )
    assert _todos(a.planned) == [
        ("1 spectacle retenu sans créneau", "showcase.grid", False),
        ("2 créneaux sans spectacle", "showcase.grid", False),
    ]


def test_a_published_edition_counts_unanswered_invitations_then_asks_to_be_marked_held(app, world):
    a = world.a
    assert _todos(a.planned) == [("1 invitation sans réponse", "invitations.board", False)]
    from crm.invitations.models import Invitation

    for invitation in db.session.query(Invitation).filter_by(edition_id=a.planned.id):
        invitation.answer = Answer.COMING
    assert _todos(a.planned, today=date(2027, 3, 6)) == [
        ("L'édition a eu lieu : marquez-la comme passée", "showcase.edition", True)
    ]


def test_a_held_edition_asks_for_check_in_then_for_the_follow_up(app, world):
    a = world.a
    editions.advance(a.planned, EditionStatus.HELD, now=a.planned.published_at)
    assert _todos(a.planned) == [
        ("Personne n'est pointé présent : pointez les présent·es", "checkin.slots", False)
    ]
    from crm.checkin import services as checkin
    from crm.followups import services as followups

    checkin.check_in(a.slot, a.programmers[0], actor=a.coordinator, now=a.planned.published_at)
    assert _todos(a.planned) == [("Suivi prêt à lancer", "followups.dashboard_page", False)]
    followups.activate(followups.sequence_for(a.planned, create=True), now=a.planned.published_at)
    assert a.planned.status == EditionStatus.FOLLOW_UP
    assert _todos(a.planned) == []
    from crm.followups.models import Action, Task

    db.session.add(Task(network_id=a.network.id, edition_id=a.planned.id, programmer_id=a.programmers[0].id,
                        company_id=a.companies[0].id, action=Action.CALL, title="Appeler",
                        due_on=a.planned.ends_on))  # fmt: skip
    assert _todos(a.planned) == [("1 tâche de suivi ouverte", "followups.tasks", False)]


def test_the_edition_page_and_the_home_show_the_checklist_with_links(app, world, client):
    a = world.a
    sign_in(client, a.coordinator)
    page = client.get(f"/editions/{a.edition.id}").get_data(as_text=True)
    assert 'aria-current="step">Brouillon' in page
    assert f'href="/editions/{a.edition.id}/rules">Fixez la date de clôture des candidatures</a>' in page
    home = client.get("/").get_data(as_text=True)
    assert "Ce qui vous attend" in home
    assert f'href="/editions/{a.planned.id}/invitations">1 invitation sans réponse</a>' in home
    assert world.b.planned.name not in home
