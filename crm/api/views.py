"""The API's routes, /api/v1/: thin, as pages are. Each says who may call it with `@allow`, validates
what it reads with a schema, and goes through the feature's services for what it writes.

Every record is looked up in the token's network; another network's id answers 404, as an unknown one.
"""

import base64
import functools
from datetime import UTC

import flask_smorest
from email_validator import EmailNotValidError, validate_email
from flask import current_app, request, url_for
from flask_babel import gettext as _
from flask_smorest import abort
from sqlalchemy import or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload
from webargs.flaskparser import FlaskParser

from crm.api import http, schemas
from crm.base import rendered
from crm.base.database import utcnow
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.base.geo import departements
from crm.base.permissions import PUBLIC, TOKEN_READ, TOKEN_WRITE, allow
from crm.base.phones import normalise_phone
from crm.base.ratelimit import RateLimitedError
from crm.base.stamps import EDITION, ChangeStamp
from crm.checkin.models import Attendance
from crm.checkin.services import check_in
from crm.contacts.models import Organisation, OrganisationKind, Programmer
from crm.contacts.services import PROGRAMMER_FIELDS, organisations_query, programmers_query, save_programmer
from crm.impact import report
from crm.impact.models import Outcome
from crm.impact.services import save_typed
from crm.invitations.models import Invitation
from crm.meetings.models import Meeting, MeetingSession
from crm.networks.models import Network
from crm.showcase import programme
from crm.showcase.ical import EPOCH
from crm.showcase.models import Edition, Registration, Show, Slot


class _Parser(FlaskParser):
    """A query parameter the route does not know is refused (422), as a body's field is: a misspelt
    filter would otherwise answer the whole list."""

    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": None,
        "querystring": None,
    }


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = _Parser()


public = Blueprint(
    "api_public", __name__, url_prefix="/api/v1/programme",
    description="Published editions and their programme: no token, cached (ETag, 304).",
)  # fmt: skip
bp = Blueprint(
    "api", __name__, url_prefix="/api/v1",
    description="A network's records, with a token of the network (Authorization: Bearer …).",
)  # fmt: skip
PROGRAMME_VERSION = 1  # bump when the programme JSON's shape changes

TOKEN_DOC = {
    "security": [{"bearer": []}],
    "responses": {"401": "UNAUTHORIZED", "403": "FORBIDDEN", "404": "NOT_FOUND", "429": "TOO_MANY_REQUESTS"},
}


def _reads(rule, schema, args=None):
    """A read route of the network: a token (read or write), its query string checked by `args`, its
    answer described by `schema`."""

    def decorate(view):
        if args is None:  # no parameter to read: one given is still refused
            taken = view

            @functools.wraps(taken)
            def view(_none, **values):
                return taken(**values)

        view = bp.response(200, schema)(bp.doc(**TOKEN_DOC)(view))
        view = bp.arguments(args or schemas.NoArgs, location="query")(view)
        return bp.route(rule)(allow(TOKEN_READ)(view))

    return decorate


def _lists(rule, item, args):
    """A list of the network's records, one page of `item`s at a time."""
    return _reads(rule, schemas.page_of(item), args)


@bp.before_request
def _json_bodies():
    """A write sends JSON: anything else is said so (415) rather than read as an empty body."""
    if request.method not in ("POST", "PATCH", "PUT"):
        return None
    if not request.is_json:
        return http.problem(415, _("Envoyez le corps en JSON, avec l'en-tête Content-Type application/json."))
    try:
        request.get_json(silent=True)
    except RecursionError:  # nested deeper than any object of ours: not read further
        detail = _("Corps JSON trop imbriqué.")
        return http.problem(400, detail, errors=[{"field": "json", "detail": detail}])
    return None


@bp.errorhandler(DomainError)
def _refused(error):
    """What a service refused, said on the field that caused it."""
    db.session.rollback()
    if isinstance(error, RateLimitedError):
        return http.problem(429, error.message, headers={"Retry-After": str(error.retry_after)})
    field = getattr(error, "field", None)
    errors = [{"field": field, "detail": str(error.message)}] if field else None
    return http.problem(422, str(error.message), errors=errors)


