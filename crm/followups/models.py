"""The shared follow-up after an edition: a sequence of steps, the people enrolled in it, one row per
person and step (the scheduler executes those rows), the tasks it hands out, the answers people give,
and the interaction log every company shares."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    exists,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.base.database import UTCDateTime, utcnow
from crm.base.enums import LabelledEnum, enum_column
from crm.base.extensions import db
from crm.contacts.duplicates import REFERENCES
from crm.contacts.models import Programmer
from crm.contacts.registry import ACTIVITY, FILTERS


class StepKind(LabelledEnum):
    MESSAGE = "message", _l("Message regroupé aux programmateur·rices")
    COMPANY_TASK = "company_task", _l("Tâche pour chaque compagnie vue ou rencontrée")
    COORDINATION_TASK = "coordination_task", _l("Tâche pour la coordination")


class Path(LabelledEnum):
    """Who a step is for: those who came, or those who said yes and did not come."""

    ATTENDED = "attended", _l("Venu·es")
    MISSED = "missed", _l("Inscrit·es mais absent·es")


class Action(LabelledEnum):
    CALL = "call", _l("Appeler")
    SEND_FILE = "send_file", _l("Envoyer le dossier")
    INVITE = "invite", _l("Inviter à une représentation")
    REPLY = "reply", _l("Répondre à son e-mail")
    OTHER = "other", _l("Autre")


class Choice(LabelledEnum):
    """A programmer's one-click answer about one show."""

    BOOK = "book", _l("Je souhaite le programmer")
    FILE = "file", _l("Envoyez-moi le dossier complet")
    NOT_THIS_SEASON = "not_this_season", _l("Pas cette saison")


class RunState(LabelledEnum):
    PENDING = "pending", _l("À venir")
    DONE = "done", _l("Fait")
    SKIPPED = "skipped", _l("Sauté")


class Result(LabelledEnum):
    REACHED = "reached", _l("Joint·e")
    LEFT_MESSAGE = "left_message", _l("Message laissé")
    INTERESTED = "interested", _l("Intéressé·e")
    NOT_INTERESTED = "not_interested", _l("Pas intéressé·e")
    BOOKED = "booked", _l("Date obtenue")


class InteractionKind(LabelledEnum):
    CALL = "call", _l("Appel")
    EMAIL = "email", _l("E-mail")
    MEETING = "meeting", _l("Rendez-vous")
    NOTE = "note", _l("Note")
    MESSAGE = "message", _l("Message du suivi commun")
    ANSWER = "answer", _l("Réponse en un clic")
    REPLY = "reply", _l("Réponse par e-mail")
    AUTO_REPLY = "auto_reply", _l("Réponse automatique")

    @classmethod
    def logged_by_hand(cls):
        return [cls.CALL, cls.EMAIL, cls.MEETING, cls.NOTE]


class Sequence(db.Model):
    """An edition's follow-up: made from the default template, edited, then activated."""

    __tablename__ = "followup_sequences"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), unique=True)
    max_calls_per_week: Mapped[int] = mapped_column(Integer, default=2)
    activated_at = mapped_column(UTCDateTime)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    edition = relationship("Edition")
    steps = relationship(
        "Step",
        cascade="all, delete-orphan",
        order_by="(Step.offset_days, Step.id)",
        back_populates="sequence",
    )


class Step(db.Model):
    __tablename__ = "followup_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    sequence_id: Mapped[int] = mapped_column(
        ForeignKey("followup_sequences.id", ondelete="CASCADE"), index=True
    )
    offset_days: Mapped[int] = mapped_column(Integer)
    kind: Mapped[StepKind] = mapped_column(enum_column(StepKind, 20))
    path: Mapped[Path] = mapped_column(enum_column(Path, 10))
    action: Mapped[Action | None] = mapped_column(enum_column(Action, 10))
    title: Mapped[str] = mapped_column(String(160))
    subject_fr: Mapped[str | None] = mapped_column(String(200))
    body_fr: Mapped[str | None] = mapped_column(Text)
    subject_en: Mapped[str | None] = mapped_column(String(200))
    body_en: Mapped[str | None] = mapped_column(Text)

    sequence = relationship("Sequence", back_populates="steps")


