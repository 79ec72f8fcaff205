"""Outcomes: recording them, attributing them to an edition, their history; the box office of an edition."""

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import and_, exists, select

from crm.accounts.models import Role
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.base.geo import departement
from crm.base.numbers import amount
from crm.base.timeutil import local
from crm.checkin.models import Attendance
from crm.contacts.models import Organisation, OrganisationKind, Programmer
from crm.followups.answers import stop_pair
from crm.followups.models import Enrolment, Sequence
from crm.followups.seen import held_meeting
from crm.impact import sibil
from crm.impact.events import BookingSaved, booking_changed, booking_recorded
from crm.impact.models import (
    BoxOffice,
    BoxOfficePerformance,
    BoxOfficePrice,
    Outcome,
    OutcomeDate,
    OutcomeEvent,
    OutcomeKind,
    OutcomeStatus,
    PriceKind,
    RemainderRule,
    VenueType,
)
from crm.meetings.models import Meeting, MeetingOutcome, MeetingSession
from crm.meetings.services import round_times
from crm.showcase.models import Assignment, Edition, Registration, Show, Slot


def proposed_edition(company_id: int, programmer_id: int | None) -> Edition | None:
    """The latest edition where the person saw one of the company's shows."""
    if not programmer_id:
        return None
    return db.session.scalar(
        select(Edition)
        .join(Slot, Slot.edition_id == Edition.id)
        .join(Attendance, Attendance.slot_id == Slot.id)
        .join(Assignment, Assignment.slot_id == Slot.id)
        .join(Registration, Registration.id == Assignment.registration_id)
        .where(Attendance.programmer_id == programmer_id, Registration.company_id == company_id)
        .order_by(Edition.ends_on.desc(), Edition.id.desc())
        .limit(1)
    )


def held_meetings(network_id, company_id=None) -> list[tuple[int, str]]:
    """(meeting id, label) of a company's held meetings, or of every company of the network (then the
    label starts with the company), latest session first; one query. The choices of the booking form."""
    query = (
        select(Meeting, MeetingSession, Programmer.first_name, Programmer.last_name, Organisation.name)
        .join(MeetingSession, MeetingSession.id == Meeting.session_id)
        .join(Programmer, Programmer.id == Meeting.programmer_id)
        .join(Organisation, Organisation.id == Meeting.company_id)
        .where(MeetingSession.network_id == network_id, held_meeting())
        .order_by(
            MeetingSession.day.desc(),
            MeetingSession.starts.desc(),
            MeetingSession.id.desc(),
            Organisation.name,
            Meeting.round,
            Meeting.id,
        )
    )
    if company_id is not None:
        query = query.where(Meeting.company_id == company_id)
    starts, found = {}, []
    for meeting, session, first_name, last_name, company in db.session.execute(query):
        if session.id not in starts:
            starts[session.id] = {n: start for n, start, _end in round_times(session)}
        start = starts[session.id].get(meeting.round)
        person = " ".join(n for n in (first_name, last_name) if n)
        at = " ({})".format(local(start).strftime("%H:%M")) if start else ""
        label = _(
            "%(person)s — %(session)s, %(day)s, tour %(round)s%(time)s",
            person=person,
            session=session.name,
            day=format_date(session.day, "short"),
            round=meeting.round,
            time=at,
        )
        found.append((meeting.id, label if company_id is not None else f"{company} — {label}"))
    return found


def _meeting(network, data, company):
    """The held meeting the booking is attributed to (one of the company's, in the network), or None."""
    meeting_id = data.get("meeting_id")
    if not meeting_id:
        return None
    found = db.session.get(Meeting, meeting_id)
    session = db.session.get(MeetingSession, found.session_id) if found is not None else None
    if session is None or session.network_id != network.id:
        raise DomainError(_("Choisissez une rencontre de la liste."), field="meeting_id")
    if found.company_id != company.id:
        raise DomainError(_("Cette rencontre n'est pas celle de cette compagnie."), field="meeting_id")
    if found.outcome != MeetingOutcome.HELD or session.published_at is None:
        raise DomainError(
            _("Cette rencontre n'a pas eu lieu : choisissez une rencontre tenue."), field="meeting_id"
        )
    if data.get("programmer_id") and data["programmer_id"] != found.programmer_id:
        raise DomainError(
            _("Cette rencontre était avec une autre personne que celle de la date."), field="meeting_id"
        )
    if data.get("edition_id") and data["edition_id"] != session.edition_id:
        raise DomainError(
            _("Cette rencontre a eu lieu pendant une autre édition que celle choisie."), field="meeting_id"
        )
    return found


