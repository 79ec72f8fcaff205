"""Private feeds: the subscriptions, their secret links, and the slots and tasks each one shows."""

import hashlib
import hmac
from datetime import UTC, datetime, time, timedelta
from typing import NamedTuple

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import String, false, func, literal_column, null, or_, select, type_coerce
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.base.numbers import row_ids
from crm.base.stamps import ChangeStamp
from crm.base.timeutil import to_utc, today_local
from crm.base.tokens import sign, unsign
from crm.calendar.models import FeedKind, FeedMark, Subscription
from crm.contacts.models import Organisation
from crm.followups.tasks import tasks_query
from crm.impact.models import Outcome, OutcomeDate, OutcomeStatus
from crm.invitations.models import Answer
from crm.showcase.ical import EPOCH, KEEP_CANCELLED
from crm.showcase.models import Assignment, Edition, Registration, Show, Slot, SlotStatus
from crm.showcase.programme import PUBLIC

OWNER = {FeedKind.COMPANY: "company_id", FeedKind.PROGRAMMER: "invitation_id", FeedKind.TASKS: "user_id"}


def token_for(subscription) -> str:
    return sign("calendar", subscription.id, subscription.version)


def _legacy_signature(subscription) -> str:
    """How private calendar links were signed before `tokens.sign`: still read, so that calendars
    people subscribed to keep working, never written."""
    key = current_app.config["SECRET_KEY"].encode()
    message = f"calendar:{subscription.id}:{subscription.version}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:43]


def _legacy(token: str) -> Subscription | None:
    number, _dash, signature = token.partition("-")
    found = row_ids([number])
    subscription = db.session.get(Subscription, found[0]) if found and signature else None
    if subscription is None or not hmac.compare_digest(signature, _legacy_signature(subscription)):
        return None
    return subscription


def by_token(token: str) -> Subscription | None:
    """The live subscription behind a link; None for anything forged, old or revoked (no hint which)."""
    ids = unsign("calendar", token or "")
    if ids is not None and len(ids) == 2:
        subscription = db.session.get(Subscription, ids[0])
        subscription = subscription if subscription is not None and subscription.version == ids[1] else None
    else:
        subscription = _legacy(token or "")
    if subscription is None or subscription.revoked:
        return None
    return subscription


def find_subscription(kind: FeedKind, owner_id: int) -> Subscription | None:
    """The owner's subscription, if a link was ever made (reading never creates one)."""
    column = getattr(Subscription, OWNER[kind])
    return db.session.scalar(
        select(Subscription).where(Subscription.kind == kind, column == owner_id).order_by(Subscription.id)
    )


def subscription_for(kind: FeedKind, owner_id: int) -> Subscription:
    found = find_subscription(kind, owner_id)
    if found is None:
        found = Subscription(
            kind=kind, version=1, hide_cancelled=False, revoked=False, **{OWNER[kind]: owner_id}
        )
        db.session.add(found)
        db.session.flush()
    return found


def regenerate(subscription) -> None:
    """A new secret link; the old one stops working at once."""
    subscription.version += 1
    subscription.revoked = False
    db.session.flush()


def revoke(subscription) -> None:
    subscription.revoked = True
    subscription.version += 1
    db.session.flush()


ALARM_MINUTES = (0, 30, 60, 1440)  # the choices the page offers: none, 30 min, 1 h, the day before


def set_options(subscription, data: dict) -> None:
    """Options as the page sends them; anything but a listed reminder is refused, nothing saved."""
    raw = (data.get("alarm_minutes") or "0").strip()
    if raw not in {str(m) for m in ALARM_MINUTES}:
        raise DomainError(_("Choisissez un rappel dans la liste."), field="alarm_minutes")
    subscription.hide_cancelled = bool(data.get("hide_cancelled"))
    subscription.alarm_minutes = int(raw) or None
    db.session.flush()


def slot_fingerprints(*where):
    """Every value a slot's event is made of, as plain rows (one light query): two events with the same
    row have the same bytes, so a row keys its event in the render cache."""

    venue = aliased(Organisation)
    company = aliased(Organisation)

    def raw(column):  # the stored value as the driver gives it: no conversion, it only feeds a hash
        return type_coerce(column, String())

    columns = [
        Slot.id, raw(Slot.starts_at), raw(Slot.ends_at), raw(Slot.status), Slot.sequence, raw(Slot.format),
        raw(Slot.updated_at), Slot.edition_id, raw(Registration.updated_at), Registration.video_url,
        Show.title, raw(Show.discipline), raw(Show.audience), Show.duration_minutes, Show.video_url,
        company.name, venue.name, venue.address, venue.postcode, venue.city,
    ]  # fmt: skip
    query = (
        select(*columns)
        .join(Assignment, Assignment.slot_id == Slot.id)
        .join(Registration, Registration.id == Assignment.registration_id)
        .join(Show, Show.id == Registration.show_id)
        .join(company, company.id == Registration.company_id)
        .join(venue, venue.id == Slot.venue_id)
        .where(*where)
        .order_by(Slot.starts_at, Slot.id)
    )
    return db.session.connection().execute(query).all()


def gone_columns(where, *, cutoff, hide_cancelled, joined=True):
    """How many cancelled slots of the feed ended before `cutoff` (their month of grace is over), and
    the latest of them: the feed loses them with time alone, so they are part of its state (two scalar
    subqueries)."""
    if hide_cancelled:
        return [literal_column("0"), null()]
    gone = [*where, Slot.status == SlotStatus.CANCELLED, Slot.ends_at < cutoff]

    def of(column):
        query = select(column).select_from(Slot)
        if joined:  # `where` names the registration (a company's feed); an edition's needs the slots only
            query = query.join(Assignment, Assignment.slot_id == Slot.id).join(
                Registration, Registration.id == Assignment.registration_id
            )
        return query.where(*gone).scalar_subquery()

    return [of(func.count(Slot.id)), of(func.max(Slot.ends_at))]