# --- Cursors, filters, lookups ------------------------------------------------------------------------


def _encode(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{last_id}".encode()).decode().rstrip("=")


def _decode(cursor: str) -> int:
    try:
        tag, _sep, number = (
            base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().partition(":")
        )
        if tag == "v1" and number.isascii() and number.isdigit() and 0 < int(number) <= schemas.MAX_ID:
            return int(number)
    except (ValueError, UnicodeDecodeError):
        pass
    abort(422, messages={"query": {"cursor": [_("Curseur inconnu : reprenez le next_cursor de la page.")]}})


def _page(query, column, args, wrap=None) -> dict:
    """One page of `query` by increasing `column` (an id): a cursor stays right while rows are added."""
    if args.get("cursor"):
        query = query.where(column > _decode(args["cursor"]))
    limit = args["limit"]
    rows = list(db.session.scalars(query.order_by(column).limit(limit + 1)).unique())
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [wrap(row) for row in rows] if wrap else rows,
        "next_cursor": _encode(rows[-1].id) if more else None,
    }


def _since(args):
    moment = args.get("updated_since")
    if moment is None:
        return None
    try:
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:
        abort(422, messages={"query": {"updated_since": [_("Une date entre l'an 1 et l'an 9999.")]}})


class _Plus:
    """A row with a few more attributes to show (computed from what was loaded with it)."""

    def __init__(self, row, **extra):
        self._row = row
        self.__dict__.update(extra)

    def __getattr__(self, name):
        return getattr(self._row, name)


def _own(model, object_id):
    """A record of the token's network, or 404."""
    row = db.session.get(model, object_id) if object_id <= schemas.MAX_ID else None
    if row is None or row.network_id != http.network_id():
        abort(404)
    return row


def _of_edition(model, object_id):
    """A record of one of the token's network's editions, or 404."""
    row = db.session.get(model, object_id) if object_id <= schemas.MAX_ID else None
    if row is None or db.session.get(Edition, row.edition_id).network_id != http.network_id():
        abort(404)
    return row


def _in_editions(query, edition_column, args):
    query = query.join(Edition, Edition.id == edition_column).where(Edition.network_id == http.network_id())
    if args.get("edition"):
        query = query.where(edition_column == args["edition"])
    return query


def _named(model, object_id, field):
    """A record a body names, of the token's network, or a refusal on that field (as the booking's
    other fields are refused)."""
    row = db.session.get(model, object_id)
    network = getattr(row, "network_id", None)
    if row is not None and network is None:
        network = db.session.get(Edition, row.edition_id).network_id
    if row is None or network != http.network_id():
        raise DomainError(_("Choisissez dans la liste."), field=field)
    return row


def _network():
    return db.session.get(Network, http.network_id())


# --- Public: the programme ----------------------------------------------------------------------------


@public.route("/")
@allow(PUBLIC)
@public.arguments(schemas.PublicPageArgs, location="query")
@public.response(200, schemas.page_of(schemas.PublishedEditionSchema))
def programme_index(args):
    """Published editions of every network of the instance."""
    query = programme.published_editions().order_by(None)

    def wrap(edition):
        return _Plus(edition, url=url_for(".programme_edition", slug=edition.slug, _external=True))

    return _page(query, Edition.id, args, wrap)


@public.route("/<slug>")
@allow(PUBLIC)
@public.response(200, schemas.ProgrammeSchema)
@public.alt_response(304, description="Not modified since the ETag or date you sent")
@public.alt_response(
    404,
    schema=schemas.ProblemSchema,
    content_type=http.PROBLEM,
    description="No published edition has this slug",
)
def programme_edition(slug):
    """An edition's programme: slots with their venue (and its address), show and company; cancelled slots
    stay, marked `cancelled`. Send `If-None-Match` with the last ETag: 304 until it changes."""
    found = programme.published_stamped(slug)
    if found is None:
        abort(404)
    edition_id, _network_id, version, changed = found
    key = rendered.key("api-programme", PROGRAMME_VERSION, request.host_url, edition_id, version or 0)

    def body() -> bytes:
        edition = db.session.get(Edition, edition_id)
        return current_app.json.dumps(programme.as_json(edition, programme.programme_slots(edition))).encode()

    response = rendered.conditional(
        key, changed or EPOCH, body, content_type="application/json", cache_control="public, no-cache"
    )
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


