"""The domain events each webhook type comes from (connected once, when the app is built).

Each handler writes the outbox rows in the transaction of the change (no commit): a change rolled back
sends nothing. The payload links to the object in the API (`/api/v1/…`).
"""

from crm.base.database import utcnow
from crm.checkin.events import attendance_recorded
from crm.followups.events import followup_answered, followup_stopped
from crm.impact.events import booking_changed, booking_recorded
from crm.meetings.events import meeting_planned
from crm.showcase.events import edition_published, registration_decided, slot_cancelled, slot_changed
from crm.webhooks.models import EventType
from crm.webhooks.services import queue

# signal, webhook type, the event's field that names the object, the API path of that object
ROUTES = (
    (edition_published, EventType.EDITION_PUBLISHED, "edition_id", "/api/v1/editions/{}"),
    (slot_changed, EventType.SLOT_CHANGED, "slot_id", "/api/v1/slots/{}"),
    (slot_cancelled, EventType.SLOT_CANCELLED, "slot_id", "/api/v1/slots/{}"),
    (registration_decided, EventType.REGISTRATION_DECIDED, "registration_id", "/api/v1/registrations/{}"),
    (attendance_recorded, EventType.ATTENDANCE_RECORDED, "attendance_id", "/api/v1/attendance/{}"),
    (followup_answered, EventType.FOLLOWUP_ANSWERED, "programmer_id", "/api/v1/programmers/{}"),
    (followup_stopped, EventType.FOLLOWUP_STOPPED, "programmer_id", "/api/v1/programmers/{}"),
    (booking_recorded, EventType.BOOKING_RECORDED, "booking_id", "/api/v1/bookings/{}"),
    (booking_changed, EventType.BOOKING_CHANGED, "booking_id", "/api/v1/bookings/{}"),
    (meeting_planned, EventType.MEETING_PLANNED, "session_id", "/api/v1/meeting-sessions/{}"),
)


def _handler(event_type, field, path):
    def handle(_network_id, event):
        object_id = getattr(event, field)
        queue(event.network_id, event_type, object_id, path.format(object_id), now=utcnow())

    return handle


# blinker keeps weak references by default: the handlers are kept here, alive as long as the module.
HANDLERS = []
for _signal, _type, _field, _path in ROUTES:
    HANDLERS.append(_handler(_type, _field, _path))
    _signal.connect(HANDLERS[-1])
