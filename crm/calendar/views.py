import hashlib
from datetime import datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.accounts.models import Role
from crm.calendar import bp, feeds, services
from crm.calendar.models import FeedKind
from crm.database import utcnow
from crm.extensions import db
from crm.links import external_url
from crm.permissions import PUBLIC, allow
from crm.showcase import programme

CACHE = {"public": "public, max-age=300", "private": "private, max-age=300"}


def ics(calendar, *, changed: datetime, privacy="public", filename=None) -> Response:
    """text/calendar with ETag and Last-Modified, answering 304 to a client that has it already."""
    body = calendar.to_ical()
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.set_etag(hashlib.sha256(body).hexdigest())
    response.last_modified = changed.replace(microsecond=0)
    response.headers["Cache-Control"] = CACHE[privacy]
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response.make_conditional(request)


def _edition(slug):
    edition = programme.published_edition(slug)
    if edition is None:
        abort(404)
    return edition


def _programme_link(edition):
    return lambda _slot: external_url("programme.edition", slug=edition.slug)


# --- Public feeds ------------------------------------------------------------------------------------


@bp.get("/programme/<slug>.ics")
@allow(PUBLIC)
def programme_feed(slug):
    edition = _edition(slug)
    slots = feeds.visible(services.edition_slots(edition), now=utcnow())
    calendar = feeds.slots_calendar(edition.name, slots, url_for_slot=_programme_link(edition))
    return ics(calendar, changed=max(feeds.last_changed(slots), edition.published_at or feeds.EPOCH))


@bp.get("/programme/<slug>/venues/<int:programme_venue>.ics")
@allow(PUBLIC)
def venue_feed(slug, programme_venue):
    edition = _edition(slug)
    slots = feeds.visible(services.edition_slots(edition, programme_venue), now=utcnow())
    if not slots:
        abort(404)
    name = f"{edition.name} — {slots[0].venue.name}"
    calendar = feeds.slots_calendar(name, slots, url_for_slot=_programme_link(edition))
    return ics(calendar, changed=max(feeds.last_changed(slots), edition.published_at or feeds.EPOCH))


@bp.get("/programme/<slug>/slots/<int:programme_slot>.ics")
@allow(PUBLIC)
def slot_download(slug, programme_slot):
    """One slot to add to one's own calendar: METHOD:PUBLISH, so an ORGANIZER (RFC 5546)."""
    edition = _edition(slug)
    slots = [s for s in services.edition_slots(edition) if s.id == programme_slot]
    if not slots:
        abort(404)
    calendar = feeds.slots_calendar(
        edition.name,
        slots,
        url_for_slot=_programme_link(edition),
        method="PUBLISH",
        organizer=feeds.organizer_of(edition.network),
    )
    return ics(calendar, changed=feeds.last_changed(slots), filename=f"vitrine-{programme_slot}.ics")


@bp.get("/programme/<slug>/subscribe")
@allow(PUBLIC)
def programme_subscribe(slug):
    edition = _edition(slug)
    url = external_url("calendar.programme_feed", slug=edition.slug)
    venues = {s.venue_id: s.venue for s in services.edition_slots(edition)}
    return render_template(
        "calendar/subscribe.html",
        title=_("S'abonner au programme de %(name)s", name=edition.name),
        feed_url=url,
        venues=[
            (v.name, external_url("calendar.venue_feed", slug=edition.slug, programme_venue=v.id))
            for v in venues.values()
        ],
        back=url_for("programme.edition", slug=edition.slug),
    )


# --- Private feeds -----------------------------------------------------------------------------------


@bp.get("/calendars/<secret>.ics")
@allow(PUBLIC)
def private_feed(secret):
    """A private feed: the secret link is the authorisation. Unknown or revoked: 404, no hint which."""
    subscription = services.by_token(secret)
    if subscription is None:
        abort(404)
    now = utcnow()
    if subscription.kind == FeedKind.TASKS:
        tasks = services.open_tasks(subscription.user)
        calendar = feeds.tasks_calendar(
            _("Tâches de suivi — %(name)s", name=subscription.user.full_name),
            tasks,
            url_for_task=lambda task: external_url("followups.task", task_id=task.id),
        )
        changed = max((t.created_at for t in tasks), default=feeds.EPOCH)
        return ics(calendar, changed=changed, privacy="private")
    if subscription.kind == FeedKind.COMPANY:
        slots, name = services.company_slots(subscription.company_id), subscription.company.name
    else:
        invitation = subscription.invitation
        slots, name = services.programmer_slots(invitation), invitation.edition.name
    slots = feeds.visible(slots, now=now, hide_cancelled=subscription.hide_cancelled)
    slugs = edition_slugs({s.edition_id for s in slots})
    calendar = feeds.slots_calendar(
        name,
        slots,
        url_for_slot=lambda slot: external_url("programme.edition", slug=slugs[slot.edition_id]),
        alarm_minutes=subscription.alarm_minutes,
    )
    return ics(calendar, changed=max(feeds.last_changed(slots), subscription.created_at), privacy="private")


def edition_slugs(edition_ids) -> dict:
    from crm.showcase.models import Edition

    if not edition_ids:
        return {}
    return dict(
        db.session.execute(db.select(Edition.id, Edition.slug).where(Edition.id.in_(edition_ids))).all()
    )


def _owner_subscription(feed):
    if feed == "company" and current_user.role == Role.MEMBER:
        return services.subscription_for(FeedKind.COMPANY, current_user.company_id)
    if feed == "tasks":
        return services.subscription_for(FeedKind.TASKS, current_user.id)
    abort(404)


def _manage(subscription, back):
    """The owner's page: links, options, a new link (the old one stops working), or no link at all."""
    if request.method == "POST":
        action = request.form.get("action")
        if action == "regenerate":
            services.regenerate(subscription)
            flash(_("Nouveau lien créé : l'ancien ne fonctionne plus. Abonnez-vous avec celui-ci."))
        elif action == "revoke":
            services.revoke(subscription)
            flash(_("Lien désactivé : plus personne ne peut lire ce calendrier."))
        else:
            services.set_options(subscription, request.form)
            flash(_("Réglages enregistrés."))
        db.session.commit()
        return redirect(request.path)
    db.session.commit()  # a first visit creates the subscription
    url = (
        None
        if subscription.revoked
        else external_url("calendar.private_feed", secret=services.token_for(subscription))
    )
    return render_template(
        "calendar/subscribe.html",
        title=subscription.kind.label,
        feed_url=url,
        subscription=subscription,
        back=back,
    )


@bp.route("/calendars/subscribe/<feed>", methods=["GET", "POST"])
@allow(Role.COORDINATOR, Role.MEMBER)
def subscribe(feed):
    return _manage(_owner_subscription(feed), url_for("core.home"))


@bp.route("/rsvp/<token>/calendar", methods=["GET", "POST"])
@allow(PUBLIC)
def programmer_subscribe(token):
    """Reached from the RSVP page: the person's agenda (no account; the invitation link is the key)."""
    from crm.invitations import services as invitations

    try:
        invitation = invitations.by_token(token, now=utcnow())
    except invitations.LinkError as error:
        return render_template("invitations/link_error.html", message=error.message), 404
    subscription = services.subscription_for(FeedKind.PROGRAMMER, invitation.id)
    return _manage(subscription, url_for("invitations.rsvp", token=token))