# --- With a token: reading ----------------------------------------------------------------------------


@_reads("/network", schemas.NetworkSchema)
def network():
    """The network the token belongs to."""
    return _network()


@_lists("/editions", schemas.EditionSchema, schemas.EditionArgs)
def editions(args):
    """The network's editions, drafts included; `updated_since` counts any change to their programme."""
    query = select(Edition).where(Edition.network_id == http.network_id())
    if args.get("status"):
        query = query.where(Edition.status == args["status"])
    if since := _since(args):
        stamp = aliased(ChangeStamp)
        query = query.outerjoin(stamp, (stamp.kind == EDITION) & (stamp.object_id == Edition.id)).where(
            or_(stamp.changed_at >= since, Edition.created_at >= since)
        )
    return _page(query, Edition.id, args)


@_reads("/editions/<int:edition_id>", schemas.EditionSchema)
def edition(edition_id):
    """One of the network's editions."""
    return _own(Edition, edition_id)


@_lists("/registrations", schemas.RegistrationSchema, schemas.RegistrationArgs)
def registrations(args):
    """Companies' registrations, as the review page lists them (by edition, status, company)."""
    query = _in_editions(select(Registration), Registration.edition_id, args)
    if args.get("status"):
        query = query.where(Registration.status == args["status"])
    if args.get("company"):
        query = query.where(Registration.company_id == args["company"])
    if since := _since(args):
        query = query.where(Registration.updated_at >= since)
    return _page(query, Registration.id, args)


@_reads("/registrations/<int:registration_id>", schemas.RegistrationSchema)
def registration(registration_id):
    """One registration: a company's show for an edition, and the decision."""
    return _of_edition(Registration, registration_id)


def _slot(slot):
    return _Plus(slot, registration_id=slot.assignment.registration_id if slot.assignment else None)


@_lists("/slots", schemas.SlotSchema, schemas.SlotArgs)
def slots(args):
    """Slots with the registration assigned to each (the assignment)."""
    query = _in_editions(select(Slot).options(joinedload(Slot.assignment)), Slot.edition_id, args)
    if args.get("status"):
        query = query.where(Slot.status == args["status"])
    if args.get("venue"):
        query = query.where(Slot.venue_id == args["venue"])
    if since := _since(args):
        query = query.where(Slot.updated_at >= since)
    return _page(query, Slot.id, args, _slot)


@_reads("/slots/<int:slot_id>", schemas.SlotSchema)
def slot(slot_id):
    """One slot, with the registration placed in it."""
    return _slot(_of_edition(Slot, slot_id))


def _organisations(kind, args):
    """Companies or structures, searched as on their page."""
    query = organisations_query(http.network_id(), kind, args.get("q")).order_by(None)
    if args.get("venues") is not None:
        query = query.where(Organisation.is_venue.is_(args["venues"]))
    if args.get("departement"):
        query = query.where(Organisation.departement_code == _departement(args["departement"]))
    if since := _since(args):
        query = query.where(Organisation.updated_at >= since)
    return _page(query, Organisation.id, args)


def _organisation(kind, organisation_id):
    found = _own(Organisation, organisation_id)
    if found.kind != kind:
        abort(404)
    return found


@_lists("/companies", schemas.CompanySchema, schemas.CompanyArgs)
def companies(args):
    """The network's companies, searched as on the companies' page."""
    return _organisations(OrganisationKind.COMPANY, args)


@_reads("/companies/<int:company_id>", schemas.CompanySchema)
def company(company_id):
    """One company of the network (its public and contact fields)."""
    return _organisation(OrganisationKind.COMPANY, company_id)


