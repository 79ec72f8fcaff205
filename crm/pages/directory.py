"""The directory and a person's page: contacts' records with what every feature knows of the person
(the editions they were invited to and came to, the shared log of exchanges). Composed here, above the
features, so that the directory itself imports none of them. The routes stay the directory's."""

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import func, select

from crm.base.database import get_in_network_or_404
from crm.base.enums import Audience, Discipline, Role
from crm.base.extensions import db
from crm.base.geo import departements_in_use_first, regions
from crm.base.permissions import allow
from crm.base.views import paginate
from crm.checkin.models import Attendance
from crm.contacts import bp, services
from crm.contacts.models import Programmer, StructureType
from crm.followups.tasks import timeline_query
from crm.invitations.models import Invitation
from crm.showcase.models import Edition, Slot
from crm.showcase.shows import editions_query

TIMELINE = 50  # the most recent exchanges shown on a programmer's page


@bp.get("/programmers")
@allow(Role.COORDINATOR, Role.MEMBER)
def programmers():
    q = request.args.get("q", "")
    filters = {key: request.args.get(key) or None for key in services.DIRECTORY_FILTERS}
    page = paginate(services.programmers_query(current_user.network_id, q, **filters))
    editions = db.session.scalars(editions_query(current_user.network_id).limit(20)).all()
    return render_template(
        "contacts/programmers.html",
        editions=editions,
        page=page,
        q=q,
        filters=filters,
        departements=departements_in_use_first(services.departements_in_use(current_user.network_id)),
        regions=regions(),
        structure_types=StructureType,
        disciplines=Discipline,
        audiences=Audience,
    )


@bp.get("/programmers/<int:programmer_id>")
@allow(Role.COORDINATOR, Role.MEMBER)
def programmer(programmer_id):
    person = get_in_network_or_404(Programmer, programmer_id, current_user.network_id)
    may_edit = services.may_edit_programmer(current_user, person)
    history = programmer_history(person)
    timeline = db.session.scalars(timeline_query(person, current_user).limit(TIMELINE)).unique().all()
    return render_template(
        "contacts/programmer.html", programmer=person, may_edit=may_edit, history=history, timeline=timeline
    )


def programmer_history(programmer) -> list[dict]:
    """The editions a person was invited to and the slots they attended, newest first."""
    invited = dict(
        db.session.execute(
            select(Invitation.edition_id, Invitation.answer).where(Invitation.programmer_id == programmer.id)
        ).all()
    )
    attended = dict(
        db.session.execute(
            select(Slot.edition_id, func.count())
            .join(Attendance, Attendance.slot_id == Slot.id)
            .where(Attendance.programmer_id == programmer.id)
            .group_by(Slot.edition_id)
        ).all()
    )
    ids = set(invited) | set(attended)
    editions = db.session.scalars(
        select(Edition).where(Edition.id.in_(ids)).order_by(Edition.starts_on.desc())
    )
    return [
        {
            "edition": e,
            "answer": invited.get(e.id),
            "invited": e.id in invited,
            "slots": attended.get(e.id, 0),
        }
        for e in editions
    ]
