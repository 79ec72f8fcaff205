"""What the showcase tells the features above it (they subscribe in their own package, at app start).

Sent inside the transaction, from the domain functions (pages, API and CLI alike): a subscriber
flushes, the caller commits, so a change rolled back leaves nothing behind.
"""

from dataclasses import dataclass

from blinker import Namespace

events = Namespace()

edition_published = events.signal("edition-published")
slot_changed = events.signal("slot-changed")
slot_cancelled = events.signal("slot-cancelled")
registration_decided = events.signal("registration-decided")


@dataclass(frozen=True)
class EditionPublished:
    """An edition's programme is published."""

    network_id: int
    edition_id: int


@dataclass(frozen=True)
class SlotChanged:
    """A slot moved (time or venue), or the show placed in it changed ("moved", "assigned",
    "unassigned")."""

    network_id: int
    edition_id: int
    slot_id: int
    what: str


@dataclass(frozen=True)
class SlotCancelled:
    network_id: int
    edition_id: int
    slot_id: int


@dataclass(frozen=True)
class RegistrationDecided:
    """A registration was accepted, waitlisted or declined."""

    network_id: int
    edition_id: int
    registration_id: int
    decision: str