def may_edit(user, outcome) -> bool:
    if user.network_id != outcome.network_id:
        return False
    return user.role == Role.COORDINATOR or user.company_id == outcome.company_id


def outcomes_query(user, *, edition_id=None, status=None, missing_logo=False):
    query = select(Outcome).where(Outcome.network_id == user.network_id)
    if user.role != Role.COORDINATOR:
        query = query.where(Outcome.company_id == user.company_id)
    if edition_id:
        query = query.where(Outcome.edition_id == edition_id)
    if status:
        query = query.where(Outcome.status == status)
    if missing_logo:
        query = query.where(
            Outcome.edition_id.is_not(None),
            Outcome.status == OutcomeStatus.CONFIRMED,
            Outcome.logo_credited.is_(False),
        )
    # One page of rows, then their related rows by primary key: never a join over whole tables.
    related = (Outcome.company, Outcome.show, Outcome.programmer, Outcome.organisation, Outcome.edition,
               Outcome.dates)  # fmt: skip
    return query.options(*(db.selectinload(r) for r in related)).order_by(
        Outcome.decided_on.desc(), Outcome.id.desc()
    )


def missing_logo_count(user, edition_id) -> int:
    """Attributed, confirmed outcomes whose dates do not credit the network's logo yet."""
    where = [
        Outcome.network_id == user.network_id,
        Outcome.edition_id == edition_id,
        Outcome.status == OutcomeStatus.CONFIRMED,
        Outcome.logo_credited.is_(False),
    ]
    if user.role != Role.COORDINATOR:
        where.append(Outcome.company_id == user.company_id)
    return db.session.scalar(select(db.func.count()).select_from(Outcome).where(*where))


def _in_network(model, object_id, network_id, field):
    found = db.session.get(model, object_id) if object_id else None
    if found is None or found.network_id != network_id:
        raise DomainError(_("Choisissez dans la liste."), field=field)
    return found


MAX_FEE = Decimal("99999999.99")  # Numeric(10, 2)


def _fee(value):
    if value in (None, ""):
        return None
    try:
        return amount(value, maximum=MAX_FEE)
    except ValueError:
        raise DomainError(_("Un montant en euros, par exemple 1200 ou 1200,50."), field="fee") from None


def _dates(rows) -> list[OutcomeDate]:
    dates = []
    for row in rows or ():
        if not row.get("on"):
            if row.get("venue") or row.get("town"):
                raise DomainError(_("Donnez la date de chaque représentation."), field="dates")
            continue
        code = (row.get("departement_code") or "").strip().upper() or None
        if code and departement(code) is None:
            raise DomainError(_("Département inconnu : %(code)s", code=code), field="dates")
        dates.append(OutcomeDate(on=row["on"], venue=row.get("venue") or None, town=row.get("town") or None,
                                 departement_code=code))  # fmt: skip
    return sorted(dates, key=lambda d: d.on)


@dataclass(frozen=True)
class _Checked:
    company: Organisation
    show: Show
    person: Programmer | None
    edition: Edition | None
    meeting: Meeting | None
    kind: OutcomeKind
    status: OutcomeStatus
    dates: list


def _checked(network, data: dict, *, actor) -> _Checked:
    """What the form says, each record in the network and the actor's to record, or a DomainError."""
    company = _in_network(Organisation, data.get("company_id"), network.id, "company_id")
    if company.kind != OrganisationKind.COMPANY:
        raise DomainError(_("Choisissez une compagnie."), field="company_id")
    if actor.role != Role.COORDINATOR and company.id != actor.company_id:
        raise DomainError(_("Vous enregistrez les dates de votre compagnie."), field="company_id")
    show = _in_network(Show, data.get("show_id"), network.id, "show_id")
    if show.company_id != company.id:
        raise DomainError(_("Ce spectacle n'est pas celui de cette compagnie."), field="show_id")
    person_id, edition_id = data.get("programmer_id"), data.get("edition_id")
    person = _in_network(Programmer, person_id, network.id, "programmer_id") if person_id else None
    edition = _in_network(Edition, edition_id, network.id, "edition_id") if edition_id else None
    meeting = _meeting(network, data, company)
    status, kind, dates = OutcomeStatus(data["status"]), OutcomeKind(data["kind"]), _dates(data.get("dates"))
    if kind == OutcomeKind.PERFORMANCES and status == OutcomeStatus.CONFIRMED and not dates:
        raise DomainError(_("Des dates confirmées ont au moins une date de représentation."), field="dates")
    return _Checked(company, show, person, edition, meeting, kind, status, dates)