@_lists("/shows", schemas.ShowSchema, schemas.ShowArgs)
def shows(args):
    """The companies' shows (a registration's or a booking's `show_id`)."""
    query = select(Show).where(Show.network_id == http.network_id())
    if args.get("company"):
        query = query.where(Show.company_id == args["company"])
    if since := _since(args):
        query = query.where(Show.created_at >= since)
    return _page(query, Show.id, args)


@_reads("/shows/<int:show_id>", schemas.ShowSchema)
def show(show_id):
    """One show of a company."""
    return _own(Show, show_id)


@_lists("/structures", schemas.StructureSchema, schemas.StructureArgs)
def structures(args):
    """Theatres, libraries, festivals…: where programmers work and where slots are played."""
    return _organisations(OrganisationKind.STRUCTURE, args)


@_reads("/structures/<int:structure_id>", schemas.StructureSchema)
def structure(structure_id):
    """One structure (a venue when `is_venue`)."""
    return _organisation(OrganisationKind.STRUCTURE, structure_id)


@_lists("/programmers", schemas.ProgrammerSchema, schemas.ProgrammerArgs)
def programmers(args):
    """The directory, with its page's filters. With `updated_since`, erased people are listed too (their
    `erased_at` set, nothing else left): a copy kept elsewhere drops them."""
    filters = {name: args.get(name) for name in ("departement", "region", "discipline", "audience")}
    filters["departement"] = _departement(filters["departement"]) if filters["departement"] else None
    if since := _since(args):
        query = select(Programmer).where(
            Programmer.network_id == http.network_id(), Programmer.updated_at >= since
        )
        query = query.options(selectinload(Programmer.interests))
        if args.get("q") or any(filters.values()):
            abort(422, messages={"query": {"updated_since": [_("À employer sans autre filtre.")]}})
    else:
        query = programmers_query(http.network_id(), args.get("q"), **filters).order_by(None)
    return _page(query, Programmer.id, args)


@_reads("/programmers/<int:programmer_id>", schemas.ProgrammerSchema)
def programmer(programmer_id):
    """One person of the directory."""
    return _own(Programmer, programmer_id)


@_lists("/attendance", schemas.AttendanceSchema, schemas.AttendanceArgs)
def attendance(args):
    """Who was checked in at which slot."""
    query = _in_editions(select(Attendance).join(Slot, Slot.id == Attendance.slot_id), Slot.edition_id, args)
    if args.get("slot"):
        query = query.where(Attendance.slot_id == args["slot"])
    if args.get("programmer"):
        query = query.where(Attendance.programmer_id == args["programmer"])
    if since := _since(args):
        query = query.where(Attendance.checked_in_at >= since)
    return _page(query, Attendance.id, args)


def _attendance_row(attendance_id):
    row = db.session.get(Attendance, attendance_id) if attendance_id <= schemas.MAX_ID else None
    if row is None:
        abort(404)
    _of_edition(Slot, row.slot_id)
    return row


@_reads("/attendance/<int:attendance_id>", schemas.AttendanceSchema)
def attendance_one(attendance_id):
    """One tick: who was at which slot, when."""
    return _attendance_row(attendance_id)


def _invitation(invitation):
    return _Plus(
        invitation,
        days=[d.day for d in invitation.days],
        show_ids=sorted(s.show_id for s in invitation.shows),
    )


@_lists("/invitations", schemas.InvitationSchema, schemas.InvitationArgs)
def invitations(args):
    """Invitations and their answers (the days and shows each person chose)."""
    query = _in_editions(
        select(Invitation).options(selectinload(Invitation.days), selectinload(Invitation.shows)),
        Invitation.edition_id,
        args,
    )
    if args.get("answer"):
        query = query.where(Invitation.answer == args["answer"])
    if args.get("programmer"):
        query = query.where(Invitation.programmer_id == args["programmer"])
    if since := _since(args):
        query = query.where(or_(Invitation.sent_at >= since, Invitation.answered_at >= since))
    return _page(query, Invitation.id, args, _invitation)


