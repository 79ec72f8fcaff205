"""One personal-link helper for every feature; the links already sent keep working."""

import hashlib
import hmac

from itsdangerous import URLSafeSerializer

from crm.base.extensions import db
from crm.base.tokens import sign, unsign
from crm.calendar import services as calendars
from crm.calendar.models import FeedKind
from crm.followups import services as followups
from crm.invitations import services as invitations
from crm.invitations.models import Invitation


def test_a_link_opens_only_what_it_was_made_for(app):
    token = sign("invitation", 42)
    assert unsign("invitation", token) == (42,)
    assert unsign("followup-enrolment", token) is None
    assert unsign("calendar", token) is None
    assert unsign("invitation", token[:-2] + "xx") is None
    for forged in ("", "abc", sign("invitation", "42"), sign("invitation", True), sign("invitation", -1)):
        assert unsign("invitation", forged) is None


def test_follow_up_and_invitation_links_are_written_as_before(app, world):
    key = app.config["SECRET_KEY"]
    assert followups.token_for(7) == URLSafeSerializer(key, salt="followup-enrolment").dumps(7)
    assert followups.token_for(7, 2) == URLSafeSerializer(key, salt="followup-enrolment").dumps([7, 2])
    invitation = db.session.scalars(db.select(Invitation)).first()
    old = URLSafeSerializer(key, salt="invitation").dumps(invitation.id)
    assert invitations.signed_token(invitation) == old
    assert invitations._by_signed(old) is invitation


def test_a_private_calendar_link_of_the_former_form_still_opens_until_regenerated(app, world):
    subscription = calendars.subscription_for(FeedKind.COMPANY, world.a.companies[0].id)
    db.session.commit()
    message = f"calendar:{subscription.id}:{subscription.version}".encode()
    signature = hmac.new(app.config["SECRET_KEY"].encode(), message, hashlib.sha256).hexdigest()[:43]
    former = f"{subscription.id}-{signature}"
    current = calendars.token_for(subscription)
    assert current != former
    assert calendars.by_token(former) is subscription and calendars.by_token(current) is subscription
    calendars.regenerate(subscription)
    db.session.commit()
    assert calendars.by_token(former) is None and calendars.by_token(current) is None
    assert calendars.by_token(calendars.token_for(subscription)) is subscription
