"""What the follow-up tells the features above it (they subscribe in their own package, at app start).

Sent inside the transaction: a subscriber flushes, the caller commits.
"""

from dataclasses import dataclass
from datetime import datetime

from blinker import Namespace

events = Namespace()

booking_wished = events.signal("booking-wished")


@dataclass(frozen=True)
class BookingWished:
    """A person wants to book a company's show: they answered "I'd like to book it", or a call ended
    in a booking. The bookings feature drafts the booking for the company to complete."""

    network_id: int
    edition_id: int
    programmer_id: int
    company_id: int
    show_id: int
    at: datetime


followup_answered = events.signal("followup-answered")
followup_stopped = events.signal("followup-stopped")


@dataclass(frozen=True)
class FollowupAnswered:
    """A person answered about a show of the follow-up (one-click answer), or changed their answer."""

    network_id: int
    edition_id: int
    programmer_id: int
    answer_id: int
    company_id: int
    show_id: int
    choice: str


@dataclass(frozen=True)
class FollowupStopped:
    """The follow-up stopped for a person: with one company (`company_id`) or altogether (None)."""

    network_id: int
    edition_id: int
    programmer_id: int
    company_id: int | None
    reason: str