@_reads("/invitations/<int:invitation_id>", schemas.InvitationSchema)
def invitation(invitation_id):
    """One invitation and its answer."""
    return _invitation(_of_edition(Invitation, invitation_id))


@_lists("/bookings", schemas.BookingSchema, schemas.BookingArgs)
def bookings(args):
    """Bookings obtained (the « dates obtenues »), with their performances."""
    query = (
        select(Outcome).where(Outcome.network_id == http.network_id()).options(selectinload(Outcome.dates))
    )
    for name, column in (("edition", Outcome.edition_id), ("company", Outcome.company_id),
                         ("status", Outcome.status), ("kind", Outcome.kind)):  # fmt: skip
        if args.get(name):
            query = query.where(column == args[name])
    if since := _since(args):
        query = query.where(Outcome.updated_at >= since)
    return _page(query, Outcome.id, args)


@_reads("/bookings/<int:booking_id>", schemas.BookingSchema)
def booking(booking_id):
    """One booking and its performances."""
    return _own(Outcome, booking_id)


@_lists("/meeting-sessions", schemas.MeetingSessionSchema, schemas.ByEditionArgs)
def meeting_sessions(args):
    """The speed-dating sessions of the network's editions (their meetings: one session's route)."""
    query = select(MeetingSession).where(MeetingSession.network_id == http.network_id())
    if args.get("edition"):
        query = query.where(MeetingSession.edition_id == args["edition"])
    if since := _since(args):
        query = query.where(or_(MeetingSession.created_at >= since, MeetingSession.planned_at >= since))
    return _page(query, MeetingSession.id, args)


@_reads("/meeting-sessions/<int:session_id>", schemas.MeetingSessionDetailSchema)
def meeting_session(session_id):
    """A speed-dating session and, once published, its meetings."""
    found = _own(MeetingSession, session_id)
    meetings = []
    if found.published_at is not None:
        meetings = db.session.scalars(
            select(Meeting)
            .where(Meeting.session_id == found.id)
            .order_by(Meeting.round, Meeting.table_number)
        ).all()
    return _Plus(found, meetings=meetings)


@_reads("/report", schemas.ReportSchema, schemas.ReportArgs)
def impact_report(args):
    """The impact report's figures, for one edition or for every edition held."""
    query = select(Edition.id).where(Edition.network_id == http.network_id())
    if args.get("edition"):
        query = query.where(Edition.id == args["edition"])
    else:
        query = query.where(Edition.status.in_(report.REPORTED))
    ids = list(db.session.scalars(query.order_by(Edition.starts_on, Edition.id)))
    if args.get("edition") and not ids:
        abort(404)
    return {"editions": ids, "figures": _plain(report.figures(ids, viewer=http.actor()))}


def _plain(value):
    """The report's figures as JSON has them (tuples as lists, amounts as strings, keys as text)."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


# --- With a write token -------------------------------------------------------------------------------


def _departement(code: str) -> str:
    """A département's code as stored: "9" is "09", "2a" is "2A"."""
    code = code.strip().upper()
    return code.zfill(2) if code.isdigit() and len(code) < 3 else code


def _checked_programmer(data: dict, current: Programmer | None) -> dict:
    """What the import checks of a row, on the fields given: the address, the phone, the département."""
    if "email" in data:
        try:
            data["email"] = validate_email(
                data["email"].strip(), check_deliverability=False
            ).normalized.lower()
        except EmailNotValidError:
            raise DomainError(_("Adresse e-mail invalide."), field="email") from None
    if "phone" in data:
        data["phone"] = normalise_phone(data["phone"])  # a DomainError says why
    code = data.get("departement_code")
    if code:
        code = _departement(code)
        if code not in departements():
            raise DomainError(_("Département inconnu : %(v)s", v=code), field="departement_code")
        data["departement_code"] = code
    email = data.get("email")
    if email:
        existing = db.session.scalar(
            select(Programmer.id).where(Programmer.network_id == http.network_id(), Programmer.email == email)
        )
        if existing and (current is None or existing != current.id):
            url = url_for(".programmer", programmer_id=existing, _external=True)
            abort(
                409,
                message=_("Cette adresse e-mail est déjà dans l'annuaire du réseau."),
                messages={"json": {"email": [_("Déjà l'adresse de la personne n° %(n)d.", n=existing)]}},
                extra={"existing": url},
            )
    return data


