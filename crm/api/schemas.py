"""The API's shapes: each validates what comes in and describes it in the OpenAPI document."""

from datetime import date

from marshmallow import Schema, ValidationError, fields, validate

from crm.base.enums import Discipline
from crm.contacts.models import LawfulBasis
from crm.impact.models import OutcomeKind, OutcomeStatus
from crm.invitations.models import Answer
from crm.meetings.models import MeetingOutcome
from crm.showcase.models import EditionStatus, RegistrationStatus, ShowFormat, SlotStatus

MAX_ID = 2**31 - 1  # what an id column holds: a larger number names nothing
CURRENCIES = ("EUR", "CHF", "GBP", "USD", "CAD")  # the booking form's


def _enum(cls, **kwargs):
    return fields.Enum(cls, by_value=True, **kwargs)


def Id(strict=True, **kwargs):  # noqa: N802 - a field, named as the others are
    """An id that a row could have: in a body an integer (not "4", not 4.5); in a query string, digits."""
    return fields.Integer(strict=strict, validate=validate.Range(1, MAX_ID), **kwargs)


def QueryId(**kwargs):  # noqa: N802
    return Id(strict=False, **kwargs)


class Text(fields.String):
    """Text as a person typed it: spaces around dropped, control characters refused."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if any(ord(c) < 32 and c not in "\n\t" for c in text):
            raise ValidationError("Control characters are not allowed.")
        return text


# --- Query strings ------------------------------------------------------------------------------------


class PageArgs(Schema):
    limit = fields.Integer(
        load_default=50, validate=validate.Range(1, 200), metadata={"description": "1 to 200"}
    )
    cursor = fields.String(metadata={"description": "`next_cursor` of the previous page"})
    updated_since = fields.DateTime(
        metadata={"description": "Only what was created or changed since then (ISO 8601; UTC if no offset)"}
    )


class EditionArgs(PageArgs):
    status = _enum(EditionStatus)


class ByEditionArgs(PageArgs):
    edition = QueryId(metadata={"description": "An edition's id"})


class RegistrationArgs(ByEditionArgs):
    status = _enum(RegistrationStatus)
    company = QueryId()


class SlotArgs(ByEditionArgs):
    status = _enum(SlotStatus)
    venue = QueryId()


class CompanyArgs(PageArgs):
    q = fields.String(
        validate=validate.Length(max=100), metadata={"description": "Words of the name or town"}
    )
    departement = fields.String(validate=validate.Length(max=3))


class ProgrammerArgs(PageArgs):
    q = fields.String(
        validate=validate.Length(max=100), metadata={"description": "Name, e-mail, structure, town"}
    )
    departement = fields.String(validate=validate.Length(max=3))
    region = fields.String(validate=validate.Length(max=8))
    discipline = _enum(Discipline)
    audience = fields.String(validate=validate.OneOf(["young", "all"]))


class AttendanceArgs(ByEditionArgs):
    slot = QueryId()
    programmer = QueryId()


class InvitationArgs(ByEditionArgs):
    answer = _enum(Answer)
    programmer = QueryId()


class BookingArgs(ByEditionArgs):
    company = QueryId()
    status = _enum(OutcomeStatus)
    kind = _enum(OutcomeKind)


class ShowArgs(PageArgs):
    company = QueryId()


class StructureArgs(PageArgs):
    q = fields.String(
        validate=validate.Length(max=100), metadata={"description": "Words of the name or town"}
    )
    venues = fields.Boolean(metadata={"description": "Only the venues (true) or the others (false)"})
    departement = fields.String(validate=validate.Length(max=3))


class ReportArgs(Schema):
    edition = QueryId(metadata={"description": "One edition; all held ones when absent"})


class NoArgs(Schema):
    """A route that takes no query parameter (one given is refused)."""


class PublicPageArgs(Schema):
    limit = PageArgs._declared_fields["limit"]
    cursor = PageArgs._declared_fields["cursor"]


# --- What the API answers -----------------------------------------------------------------------------


class NetworkSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    slug = fields.String()


class EditionSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    slug = fields.String()
    status = _enum(EditionStatus)
    starts_on = fields.Date()
    ends_on = fields.Date()
    description = fields.String(allow_none=True)
    registration_opens_on = fields.Date(allow_none=True)
    registration_closes_on = fields.Date(allow_none=True)
    offers_full = fields.Boolean()
    offers_pitch = fields.Boolean()
    published_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class RegistrationSchema(Schema):
    id = fields.Integer()
    edition_id = fields.Integer()
    company_id = fields.Integer()
    show_id = fields.Integer()
    format = _enum(ShowFormat)
    status = _enum(RegistrationStatus)
    cast_size = fields.Integer()
    max_slots = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class SlotSchema(Schema):
    id = fields.Integer()
    edition_id = fields.Integer()
    venue_id = fields.Integer()
    format = _enum(ShowFormat)
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    status = _enum(SlotStatus)
    registration_id = fields.Integer(
        allow_none=True, metadata={"description": "The registration assigned to the slot"}
    )
    updated_at = fields.DateTime()


class CompanySchema(Schema):
    id = fields.Integer()
    name = fields.String()
    address = fields.String(allow_none=True)
    postcode = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    commune_code = fields.String(allow_none=True, metadata={"description": "INSEE code of the commune"})
    departement_code = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    website = fields.String(allow_none=True)
    member_since = fields.Date(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ProgrammerSchema(Schema):
    id = fields.Integer()
    first_name = fields.String()
    last_name = fields.String()
    email = fields.String()
    phone = fields.String(allow_none=True)
    organisation_id = fields.Integer(allow_none=True)
    job_title = fields.String(allow_none=True)
    departement_code = fields.String(allow_none=True)
    disciplines = fields.List(_enum(Discipline))
    wants_young = fields.Boolean()
    wants_all = fields.Boolean()
    language = fields.String()
    opted_out_at = fields.DateTime(allow_none=True, metadata={"description": "Objected: never written to"})
    erased_at = fields.DateTime(
        allow_none=True, metadata={"description": "Erased on request: drop your copy"}
    )
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class AttendanceSchema(Schema):
    id = fields.Integer()
    slot_id = fields.Integer()
    programmer_id = fields.Integer()
    checked_in_at = fields.DateTime()


class InvitationSchema(Schema):
    id = fields.Integer()
    edition_id = fields.Integer()
    programmer_id = fields.Integer()
    sent_at = fields.DateTime()
    answer = _enum(Answer, allow_none=True)
    answered_at = fields.DateTime(allow_none=True)
    days = fields.List(fields.Date(), metadata={"description": "The days they said they would come"})
    show_ids = fields.List(fields.Integer(), metadata={"description": "Shows they said interest them"})


class BookingDateSchema(Schema):
    on = fields.Date(required=True, validate=validate.Range(date(2000, 1, 1), date(2100, 12, 31)))
    venue = Text(allow_none=True, validate=validate.Length(max=160))
    town = Text(allow_none=True, validate=validate.Length(max=100))
    departement_code = Text(allow_none=True, validate=validate.Length(max=3))


class BookingSchema(Schema):
    id = fields.Integer()
    company_id = fields.Integer()
    show_id = fields.Integer()
    programmer_id = fields.Integer(allow_none=True)
    organisation_id = fields.Integer(allow_none=True)
    edition_id = fields.Integer(allow_none=True)
    meeting_id = fields.Integer(allow_none=True)
    attribution_confirmed = fields.Boolean()
    kind = _enum(OutcomeKind)
    status = _enum(OutcomeStatus)
    fee_per_performance = fields.Decimal(
        as_string=True,
        allow_none=True,
        metadata={"type": "string", "description": 'Excluding VAT, e.g. "1200.50"'},
    )
    currency = fields.String()
    decided_on = fields.Date()
    dates = fields.List(fields.Nested(BookingDateSchema))
    note = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ShowSchema(Schema):
    id = fields.Integer()
    company_id = fields.Integer()
    title = fields.String()
    discipline = _enum(Discipline)
    audience = fields.String()
    min_age = fields.Integer(allow_none=True)
    duration_minutes = fields.Integer()
    cast_size = fields.Integer()
    video_url = fields.String(allow_none=True)
    summary = fields.String(allow_none=True)
    created_at = fields.DateTime()


class StructureSchema(Schema):
    """A structure: a theatre, a library, a festival… (a programmer's `organisation_id`); a venue when
    `is_venue` (a slot's `venue_id`)."""

    id = fields.Integer()
    name = fields.String()
    structure_type = fields.String(allow_none=True)
    is_venue = fields.Boolean()
    address = fields.String(allow_none=True)
    postcode = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    commune_code = fields.String(allow_none=True, metadata={"description": "INSEE code of the commune"})
    departement_code = fields.String(allow_none=True)
    capacity = fields.Integer(allow_none=True)
    website = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class MeetingSchema(Schema):
    id = fields.Integer()
    round = fields.Integer()
    table = fields.Integer(attribute="table_number")
    company_id = fields.Integer()
    programmer_id = fields.Integer()
    outcome = _enum(MeetingOutcome, allow_none=True)


class MeetingSessionSchema(Schema):
    id = fields.Integer()
    edition_id = fields.Integer()
    venue_id = fields.Integer()
    name = fields.String()
    day = fields.Date()
    starts = fields.Time()
    rounds = fields.Integer()
    round_minutes = fields.Integer()
    tables = fields.Integer()
    published_at = fields.DateTime(allow_none=True)


class MeetingSessionDetailSchema(MeetingSessionSchema):
    meetings = fields.List(fields.Nested(MeetingSchema), metadata={"description": "Once published"})


class ReportSchema(Schema):
    editions = fields.List(fields.Integer())
    figures = fields.Dict(
        keys=fields.String(), metadata={"description": "The impact report's figures, as on its page"}
    )


def page_of(item: type[Schema]) -> type[Schema]:
    """The envelope of a list: its items and the cursor of the next page (null on the last)."""
    name = item.__name__.removesuffix("Schema") + "PageSchema"
    return Schema.from_dict(
        {"items": fields.List(fields.Nested(item)), "next_cursor": fields.String(allow_none=True)}, name=name
    )


# --- What the API accepts -----------------------------------------------------------------------------


class ProgrammerInput(Schema):
    first_name = Text(required=True, validate=validate.Length(min=1, max=80))
    last_name = Text(required=True, validate=validate.Length(min=1, max=80))
    email = Text(required=True, validate=validate.Length(max=254))
    phone = Text(allow_none=True, validate=validate.Length(max=30))
    organisation_id = Id(allow_none=True)
    job_title = Text(allow_none=True, validate=validate.Length(max=120))
    departement_code = Text(allow_none=True, validate=validate.Length(max=3))
    disciplines = fields.List(_enum(Discipline))
    wants_young = fields.Boolean()
    wants_all = fields.Boolean()
    lawful_basis = _enum(LawfulBasis)


class ProgrammerPatch(ProgrammerInput):
    first_name = Text(validate=validate.Length(min=1, max=80))
    last_name = Text(validate=validate.Length(min=1, max=80))
    email = Text(validate=validate.Length(max=254))


class BookingInput(Schema):
    company_id = Id(required=True)
    show_id = Id(required=True)
    programmer_id = Id(allow_none=True, metadata={"description": "The person, or give `programmer_email`"})
    programmer_email = Text(allow_none=True, validate=validate.Length(max=254))
    edition_id = Id(
        allow_none=True, metadata={"description": "When absent: the edition where the person saw the show"}
    )
    meeting_id = Id(allow_none=True)
    kind = _enum(OutcomeKind, required=True)
    status = _enum(OutcomeStatus, required=True)
    decided_on = fields.Date(required=True)
    fee = fields.String(
        allow_none=True,
        validate=validate.Length(max=20),
        metadata={"description": "Per performance, excluding VAT: 1200 or 1200.50 or 1200,50"},
    )
    currency = fields.String(load_default="EUR", validate=validate.OneOf(CURRENCIES))
    dates = fields.List(fields.Nested(BookingDateSchema), load_default=list, validate=validate.Length(max=30))
    attribution_confirmed = fields.Boolean(load_default=False)
    note = Text(allow_none=True, validate=validate.Length(max=2000))


class AttendanceInput(Schema):
    slot_id = Id(required=True)
    programmer_id = Id(required=True)


# --- The public programme (the same JSON as /programme/<slug>.json) -----------------------------------


class ProgrammeEditionSchema(Schema):
    name = fields.String()
    slug = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    network = fields.String()


class ProgrammeVenueSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    address = fields.String(allow_none=True)
    postcode = fields.String(allow_none=True)
    city = fields.String(allow_none=True)


class ProgrammeShowSchema(Schema):
    title = fields.String()
    discipline = _enum(Discipline)
    audience = fields.String()
    min_age = fields.Integer(allow_none=True)
    duration_minutes = fields.Integer()
    video_url = fields.String(allow_none=True)


class ProgrammeCompanySchema(Schema):
    name = fields.String()
    city = fields.String(allow_none=True)


class ProgrammeSlotSchema(Schema):
    id = fields.Integer()
    starts_at = fields.DateTime(metadata={"description": "Local time, with its offset"})
    ends_at = fields.DateTime()
    venue_id = fields.Integer()
    status = _enum(SlotStatus)
    format = _enum(ShowFormat)
    show = fields.Nested(ProgrammeShowSchema)
    company = fields.Nested(ProgrammeCompanySchema)


class ProgrammeSchema(Schema):
    edition = fields.Nested(ProgrammeEditionSchema)
    venues = fields.List(fields.Nested(ProgrammeVenueSchema))
    slots = fields.List(fields.Nested(ProgrammeSlotSchema))


class PublishedEditionSchema(Schema):
    name = fields.String()
    slug = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    network = fields.String(attribute="network.name")
    url = fields.String(metadata={"description": "Its programme in this API"})


class ProblemFieldSchema(Schema):
    field = fields.String(metadata={"description": "The field of the query or of the body"})
    detail = fields.String()


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.List(
        fields.Nested(ProblemFieldSchema), metadata={"description": "What each field was refused for"}
    )
    existing = fields.String(metadata={"description": "A conflict: the URL of the record already there"})
