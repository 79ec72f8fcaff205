"""What each edition waits for from its coordinator: its stage, and what is missing to move on.

A fixed number of grouped queries answers for any number of editions (one per kind of count).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from crm.base.extensions import db
from crm.checkin.models import Attendance
from crm.followups.models import Sequence, Task
from crm.invitations.models import Invitation
from crm.showcase.models import (
    Assignment,
    Edition,
    EditionStatus,
    EditionVenue,
    Registration,
    RegistrationStatus,
    Slot,
    SlotStatus,
)

STAGES = list(EditionStatus)


@dataclass
class Todo:
    text: str
    endpoint: str
    args: dict = field(default_factory=dict)
    ready: bool = False  # nothing is missing: this is the step to take

    @property
    def url(self) -> str:
        return url_for(self.endpoint, **{k: v for k, v in self.args.items() if v is not None})


@dataclass
class Checklist:
    edition: Edition
    todos: list[Todo]

    @property
    def stages(self) -> list[tuple[EditionStatus, str]]:
        """Each stage with 'done', 'current' or 'later'."""
        at = STAGES.index(self.edition.status)
        return [(s, "done" if i < at else "current" if i == at else "later") for i, s in enumerate(STAGES)]


def _grouped(query) -> dict:
    found = defaultdict(dict)
    for edition_id, key, n in db.session.execute(query):
        found[edition_id][key] = n
    return found


def _counts(ids) -> dict:
    def per_edition(query):
        return dict(db.session.execute(query).all())

    free_slot = ~select(Assignment.id).where(Assignment.slot_id == Slot.id).exists()
    placed = (
        select(Assignment.id)
        .join(Slot, Slot.id == Assignment.slot_id)
        .where(Assignment.registration_id == Registration.id, Slot.status == SlotStatus.PLANNED)
        .exists()
    )
    planned = Slot.status == SlotStatus.PLANNED
    return {
        "registrations": _grouped(
            select(Registration.edition_id, Registration.status, func.count())
            .where(Registration.edition_id.in_(ids))
            .group_by(Registration.edition_id, Registration.status)
        ),
        "slots": per_edition(
            select(Slot.edition_id, func.count())
            .where(Slot.edition_id.in_(ids), planned)
            .group_by(Slot.edition_id)
        ),
        "free_slots": per_edition(
            select(Slot.edition_id, func.count())
            .where(Slot.edition_id.in_(ids), planned, free_slot)
            .group_by(Slot.edition_id)
        ),
        "unplaced": per_edition(
            select(Registration.edition_id, func.count())
            .where(
                Registration.edition_id.in_(ids),
                Registration.status == RegistrationStatus.ACCEPTED,
                ~placed,
            )
            .group_by(Registration.edition_id)
        ),
        "venues": per_edition(
            select(EditionVenue.edition_id, func.count())
            .where(EditionVenue.edition_id.in_(ids))
            .group_by(EditionVenue.edition_id)
        ),
        "invitations": _grouped(
            select(Invitation.edition_id, Invitation.answer.is_(None), func.count())
            .where(Invitation.edition_id.in_(ids))
            .group_by(Invitation.edition_id, Invitation.answer.is_(None))
        ),
        "present": per_edition(
            select(Slot.edition_id, func.count(Attendance.id))
            .join(Attendance, Attendance.slot_id == Slot.id)
            .where(Slot.edition_id.in_(ids))
            .group_by(Slot.edition_id)
        ),
        "sequences": per_edition(
            select(Sequence.edition_id, Sequence.activated_at).where(Sequence.edition_id.in_(ids))
        ),
        "open_tasks": per_edition(
            select(Task.edition_id, func.count())
            .where(Task.edition_id.in_(ids), Task.done_at.is_(None))
            .group_by(Task.edition_id)
        ),
    }


def checklists(editions, *, today: date) -> list[Checklist]:
    """Each edition's checklist, in the order given."""
    ids = [e.id for e in editions]
    counts = _counts(ids) if ids else defaultdict(dict)
    return [Checklist(e, _todos(e, counts, today)) for e in editions]


