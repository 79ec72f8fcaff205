"""The shared dashboard of an edition's follow-up: every figure is an aggregate of the database."""

from sqlalchemy import and_, func, select

from crm.accounts.models import User
from crm.base.extensions import db
from crm.contacts.models import Organisation, Programmer
from crm.followups.models import (
    Action,
    Answer,
    Enrolment,
    Interaction,
    InteractionKind,
    Sequence,
    Task,
)
from crm.followups.tasks import visible_interactions
from crm.showcase.models import Show

LAST_CONTACTS = 3


def _task_counts(edition, today, *group):
    open_ = Task.done_at.is_(None)
    return db.session.execute(
        select(
            *group,
            func.count().filter(open_, Task.due_on == today),
            func.count().filter(open_, Task.due_on < today),
            func.count().filter(open_, Task.due_on > today),
            func.count().filter(Task.done_at.is_not(None)),
        )
        .where(Task.edition_id == edition.id)
        .group_by(*group)
        .order_by(*group)
    ).all()


def tasks_by_company(edition, today):
    rows = _task_counts(edition, today, Task.company_id)
    names = dict(
        db.session.execute(
            select(Organisation.id, Organisation.name).where(
                Organisation.id.in_([r[0] for r in rows if r[0]])
            )
        ).all()
    )
    return sorted(((names.get(r[0]), *r[1:]) for r in rows), key=lambda r: (r[0] is not None, r[0] or ""))


def tasks_by_person(edition, today):
    rows = _task_counts(edition, today, Task.assignee_id)
    names = dict(
        db.session.execute(
            select(User.id, User.full_name).where(User.id.in_([r[0] for r in rows if r[0]]))
        ).all()
    )
    return sorted(((names.get(r[0]), *r[1:]) for r in rows), key=lambda r: (r[0] is not None, r[0] or ""))


def recent_answers(edition, limit=20):

    return db.session.execute(
        select(Programmer, Show.title, Answer.choice, Answer.answered_at, Organisation.name)
        .join(Enrolment, Enrolment.id == Answer.enrolment_id)
        .join(Sequence, Sequence.id == Enrolment.sequence_id)
        .join(Programmer, Programmer.id == Enrolment.programmer_id)
        .join(Show, Show.id == Answer.show_id)
        .join(Organisation, Organisation.id == Answer.company_id)
        .where(Sequence.edition_id == edition.id)
        .order_by(Answer.answered_at.desc(), Answer.id.desc())
        .limit(limit)
    ).all()


def email_replies(edition, limit=10):
    """(people whose e-mail no company has answered yet, the latest replies): two light queries."""
    to_read = db.session.scalar(
        select(func.count(func.distinct(Task.programmer_id))).where(
            Task.edition_id == edition.id, Task.action == Action.REPLY, Task.done_at.is_(None)
        )
    )
    latest = db.session.execute(
        select(Programmer, Interaction.summary, Interaction.occurred_at)
        .join(Programmer, Programmer.id == Interaction.programmer_id)
        .where(Interaction.edition_id == edition.id, Interaction.kind == InteractionKind.REPLY)
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
        .limit(limit)
    ).all()
    return to_read, latest


def people_query(edition):
    """The enrolled people, a page at a time (their last contacts come from `last_contacts`)."""
    return (
        select(Enrolment)
        .join(Sequence, Sequence.id == Enrolment.sequence_id)
        .join(Programmer, Programmer.id == Enrolment.programmer_id)
        .where(Sequence.edition_id == edition.id)
        .options(db.joinedload(Enrolment.programmer).joinedload(Programmer.organisation))
        .order_by(Programmer.last_name, Programmer.first_name, Programmer.id)
    )


def last_contacts(programmer_ids, user) -> dict:
    """{programmer_id: [Interaction, …]}: the last few a user may see, for one page, in one query."""
    if not programmer_ids:
        return {}
    rank = (
        func.row_number()
        .over(
            partition_by=Interaction.programmer_id,
            order_by=(Interaction.occurred_at.desc(), Interaction.id.desc()),
        )
        .label("rank")
    )
    inner = (
        select(Interaction.id, rank)
        .where(Interaction.programmer_id.in_(programmer_ids), visible_interactions(user))
        .subquery()
    )
    rows = db.session.scalars(
        select(Interaction)
        .join(inner, and_(inner.c.id == Interaction.id, inner.c.rank <= LAST_CONTACTS))
        .options(db.joinedload(Interaction.user), db.joinedload(Interaction.company))
        .order_by(Interaction.programmer_id, Interaction.occurred_at.desc(), Interaction.id.desc())
    ).all()
    found = {}
    for row in rows:
        found.setdefault(row.programmer_id, []).append(row)
    return found
