"""How bookings react to what the follow-up reports (connected once, when the app is built)."""

from crm.followups.events import booking_wished
from crm.impact.services import draft_from_answer


@booking_wished.connect
def _draft_the_booking(_network_id, event):
    draft_from_answer(event)