def _todos(edition, counts, today) -> list[Todo]:
    status = edition.status
    at = {"edition_id": edition.id}
    registrations = counts["registrations"].get(edition.id, {})
    submitted = registrations.get(RegistrationStatus.SUBMITTED, 0)
    slots = counts["slots"].get(edition.id, 0)
    free = counts["free_slots"].get(edition.id, 0)
    unplaced = counts["unplaced"].get(edition.id, 0)
    invitations = counts["invitations"].get(edition.id, {})
    unanswered, answered = invitations.get(True, 0), invitations.get(False, 0)
    todos = []

    def add(text, endpoint, **args):
        todos.append(Todo(text, endpoint, {**at, **args}))

    def ready(text):
        todos.append(Todo(text, "showcase.edition", at, ready=True))

    if status == EditionStatus.DRAFT:
        if not edition.registration_closes_on:
            add(_("Fixez la date de clôture des candidatures"), "showcase.edition_rules")
        if not edition.formats:
            add(
                _("Choisissez au moins un format (spectacle en entier ou présentation courte)"),
                "showcase.edition_rules",
            )
        if not counts["venues"].get(edition.id):
            add(_("Choisissez les lieux"), "showcase.edition_venues")
        if not todos:
            ready(_("Tout est prêt : ouvrez les candidatures"))
    elif status == EditionStatus.REGISTRATIONS_OPEN:
        if submitted:
            add(ngettext("%(num)d candidature à examiner", "%(num)d candidatures à examiner", submitted),
                "showcase.review", status="submitted")  # fmt: skip
        closes = edition.registration_closes_on
        if closes and closes < today:
            ready(_("La clôture des candidatures était le %(d)s : fermez-les", d=closes.strftime("%d/%m")))
    elif status == EditionStatus.REGISTRATIONS_CLOSED:
        if submitted:
            add(ngettext("%(num)d candidature à examiner", "%(num)d candidatures à examiner", submitted),
                "showcase.review", status="submitted")  # fmt: skip
        if not slots:
            add(_("Créez les créneaux"), "showcase.grid")
        if unplaced:
            add(
                ngettext(
                    "%(num)d spectacle retenu sans créneau",
                    "%(num)d spectacles retenus sans créneau",
                    unplaced,
                ),
                "showcase.grid",
            )
        if free:
            add(
                ngettext("%(num)d créneau sans spectacle", "%(num)d créneaux sans spectacle", free),
                "showcase.grid",
            )
        if not todos:
            ready(_("Le programme est complet : publiez-le"))
    elif status == EditionStatus.PUBLISHED:
        if not (unanswered or answered):
            add(_("Invitez les programmateur·rices"), "invitations.board")
        elif unanswered:
            add(ngettext("%(num)d invitation sans réponse", "%(num)d invitations sans réponse", unanswered),
                "invitations.board")  # fmt: skip
        if free:
            add(
                ngettext("%(num)d créneau sans spectacle", "%(num)d créneaux sans spectacle", free),
                "showcase.grid",
            )
        if edition.ends_on < today:
            ready(_("L'édition a eu lieu : marquez-la comme passée"))
    elif status in (EditionStatus.HELD, EditionStatus.FOLLOW_UP):
        launched = counts["sequences"].get(edition.id) is not None
        if not counts["present"].get(edition.id):
            add(_("Personne n'est pointé présent : pointez les présent·es"), "checkin.slots")
        elif not launched:  # launching it moves the edition on to its follow-up
            add(_("Suivi prêt à lancer"), "followups.dashboard_page")
        tasks = counts["open_tasks"].get(edition.id, 0)
        if tasks:
            add(ngettext("%(num)d tâche de suivi ouverte", "%(num)d tâches de suivi ouvertes", tasks),
                "followups.tasks", edition_id=None)  # fmt: skip
    return todos