class FeedState(NamedTuple):
    versions: tuple
    changed: datetime | None
    gone: int
    gone_last: datetime | None

    def last_modified(self):
        """Never back: every write raises a stamp's time, and a cancelled slot leaves at its own."""
        moments = [self.changed, self.gone_last and self.gone_last + KEEP_CANCELLED]
        return max((m for m in moments if m is not None), default=EPOCH)


def feed_state(scopes, where, *, now, hide_cancelled) -> FeedState:
    """The stamps of the scopes and what time took from the feed, in one statement."""
    columns = []
    for kind, object_id in scopes:
        found = (ChangeStamp.kind == kind) & (ChangeStamp.object_id == object_id)
        columns += [select(ChangeStamp.version).where(found).scalar_subquery(),
                    select(ChangeStamp.changed_at).where(found).scalar_subquery()]  # fmt: skip
    columns += gone_columns(where, cutoff=now - KEEP_CANCELLED, hide_cancelled=hide_cancelled)
    row = db.session.execute(select(*columns)).one()
    return state_of(row, len(scopes))


def state_of(row, scopes: int) -> FeedState:
    """A FeedState from a row holding (version, changed) per scope, then the two gone columns."""
    versions = tuple(row[2 * n] or 0 for n in range(scopes))
    changed = [row[2 * n + 1] for n in range(scopes) if row[2 * n + 1] is not None]
    gone_last = row[2 * scopes + 1]
    if isinstance(gone_last, str):  # SQLite gives an aggregate of a date column back as text
        gone_last = datetime.fromisoformat(gone_last).replace(tzinfo=UTC)
    return FeedState(versions, max(changed, default=None), row[2 * scopes] or 0, gone_last)


def shown(*, now, hide_cancelled=False):
    """In SQL: cancelled slots stay until a month after their date, unless the subscriber hides them."""

    if hide_cancelled:
        return Slot.status != SlotStatus.CANCELLED
    return or_(Slot.status != SlotStatus.CANCELLED, Slot.ends_at >= now - KEEP_CANCELLED)


def load_slots(*where):
    return list(
        db.session.scalars(
            select(Slot)
            .join(Assignment, Assignment.slot_id == Slot.id)
            .join(Registration, Registration.id == Assignment.registration_id)
            .where(*where)
            .options(
                joinedload(Slot.venue),
                joinedload(Slot.assignment).joinedload(Assignment.registration).joinedload(Registration.show),
                joinedload(Slot.assignment)
                .joinedload(Assignment.registration)
                .joinedload(Registration.company),
            )
            .order_by(Slot.starts_at, Slot.id)
        ).unique()
    )


def company_where(company_id: int) -> list:
    """The company's slots in published editions (before publication, the plan may still move)."""

    published = select(Edition.id).where(Edition.status.in_(PUBLIC))
    return [Registration.company_id == company_id, Slot.edition_id.in_(published)]


def programmer_where(invitation) -> list:
    """The programme's slots on the days the person said they would come (local days)."""

    if invitation.answer not in (Answer.COMING, Answer.MAYBE) or invitation.edition.status not in PUBLIC:
        return [false()]

    days = [
        (Slot.starts_at >= to_utc(d.day, time(0)))
        & (Slot.starts_at < to_utc(d.day + timedelta(days=1), time(0)))
        for d in invitation.days
    ]
    return [Slot.edition_id == invitation.edition_id, or_(false(), *days)]


def edition_where(edition, venue_id=None) -> list:
    where = [Slot.edition_id == edition.id]
    if venue_id is not None:
        where.append(Slot.venue_id == venue_id)
    return where


def open_tasks(user) -> list:

    return list(db.session.scalars(tasks_query(user, "open", today_local()).limit(1000)).unique())


def confirmed_dates(company_id: int) -> list:
    """The company's confirmed outcome dates (performances obtained), for its feed."""

    return list(
        db.session.scalars(
            select(OutcomeDate)
            .join(Outcome, Outcome.id == OutcomeDate.outcome_id)
            .where(Outcome.company_id == company_id, Outcome.status == OutcomeStatus.CONFIRMED)
            .options(joinedload(OutcomeDate.outcome).joinedload(Outcome.show))
            .order_by(OutcomeDate.on, OutcomeDate.id)
            .limit(1000)
        )
    )


def steady_modified(address: str, etag: str, changed, *, now):
    """The feed's Last-Modified: `changed` (its newest event) while that moves forward, else the moment
    its bytes were first seen to change, so it never decreases. Written only when the feed changes."""

    key = hashlib.sha256(address.encode()).hexdigest()
    changed = changed.replace(microsecond=0)
    mark = db.session.get(FeedMark, key)
    if mark is None:
        try:
            with db.session.begin_nested():
                db.session.add(FeedMark(key=key, etag=etag, modified=changed))
        except IntegrityError:
            return changed  # another request served it first, with the same changes
        return changed
    if mark.etag == etag:
        return mark.modified
    later = mark.modified + timedelta(seconds=1)
    mark.etag = etag
    mark.modified = changed if changed >= later else max(now.replace(microsecond=0), later)
    db.session.flush()
    return mark.modified
