"""What the mail layer tells the features above it (they subscribe in their own package)."""

from dataclasses import dataclass
from datetime import datetime

from blinker import Namespace

events = Namespace()

address_bounced = events.signal("address-bounced")


@dataclass(frozen=True)
class AddressBounced:
    """The recipient's server refused a programmer's address for good."""

    network_id: int
    programmer_id: int
    at: datetime
