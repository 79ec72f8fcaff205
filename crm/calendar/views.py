import hashlib
from datetime import datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.accounts.models import Role
from crm.base.database import utcnow
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.base.links import external_url
from crm.base.permissions import PUBLIC, allow
from crm.base.tokens import LinkError
from crm.calendar import bp, cache, services
from crm.calendar.models import FeedKind
from crm.contacts.models import Organisation
from crm.invitations import services as invitations
from crm.showcase import ical as feeds
from crm.showcase import programme
from crm.showcase.models import Edition, Slot

CACHE = {"public": "public, max-age=300", "private": "private, max-age=300"}


FEED_VERSION = 1  # bump when the way feeds are written changes


def ics(body: bytes, etag: str, changed: datetime, *, privacy="public", filename=None) -> Response:
    """text/calendar with ETag and Last-Modified, answering 304 to a client that has it already."""
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.set_etag(etag)
    response.last_modified = services.steady_modified(request.base_url, etag, changed, now=utcnow())
    db.session.commit()
    response.headers["Cache-Control"] = CACHE[privacy]
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response.make_conditional(request)


def slots_feed(
    where, name, url_for_slot, *parts, now, hide_cancelled=False, alarm_minutes=None, method=None,
    organizer=None, privacy="public", filename=None, extra=(),
):  # fmt: skip
    """A feed of slots. Its rows (one light query) key the whole feed, and each row keys its event, so an
    unchanged feed is not written again and a changed one only writes the events that changed."""
    where = [*where, services.shown(now=now, hide_cancelled=hide_cancelled)]
    options = (FEED_VERSION, request.host_url, alarm_minutes, method, str(organizer or ""))

    def render_events(keys):
        by_key = {key: slot_id for slot_id, key in keys_by_id.items()}
        slots = services.load_slots(*where, Slot.id.in_([by_key[k] for k in keys]))
        made = {}
        for slot in slots:
            event = feeds.slot_event(slot, url=url_for_slot(slot), alarm_minutes=alarm_minutes)
            if organizer:
                event.add("organizer", organizer)
            made[keys_by_id[slot.id]] = (event.to_ical(), feeds.last_changed([slot]))
        return made

    def build():
        rows = services.slot_fingerprints(*where)
        event_keys[:] = [cache.key(options, tuple(row)) for row in rows]
        keys_by_id.update({row[0]: key for key, row in zip(event_keys, rows, strict=True)})
        events = cache.events(event_keys, render_events)
        calendar = feeds.new_calendar(name, method=method).to_ical()
        end = b"END:VCALENDAR\r\n"
        body = calendar[: -len(end)] + b"".join(e for e, _changed in events) + b"".join(extra_bytes) + end
        return body, max([changed for _event, changed in events] + extra_changed, default=feeds.EPOCH)

    extra_bytes = [event.to_ical() for event in extra]  # a few all-day events: written every time
    extra_changed = [event["DTSTAMP"].dt for event in extra]
    event_keys, keys_by_id = [], {}
    feed_key = cache.key(options, request.base_url, name, parts, services.feed_state(*where), extra_bytes)
    body, etag, changed = cache.get_or_render(feed_key, build)
    return ics(body, etag, changed, privacy=privacy, filename=filename)


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
    return slots_feed(services.edition_where(edition), edition.name, _programme_link(edition), now=utcnow())


@bp.get("/programme/<slug>/venues/<int:programme_venue>.ics")
@allow(PUBLIC)
def venue_feed(slug, programme_venue):

    edition = _edition(slug)
    venue = db.session.get(Organisation, programme_venue)
    if venue is None or venue.network_id != edition.network_id:
        abort(404)
    name = f"{edition.name} — {venue.name}"
    return slots_feed(services.edition_where(edition, venue.id), name, _programme_link(edition), now=utcnow())


@bp.get("/programme/<slug>/slots/<int:programme_slot>.ics")
@allow(PUBLIC)
def slot_download(slug, programme_slot):
    """One slot to add to one's own calendar: METHOD:PUBLISH, so an ORGANIZER (RFC 5546)."""

    edition = _edition(slug)
    where = [*services.edition_where(edition), Slot.id == programme_slot]
    if not services.slot_fingerprints(*where):
        abort(404)
    return slots_feed(
        where,
        edition.name,
        _programme_link(edition),
        now=utcnow(),
        method="PUBLISH",
        organizer=feeds.organizer_of(edition.network),
        filename=f"vitrine-{programme_slot}.ics",
    )


