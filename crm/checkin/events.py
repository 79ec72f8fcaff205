"""What the check-in tells the features above it (they subscribe in their own package, at app start).

Sent inside the transaction: a subscriber flushes, the caller commits.
"""

from dataclasses import dataclass

from blinker import Namespace

events = Namespace()

attendance_recorded = events.signal("attendance-recorded")


@dataclass(frozen=True)
class AttendanceRecorded:
    """A person was ticked in at a slot (at the door, as a walk-in, or from a signed sheet)."""

    network_id: int
    attendance_id: int
    slot_id: int
    programmer_id: int