class Enrolment(db.Model):
    """One programmer in one edition's follow-up; stopped for good by an answer, an objection, a bounce."""

    __tablename__ = "followup_enrolments"
    __table_args__ = (UniqueConstraint("sequence_id", "programmer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sequence_id: Mapped[int] = mapped_column(
        ForeignKey("followup_sequences.id", ondelete="CASCADE"), index=True
    )
    programmer_id: Mapped[int] = mapped_column(ForeignKey("programmers.id", ondelete="CASCADE"), index=True)
    path: Mapped[Path] = mapped_column(enum_column(Path, 10))
    enrolled_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    answered_at = mapped_column(UTCDateTime)
    stopped_at = mapped_column(UTCDateTime)
    stop_reason: Mapped[str | None] = mapped_column(String(30))
    # Raised when a coordinator revokes the person's links (a forwarded message): older links stop.
    link_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    sequence = relationship("Sequence")
    programmer = relationship("Programmer")


class PairStop(db.Model):
    """The follow-up of one company with one programmer is over (an answer or a booking about it)."""

    __tablename__ = "followup_pair_stops"

    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("followup_enrolments.id", ondelete="CASCADE"), primary_key=True
    )
    company_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    reason: Mapped[str] = mapped_column(String(30))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class StepRun(db.Model):
    """One step for one programmer: created at enrolment, executed once by the scheduler's tick."""

    __tablename__ = "followup_step_runs"
    __table_args__ = (
        UniqueConstraint("step_id", "enrolment_id"),
        Index("ix_followup_step_runs_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("followup_steps.id", ondelete="CASCADE"), index=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("followup_enrolments.id", ondelete="CASCADE"), index=True
    )
    due_at = mapped_column(UTCDateTime, nullable=False)
    state: Mapped[RunState] = mapped_column(enum_column(RunState, 10), default=RunState.PENDING)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    done_at = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(String(200))

    step = relationship("Step")
    enrolment = relationship("Enrolment")


class Answer(db.Model):
    __tablename__ = "followup_answers"
    __table_args__ = (UniqueConstraint("enrolment_id", "show_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("followup_enrolments.id", ondelete="CASCADE"), index=True
    )
    show_id: Mapped[int] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    choice: Mapped[Choice] = mapped_column(enum_column(Choice, 20))
    answered_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    enrolment = relationship("Enrolment")
    show = relationship("Show")


class Task(db.Model):
    """Something a company's person in charge (or the coordination, when no company) has to do."""

    __tablename__ = "followup_tasks"
    __table_args__ = (
        Index("ix_followup_tasks_assignee_due", "assignee_id", "done_at", "due_on"),
        Index("ix_followup_tasks_edition_company", "edition_id", "company_id"),
        Index("ix_followup_tasks_programmer_due", "programmer_id", "due_on"),
        Index("ix_followup_tasks_network_coordination", "network_id", "company_id", "done_at", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id"), index=True)
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"))
    enrolment_id: Mapped[int | None] = mapped_column(
        ForeignKey("followup_enrolments.id", ondelete="SET NULL"), index=True
    )
    step_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("followup_step_runs.id", ondelete="SET NULL"), index=True
    )
    programmer_id: Mapped[int] = mapped_column(ForeignKey("programmers.id", ondelete="CASCADE"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[Action] = mapped_column(enum_column(Action, 10))
    title: Mapped[str] = mapped_column(String(200))
    due_on = mapped_column(Date, nullable=False)
    done_at = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    result: Mapped[Result | None] = mapped_column(enum_column(Result, 20))
    result_note: Mapped[str | None] = mapped_column(Text)
    # For a "reply" task: the e-mail the person sent (its text is shown, the answer goes in its thread).
    inbound_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("inbound_messages.id", ondelete="SET NULL"), index=True
    )
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    programmer = relationship("Programmer")
    company = relationship("Organisation")
    inbound_message = relationship("InboundMessage")
    assignee = relationship("User", foreign_keys=[assignee_id])
    edition = relationship("Edition")


class Interaction(db.Model):
    """A line of a programmer's shared timeline; a note marked private stays within its company."""

    __tablename__ = "interactions"
    __table_args__ = (
        Index("ix_interactions_programmer_when", "programmer_id", "occurred_at"),
        Index("ix_interactions_edition_programmer", "edition_id", "programmer_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id"), index=True)
    programmer_id: Mapped[int] = mapped_column(ForeignKey("programmers.id", ondelete="CASCADE"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("editions.id", ondelete="SET NULL"))
    kind: Mapped[InteractionKind] = mapped_column(enum_column(InteractionKind, 10))
    result: Mapped[Result | None] = mapped_column(enum_column(Result, 20))
    summary: Mapped[str] = mapped_column(Text, default="")
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    occurred_at = mapped_column(UTCDateTime, nullable=False)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    company = relationship("Organisation")
    user = relationship("User")


REFERENCES.append((Enrolment, "programmer_id", "sequence_id"))


def _took_part(since):
    """An answer, or an exchange in which the person was reached."""
    reached = [Result.REACHED, Result.INTERESTED, Result.NOT_INTERESTED, Result.BOOKED]
    return select(Interaction.programmer_id).where(
        Interaction.occurred_at >= since,
        or_(Interaction.kind == InteractionKind.ANSWER, Interaction.result.in_(reached)),
    )


ACTIVITY.append(_took_part)
REFERENCES.append((Task, "programmer_id", None))
REFERENCES.append((Interaction, "programmer_id", None))

# Last contact (shared log, private notes aside): within N days, or not for N days (never included).
CONTACTED = {"30": 30, "90": 90, "not_90": -90, "not_365": -365, "never": None}


def _last_contact(choice):
    """The directory's "last contact" filter: contacted within N days, not for N days, or never."""
    if choice not in CONTACTED:
        return None
    days = CONTACTED[choice]
    # Correlated EXISTS: the (programmer, date) index answers it for each person, whatever the log's size.
    shared = [Interaction.programmer_id == Programmer.id, Interaction.private.is_(False)]
    if days is None:
        return ~exists().where(*shared)
    recent = exists().where(*shared, Interaction.occurred_at >= utcnow() - timedelta(days=abs(days)))
    return recent if days > 0 else ~recent


FILTERS["contacted"] = _last_contact