@bp.get("/programme/<slug>/subscribe")
@allow(PUBLIC)
def programme_subscribe(slug):
    edition = _edition(slug)
    url = external_url("calendar.programme_feed", slug=edition.slug)

    venues = {
        v.id: v
        for v in db.session.scalars(
            db.select(Organisation)
            .join(Slot, Slot.venue_id == Organisation.id)
            .where(*services.edition_where(edition))
            .distinct()
            .order_by(Organisation.name)
        )
    }
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
        body = calendar.to_ical()
        changed = max((t.created_at for t in tasks), default=feeds.EPOCH)
        return ics(body, hashlib.sha256(body).hexdigest(), changed, privacy="private")
    extra = []
    if subscription.kind == FeedKind.COMPANY:
        where, name, parts = services.company_where(subscription.company_id), subscription.company.name, ()
        extra = [feeds.outcome_date_event(date) for date in services.confirmed_dates(subscription.company_id)]
    else:
        invitation = subscription.invitation
        where, name = services.programmer_where(invitation), invitation.edition.name
        parts = (invitation.answer, [d.day for d in invitation.days], invitation.edition.status)

    def url_for_slot(slot):
        return external_url("programme.edition", slug=edition_slug(slot.edition_id))

    return slots_feed(
        where,
        name,
        url_for_slot,
        parts,
        now=now,
        hide_cancelled=subscription.hide_cancelled,
        alarm_minutes=subscription.alarm_minutes,
        privacy="private",
        extra=extra,
    )


def edition_slug(edition_id) -> str:

    return db.session.get(Edition, edition_id).slug  # the identity map keeps each edition once


def _owner(feed) -> tuple[FeedKind, int]:
    if feed == "company" and current_user.role == Role.MEMBER:
        return FeedKind.COMPANY, current_user.company_id
    if feed == "tasks":
        return FeedKind.TASKS, current_user.id
    abort(404)


def _manage(kind, owner_id, back):
    """The owner's page: links, options, a new link (the old one stops working), or no link at all.
    Looking at the page writes nothing; the first POST makes the link."""
    error = None
    if request.method == "POST":
        subscription = services.subscription_for(kind, owner_id)
        action = request.form.get("action")
        try:
            if action == "regenerate":
                services.regenerate(subscription)
                message = _("Nouveau lien créé : l'ancien ne fonctionne plus. Abonnez-vous avec celui-ci.")
            elif action == "revoke":
                services.revoke(subscription)
                message = _("Lien désactivé : plus personne ne peut lire ce calendrier.")
            elif action == "create":
                message = _("Lien créé : abonnez-vous avec lui dans votre agenda.")
            else:
                services.set_options(subscription, request.form)
                message = _("Réglages enregistrés.")
        except DomainError as problem:
            db.session.rollback()
            error = problem
        else:
            db.session.commit()
            flash(message)
            return redirect(request.path)
    subscription = services.find_subscription(kind, owner_id)
    if error is not None and subscription is None:
        flash(error.message, "error")
    url = (
        None
        if subscription is None or subscription.revoked
        else external_url("calendar.private_feed", secret=services.token_for(subscription))
    )
    return render_template(
        "calendar/subscribe.html",
        title=kind.label,
        feed_url=url,
        subscription=subscription,
        creatable=subscription is None,
        error=error,
        typed=request.form if error else None,
        back=back,
    ), 422 if error else 200


@bp.route("/calendars/subscribe/<feed>", methods=["GET", "POST"])
@allow(Role.COORDINATOR, Role.MEMBER)
def subscribe(feed):
    return _manage(*_owner(feed), url_for("pages.home"))


@bp.route("/rsvp/<token>/calendar", methods=["GET", "POST"])
@allow(PUBLIC)
def programmer_subscribe(token):
    """Reached from the RSVP page: the person's agenda (no account; the invitation link is the key)."""

    try:
        invitation = invitations.by_token(token, now=utcnow())
    except LinkError as error:
        return render_template("invitations/link_error.html", message=error.message), 404
    return _manage(FeedKind.PROGRAMMER, invitation.id, url_for("invitations.rsvp", token=token))
