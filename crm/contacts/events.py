"""What the directory tells the features above it (they subscribe in their own package, at app start).

Sent inside the transaction: a subscriber flushes, the caller commits.
"""

from dataclasses import dataclass
from datetime import datetime

from blinker import Namespace

events = Namespace()

person_erased = events.signal("person-erased")


@dataclass(frozen=True)
class PersonErased:
    """A programmer's personal data were wiped (on request, or after three years without a sign of life):
    what features keep about the person beyond the directory goes too."""

    network_id: int
    programmer_id: int
    at: datetime