@bp.route("/programmers", methods=["POST"])
@allow(TOKEN_WRITE)
@bp.arguments(schemas.ProgrammerInput)
@bp.response(201, schemas.ProgrammerSchema)
@bp.alt_response(
    409,
    schema=schemas.ProblemSchema,
    content_type=http.PROBLEM,
    description="Someone of the directory already has this address (its URL in `existing`)",
)
@bp.doc(**TOKEN_DOC)
def programmer_create(data):
    """Add a person to the directory, checked as an imported row is (address, phone, département) and
    refused when the address is already someone's (409, with that person's URL)."""
    data = _checked_programmer(dict(data), None)
    data["source"] = f"API : {http.current_token_name()}"[:200]
    found = save_programmer(None, _network(), data, actor=http.actor())
    db.session.commit()
    return found


@bp.route("/programmers/<int:programmer_id>", methods=["PATCH"])
@allow(TOKEN_WRITE)
@bp.arguments(schemas.ProgrammerPatch)
@bp.response(200, schemas.ProgrammerSchema)
@bp.alt_response(
    409,
    schema=schemas.ProblemSchema,
    content_type=http.PROBLEM,
    description="Another person of the directory has this address",
)
@bp.doc(**TOKEN_DOC)
def programmer_update(data, programmer_id):
    """Change the fields given, leave the others as they are."""
    found = _own(Programmer, programmer_id)
    if found.erased_at is not None:
        abort(409, message=_("Cette fiche a été effacée à la demande de la personne."))
    merged = {key: getattr(found, key) for key in PROGRAMMER_FIELDS}
    merged["disciplines"] = list(found.disciplines)
    merged.update(_checked_programmer(dict(data), found))
    save_programmer(found, _network(), merged, actor=http.actor())
    db.session.commit()
    return found


@bp.route("/bookings", methods=["POST"])
@allow(TOKEN_WRITE)
@bp.arguments(schemas.BookingInput)
@bp.response(201, schemas.BookingSchema)
@bp.doc(**TOKEN_DOC)
def booking_create(data):
    """Record a booking as the booking form does: the person by id or address; the edition, when not
    given, is the one where they saw the show; a recorded booking ends the follow-up of that company."""
    data = dict(data)
    person_id = data.pop("programmer_id", None)
    if person_id:
        person = _named(Programmer, person_id, "programmer_id")
        if data.get("programmer_email") and data["programmer_email"].lower() != person.email:
            raise DomainError(_("Cette adresse n'est pas celle de cette personne."), field="programmer_email")
        data["programmer_email"] = person.email
    found, _proposal = save_typed(None, _network(), data, actor=http.actor(), now=utcnow())
    db.session.commit()
    return found


@bp.route("/attendance", methods=["POST"])
@allow(TOKEN_WRITE)
@bp.arguments(schemas.AttendanceInput)
@bp.response(201, schemas.AttendanceSchema)
@bp.alt_response(200, schema=schemas.AttendanceSchema, description="The person was already ticked in")
@bp.doc(**TOKEN_DOC)
def attendance_create(data):
    """Tick a person in at a slot; done again, nothing changes and the first tick is answered (200)."""
    slot_row = _named(Slot, data["slot_id"], "slot_id")
    person = _named(Programmer, data["programmer_id"], "programmer_id")
    ticked = select(Attendance).where(
        Attendance.slot_id == slot_row.id, Attendance.programmer_id == person.id
    )
    before = db.session.scalar(ticked)
    if before is not None:
        return before, 200
    check_in(slot_row, person, actor=http.actor(), now=utcnow())
    db.session.commit()
    return db.session.scalar(ticked)


@bp.after_request
def _not_kept(response):
    """A network's records are never kept by a browser or a proxy."""
    response.headers["Cache-Control"] = "no-store"
    return response
