"""Private feeds: the subscriptions, their secret links, and the slots and tasks each one shows."""

import hashlib
import hmac

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from crm.calendar.models import FeedKind, Subscription
from crm.extensions import db
from crm.showcase.models import Assignment, Registration, Slot
from crm.showcase.programme import PUBLIC

OWNER = {FeedKind.COMPANY: "company_id", FeedKind.PROGRAMMER: "invitation_id", FeedKind.TASKS: "user_id"}


def _signature(subscription) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"calendar:{subscription.id}:{subscription.version}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:43]  # 172 bits


def token_for(subscription) -> str:
    return f"{subscription.id}-{_signature(subscription)}"


def by_token(token: str) -> Subscription | None:
    """The live subscription behind a link; None for anything forged, old or revoked (no hint which)."""
    number, _dash, signature = (token or "").partition("-")
    if not number.isdigit() or not signature:
        return None
    subscription = db.session.get(Subscription, int(number))
    if subscription is None or subscription.revoked:
        return None
    return subscription if hmac.compare_digest(signature, _signature(subscription)) else None


def subscription_for(kind: FeedKind, owner_id: int) -> Subscription:
    column = getattr(Subscription, OWNER[kind])
    found = db.session.scalar(
        select(Subscription).where(Subscription.kind == kind, column == owner_id).order_by(Subscription.id)
    )
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


def set_options(subscription, data: dict) -> None:
    subscription.hide_cancelled = bool(data.get("hide_cancelled"))
    minutes = data.get("alarm_minutes")
    subscription.alarm_minutes = int(minutes) if minutes not in (None, "", "0") else None
    db.session.flush()


def _slots(*where):
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


def company_slots(company_id: int) -> list:
    """The company's slots in published editions (before publication, the plan may still move)."""
    from crm.showcase.models import Edition

    published = select(Edition.id).where(Edition.status.in_(PUBLIC))
    return _slots(Registration.company_id == company_id, Slot.edition_id.in_(published))


def programmer_slots(invitation) -> list:
    """The programme's slots on the days the person said they would come."""
    from crm.invitations.models import Answer
    from crm.timeutil import local

    if invitation.answer not in (Answer.COMING, Answer.MAYBE) or invitation.edition.status not in PUBLIC:
        return []
    days = {d.day for d in invitation.days}
    slots = _slots(Slot.edition_id == invitation.edition_id)
    return [s for s in slots if local(s.starts_at).date() in days]


def edition_slots(edition, venue_id=None) -> list:
    where = [Slot.edition_id == edition.id]
    if venue_id is not None:
        where.append(Slot.venue_id == venue_id)
    return _slots(*where)


def open_tasks(user) -> list:
    from crm.followups.services import tasks_query
    from crm.timeutil import today_local

    return list(db.session.scalars(tasks_query(user, "open", today_local()).limit(1000)).unique())