def save_typed(outcome, network, data: dict, *, actor, now) -> tuple[Outcome, Edition | None]:
    """What the booking form holds: the person found by their address; a meeting chosen gives the person
    and the edition left empty; when no edition is given still, the one where they saw the show
    (returned, to be said). Then `save_outcome`."""
    email = (data.pop("programmer_email", None) or "").strip().lower()
    data["programmer_id"] = None
    if email:
        person = db.session.scalar(
            select(Programmer).where(Programmer.network_id == network.id, Programmer.email == email)
        )
        if person is None:
            raise DomainError(
                _("Personne n'a cette adresse dans l'annuaire : ajoutez-la d'abord."),
                field="programmer_email",
            )
        data["programmer_id"] = person.id
    if data.get("meeting_id") and data.get("company_id"):
        company = _in_network(Organisation, data["company_id"], network.id, "company_id")
        meeting = _meeting(network, data, company)
        data["programmer_id"] = data["programmer_id"] or meeting.programmer_id
        data["edition_id"] = data.get("edition_id") or meeting.session.edition_id
    proposal = None
    if not data.get("edition_id") and data.get("company_id"):
        proposal = proposed_edition(data["company_id"], data["programmer_id"])
        data["edition_id"] = proposal.id if proposal else None
    return save_outcome(outcome, network, data, actor=actor, now=now), proposal


def save_outcome(outcome, network, data: dict, *, actor, now) -> Outcome:
    """Create (outcome None) or update an outcome; a change of status is kept in its history."""
    found = _checked(network, data, actor=actor)
    created = outcome is None
    if created:
        outcome = Outcome(network_id=network.id, created_by_id=actor.id, created_at=now)
        db.session.add(outcome)
    previous = outcome.status
    edition_id = found.edition.id if found.edition else None
    if actor.role == Role.COORDINATOR:
        outcome.attribution_confirmed = bool(data.get("attribution_confirmed")) and edition_id is not None
    elif outcome.edition_id != edition_id:
        outcome.attribution_confirmed = False  # a company's change waits for the coordination
    outcome.company_id, outcome.show_id, outcome.edition_id = found.company.id, found.show.id, edition_id
    outcome.meeting_id = found.meeting.id if found.meeting else None
    outcome.programmer_id = found.person.id if found.person else None
    outcome.organisation_id = found.person.organisation_id if found.person else None
    outcome.kind, outcome.status, outcome.dates = found.kind, found.status, found.dates
    outcome.fee_per_performance = _fee(data.get("fee"))
    outcome.currency = (data.get("currency") or "EUR").upper()[:3]
    outcome.decided_on = data.get("decided_on") or now.date()
    outcome.logo_credited = bool(data.get("logo_credited"))
    outcome.note = (data.get("note") or "").strip() or None
    if previous != found.status:
        outcome.history.append(OutcomeEvent(at=now, user_id=actor.id, status=found.status))
    db.session.flush()
    _stop_follow_up(outcome)
    tell_booking(outcome, created=created)
    return outcome


def tell_booking(outcome, *, created: bool) -> None:
    """The domain event of a booking recorded (`created`) or changed."""
    signal = booking_recorded if created else booking_changed
    signal.send(
        outcome.network_id,
        event=BookingSaved(
            network_id=outcome.network_id,
            booking_id=outcome.id,
            company_id=outcome.company_id,
            status=str(outcome.status),
        ),
    )


def _stop_follow_up(outcome) -> None:
    """A recorded outcome ends that company's follow-up with the person (stop rule of the follow-up)."""

    if not (outcome.programmer_id and outcome.edition_id) or outcome.status == OutcomeStatus.CANCELLED:
        return
    enrolment = db.session.scalar(
        select(Enrolment)
        .join(Sequence)
        .where(Sequence.edition_id == outcome.edition_id, Enrolment.programmer_id == outcome.programmer_id)
    )
    if enrolment is not None:
        stop_pair(enrolment, outcome.company_id, reason="outcome")
        db.session.flush()


