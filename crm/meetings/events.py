"""What the meetings tell the features above them (they subscribe in their own package, at app start).

Sent inside the transaction: a subscriber flushes, the caller commits.
"""

from dataclasses import dataclass

from blinker import Namespace

events = Namespace()

meeting_planned = events.signal("meeting-planned")


@dataclass(frozen=True)
class MeetingPlanned:
    """A meeting session's schedule was published, or re-planned for absentees on the day."""

    network_id: int
    edition_id: int
    session_id: int
    replanned: bool
