"""Imports every model so the metadata (and Alembic's autogenerate) knows every table."""

from crm.accounts.models import RecoveryCode, User, UserSession
from crm.api.models import ApiToken
from crm.base.ratelimit import RateHit
from crm.base.stamps import ChangeStamp
from crm.calendar.models import Subscription
from crm.checkin.models import Attendance
from crm.contacts.models import Organisation, Programmer, ProgrammerDiscipline
from crm.cooperation.models import (
    BudgetLine,
    BudgetShare,
    Commission,
    CommissionDepartement,
    CommissionMember,
    CommissionTask,
    EditionBudget,
    HostProposal,
    VolunteerEntry,
    VolunteerRate,
)
from crm.federation.models import BarometerConsent, BarometerFigures
from crm.followups.models import (
    Answer,
    Enrolment,
    Interaction,
    PairStop,
    Sequence,
    Step,
    StepRun,
    Task,
)
from crm.impact.models import BoxOffice, EditionFootprint, Outcome, OutcomeDate, OutcomeEvent
from crm.imports.models import ImportFile
from crm.invitations.models import Invitation, InvitationDay, InvitationShow
from crm.mail.models import DeliveryAttempt, InboundMessage, MailSuppression, OutboxMessage
from crm.meetings.models import Meeting, MeetingCompany, MeetingProgrammer, MeetingSession, MeetingWish
from crm.networks.models import Network
from crm.showcase.models import (
    Assignment,
    Edition,
    EditionDiscipline,
    EditionVenue,
    Registration,
    RegistrationBand,
    Show,
    Slot,
    TimeBand,
)
from crm.webhooks.models import WebhookAttempt, WebhookEndpoint, WebhookMessage

__all__ = [
    "ApiToken",
    "BarometerConsent",
    "BarometerFigures",
    "BudgetLine",
    "BudgetShare",
    "Commission",
    "CommissionDepartement",
    "CommissionMember",
    "CommissionTask",
    "HostProposal",
    "VolunteerEntry",
    "VolunteerRate",
    "EditionBudget",
    "EditionFootprint",
    "BoxOffice",
    "Outcome",
    "OutcomeDate",
    "OutcomeEvent",
    "Answer",
    "DeliveryAttempt",
    "Enrolment",
    "Interaction",
    "PairStop",
    "Sequence",
    "Step",
    "Subscription",
    "StepRun",
    "Task",
    "Assignment",
    "Attendance",
    "Edition",
    "EditionDiscipline",
    "EditionVenue",
    "ImportFile",
    "InboundMessage",
    "Invitation",
    "InvitationDay",
    "InvitationShow",
    "MailSuppression",
    "Meeting",
    "MeetingCompany",
    "MeetingProgrammer",
    "MeetingSession",
    "MeetingWish",
    "Network",
    "Organisation",
    "OutboxMessage",
    "Programmer",
    "RateHit",
    "ChangeStamp",
    "RecoveryCode",
    "ProgrammerDiscipline",
    "Registration",
    "RegistrationBand",
    "Show",
    "Slot",
    "TimeBand",
    "User",
    "UserSession",
    "WebhookAttempt",
    "WebhookEndpoint",
    "WebhookMessage",
]