def meeting_behind(programmer_id, company_id, edition_id) -> int | None:
    """The held meeting that brought the company's show to the person's follow-up message: their first
    with that company at the edition, when they saw none of its shows there (a show seen is listed as
    seen); one query."""
    seen = exists().where(
        Attendance.programmer_id == programmer_id,
        Attendance.slot_id == Slot.id,
        Slot.edition_id == edition_id,
        Assignment.slot_id == Slot.id,
        Registration.id == Assignment.registration_id,
        Registration.company_id == company_id,
    )
    return db.session.scalar(
        select(Meeting.id)
        .join(MeetingSession, MeetingSession.id == Meeting.session_id)
        .where(
            and_(
                MeetingSession.edition_id == edition_id,
                Meeting.programmer_id == programmer_id,
                Meeting.company_id == company_id,
                held_meeting(),
            ),
            ~seen,
        )
        .order_by(MeetingSession.day, MeetingSession.starts, MeetingSession.id, Meeting.round)
        .limit(1)
    )


def draft_from_answer(event) -> Outcome:
    """A draft for the company to complete ("I'd like to book it", or a call that ended in a booking),
    already attributed to the edition, and to the meeting when one brought the show to the person."""
    person = db.session.get(Programmer, event.programmer_id)
    now = event.at
    meeting_id = meeting_behind(person.id, event.company_id, event.edition_id) if event.edition_id else None
    outcome = Outcome(
        network_id=event.network_id, company_id=event.company_id, show_id=event.show_id,
        programmer_id=person.id, organisation_id=person.organisation_id,
        edition_id=event.edition_id, attribution_confirmed=False,
        meeting_id=meeting_id,
        kind=OutcomeKind.PERFORMANCES, status=OutcomeStatus.DRAFT, currency="EUR", decided_on=now.date(),
        logo_credited=False, created_at=now,
        note=_("Créé par la réponse « Je souhaite le programmer » de %(name)s.", name=person.full_name),
    )  # fmt: skip
    outcome.history.append(OutcomeEvent(at=now, status=OutcomeStatus.DRAFT))
    db.session.add(outcome)
    db.session.flush()
    tell_booking(outcome, created=True)
    return outcome


# --- Box office -------------------------------------------------------------------------------------


def box_office_for(edition) -> BoxOffice | None:
    return db.session.scalar(select(BoxOffice).where(BoxOffice.edition_id == edition.id))


def save_box_office(edition, data: dict) -> BoxOffice:
    """The statement's settings; when performances are recorded, the income is what they took."""
    found = box_office_for(edition) or BoxOffice(edition_id=edition.id)
    income, fee = data.get("income"), data.get("fee_per_person")
    taken = sibil.receipts_total(edition)
    if taken is not None:
        income = taken
    if income is None or income < 0:
        raise DomainError(_("La recette totale, en euros (0 ou plus)."), field="income")
    if fee is None or fee < 0:
        raise DomainError(_("Le forfait par personne au plateau, en euros."), field="fee_per_person")
    found.income, found.fee_per_person = income, fee
    found.rule = RemainderRule(data["rule"])
    db.session.add(found)
    db.session.flush()
    return found


def save_performance(edition, slot, data: dict) -> BoxOfficePerformance:
    """A performance's box office: its venue type, jauge, tickets by price; all or nothing."""
    if slot.edition_id != edition.id:
        raise DomainError(_("Cette représentation n'est pas de cette édition."))
    found = db.session.get(BoxOfficePerformance, slot.id) or BoxOfficePerformance(slot_id=slot.id)
    prices = []
    for index, row in enumerate(data.get("prices") or []):
        price, tickets = row.get("unit_price"), row.get("tickets")
        if price is None and not tickets:
            continue
        if price is None or tickets is None:
            raise DomainError(
                _("Ligne %(n)d : indiquez le prix et le nombre de billets, ou videz la ligne.", n=index + 1),
                field="prices",
            )
        label = row.get("label") or str(PriceKind(row["kind"]).label)
        prices.append(
            BoxOfficePrice(kind=PriceKind(row["kind"]), label=label, unit_price=price, tickets=tickets)
        )
    sold = sum(p.tickets for p in prices) + (data.get("free_tickets") or 0)
    if data.get("capacity") and sold > data["capacity"]:
        raise DomainError(
            _("%(sold)d billets pour une jauge de %(capacity)d : vérifiez la jauge ou les billets.",
              sold=sold, capacity=data["capacity"]),
            field="capacity",
        )  # fmt: skip
    found.venue_type = VenueType(data["venue_type"])
    found.capacity = data["capacity"]
    found.free_tickets = data.get("free_tickets") or 0
    found.young_audience = bool(data.get("young_audience"))
    found.vat_rate = data["vat_rate"]
    found.prices = prices
    db.session.add(found)
    db.session.flush()
    box = box_office_for(edition)
    if box is not None:  # the statement follows the recorded receipts
        box.income = sibil.receipts_total(edition)
    return found
