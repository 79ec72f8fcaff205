"""What the bookings tell the features above them (they subscribe in their own package, at app start).

Sent inside the transaction: a subscriber flushes, the caller commits.
"""

from dataclasses import dataclass

from blinker import Namespace

events = Namespace()

booking_recorded = events.signal("booking-recorded")
booking_changed = events.signal("booking-changed")


@dataclass(frozen=True)
class BookingSaved:
    """A booking (an outcome) was recorded, or changed."""

    network_id: int
    booking_id: int
    company_id: int
    status: str
