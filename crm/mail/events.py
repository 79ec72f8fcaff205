"""What the mail layer tells the features above it (they subscribe in their own package)."""

from dataclasses import dataclass
from datetime import date, datetime

from blinker import Namespace

events = Namespace()

address_bounced = events.signal("address-bounced")


@dataclass(frozen=True)
class AddressBounced:
    """The recipient's server refused a programmer's address for good."""

    network_id: int
    programmer_id: int
    at: datetime


reply_received = events.signal("reply-received")
auto_reply_received = events.signal("auto-reply-received")
person_objected_by_mail = events.signal("person-objected-by-mail")


@dataclass(frozen=True)
class Reply:
    """A person answered one of our messages by e-mail (their own words, quotes removed)."""

    network_id: int
    programmer_id: int
    inbound_id: int
    answered_message_id: str | None  # the Message-ID of ours they answered, when known
    text: str
    at: datetime


@dataclass(frozen=True)
class AutoReply:
    """An out-of-office notice: noted, nothing stops; `back_on` when it says when."""

    network_id: int
    programmer_id: int
    inbound_id: int
    answered_message_id: str | None
    back_on: date | None
    at: datetime


@dataclass(frozen=True)
class PersonObjected:
    """A complaint (ARF) or a mail to the unsubscribe address: an objection."""

    network_id: int
    programmer_id: int
    inbound_id: int
    at: datetime


person_looked_up = events.signal("person-looked-up")


def person_for_address(network_id: int, address: str) -> int | None:
    """The network's person with this address, asked of whoever keeps people (the directory answers)."""
    for _receiver, found in person_looked_up.send(network_id, address=address.strip().lower()):
        if found is not None:
            return found
    return None
