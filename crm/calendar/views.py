import functools
import hashlib
from datetime import datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import bindparam, select

from crm.accounts.models import Role
from crm.base import rendered
from crm.base.database import utcnow
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.base.links import external_url
from crm.base.permissions import PUBLIC, allow
from crm.base.stamps import COMPANY, EDITION, INVITATION
from crm.base.tokens import LinkError
from crm.calendar import bp, services
from crm.calendar.models import FeedKind
from crm.contacts.models import Organisation
from crm.invitations import services as invitations
from crm.invitations.models import Answer
from crm.meetings import notices as meeting_notices
from crm.meetings import services as meetings
from crm.showcase import ical as feeds
from crm.showcase import programme
from crm.showcase.models import Assignment, Edition, Slot

CACHE = {"public": "public, max-age=300", "private": "private, max-age=300"}


FEED_VERSION = 2  # bump when the way feeds are written changes (the code's own digest is in the key too)


def ics(body: bytes, etag: str, changed: datetime, *, privacy="public", filename=None) -> Response:
    """text/calendar with ETag and Last-Modified, answering 304 to a client that has it already: for
    feeds without change stamps (the tasks), whose Last-Modified is kept by `steady_modified`."""
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.set_etag(etag)
    response.last_modified = services.steady_modified(request.base_url, etag, changed, now=utcnow())
    db.session.commit()
    response.headers["Cache-Control"] = CACHE[privacy]
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response.make_conditional(request)


def slots_feed(
    state, where, name, url_for_slot, *parts, now, hide_cancelled=False, alarm_minutes=None, method=None,
    organizer=None, privacy="public", filename=None, extra=None,
):  # fmt: skip
    """A feed of slots, keyed by its change stamps (`state`, read in one statement) and its options:
    a client that has it gets a 304 at once, another worker finds its bytes in the shared store, and
    a changed feed only writes the events that changed (each keyed by its own row)."""
    options = (FEED_VERSION, request.host_url, alarm_minutes, method)
    feed_key = rendered.key("feed", options, request.path, parts, hide_cancelled, state.versions, state.gone)

    def render_events(conditions, keys_by_id):
        slots = services.load_slots(*conditions, Slot.id.in_(list(keys_by_id)))
        made = {}
        for slot in slots:
            event = feeds.slot_event(slot, url=url_for_slot(slot), alarm_minutes=alarm_minutes)
            if organizer:
                event.add("organizer", organizer())
            changed = feeds.last_changed([slot]).isoformat().encode()
            made[keys_by_id[slot.id]] = changed + b"\n" + event.to_ical()
        return made

    def build():
        conditions = [
            *(where() if callable(where) else where),
            services.shown(now=now, hide_cancelled=hide_cancelled),
        ]
        rows = services.slot_fingerprints(*conditions)
        keys = [rendered.key("event", options, tuple(row)) for row in rows]
        events = rendered.get_many(keys)
        missing = {row[0]: k for row, k in zip(rows, keys, strict=True) if k not in events}
        if missing:
            made = render_events(conditions, missing)
            rendered.put_many(made)
            events.update(made)
        extra_events = [event.to_ical() for event in (extra() if extra else ())]
        calendar = feeds.new_calendar(name(), method=method).to_ical()
        end = b"END:VCALENDAR\r\n"
        body = b"".join(events[k].partition(b"\n")[2] for k in keys)
        return calendar[: -len(end)] + body + b"".join(extra_events) + end

    return rendered.conditional(
        feed_key,
        state.last_modified(),
        build,
        content_type="text/calendar; charset=utf-8",
        cache_control=CACHE[privacy],
        filename=filename,
    )


@functools.cache
def _edition_query(hide_cancelled):
    gone = services.gone_columns(
        [Slot.edition_id == Edition.id],
        cutoff=bindparam("cutoff"),
        hide_cancelled=hide_cancelled,
        joined=False,
    )
    return programme.stamped_query(*gone)


def _edition(slug, *, now, hide_cancelled=False):
    """The published edition (loaded when first used: a 304 needs only its id) and its feed's state,
    in one statement."""
    found = db.session.execute(
        _edition_query(hide_cancelled), {"slug": slug, "cutoff": now - feeds.KEEP_CANCELLED}
    ).one_or_none()
    if found is None:
        abort(404)
    edition_id, network_id, version, changed, gone_count, gone_last = found
    edition = _LazyEdition(edition_id, network_id)
    return edition, services.state_of((version, changed, gone_count, gone_last), 1)


class _LazyEdition:
    """An edition's id and network at once, the rest read from the database the first time it is used."""

    def __init__(self, edition_id, network_id):
        self.id, self.network_id, self._loaded = edition_id, network_id, None

    def __getattr__(self, name):
        if self._loaded is None:  # held here: the session's identity map keeps no object alive
            self._loaded = db.session.get(Edition, self.id)
        return getattr(self._loaded, name)


def _programme_link(edition):
    return lambda _slot: external_url("programme.edition", slug=edition.slug)


# --- Public feeds ------------------------------------------------------------------------------------


@bp.get("/programme/<slug>.ics")
@allow(PUBLIC)
def programme_feed(slug):
    now = utcnow()
    edition, state = _edition(slug, now=now)
    return slots_feed(
        state, services.edition_where(edition), lambda: edition.name, _programme_link(edition), now=now
    )


@bp.get("/programme/<slug>/venues/<int:programme_venue>.ics")
@allow(PUBLIC)
def venue_feed(slug, programme_venue):

    now = utcnow()
    edition, state = _edition(slug, now=now)
    venue = db.session.get(Organisation, programme_venue)
    if venue is None or venue.network_id != edition.network_id:
        abort(404)
    return slots_feed(
        state,
        services.edition_where(edition, venue.id),
        lambda: f"{edition.name} — {venue.name}",
        _programme_link(edition),
        now=now,
    )


@bp.get("/programme/<slug>/slots/<int:programme_slot>.ics")
@allow(PUBLIC)
def slot_download(slug, programme_slot):
    """One slot to add to one's own calendar: METHOD:PUBLISH, so an ORGANIZER (RFC 5546)."""

    now = utcnow()
    edition, state = _edition(slug, now=now)
    where = [*services.edition_where(edition), Slot.id == programme_slot]
    placed = db.session.scalar(select(Assignment.id).join(Slot, Slot.id == Assignment.slot_id).where(*where))
    if placed is None:
        abort(404)
    return slots_feed(
        state,
        where,
        lambda: edition.name,
        _programme_link(edition),
        now=now,
        method="PUBLISH",
        organizer=lambda: feeds.organizer_of(edition.network),
        filename=f"vitrine-{programme_slot}.ics",
    )


@bp.get("/programme/<slug>/subscribe")
@allow(PUBLIC)
def programme_subscribe(slug):
    edition = programme.published_edition(slug)
    if edition is None:
        abort(404)
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
    hide = subscription.hide_cancelled
    if subscription.kind == FeedKind.COMPANY:
        company_id = subscription.company_id
        where = services.company_where(company_id)
        state = services.feed_state([(COMPANY, company_id)], where, now=now, hide_cancelled=hide)
        name = lambda: subscription.company.name  # noqa: E731

        def extra():
            dates = [feeds.outcome_date_event(date) for date in services.confirmed_dates(company_id)]
            return dates + meeting_notices.events(meetings.company_schedule(company_id), "c")
    else:
        invitation = subscription.invitation
        scopes = [(EDITION, invitation.edition_id), (INVITATION, invitation.id)]
        state = services.feed_state(
            scopes, [Slot.edition_id == invitation.edition_id], now=now, hide_cancelled=hide
        )
        where = lambda: services.programmer_where(invitation)  # noqa: E731  (read only to render)
        name = lambda: invitation.edition.name  # noqa: E731

        def extra():
            if invitation.answer not in (Answer.COMING, Answer.MAYBE):
                return []
            mine = meetings.programmer_schedule(invitation.edition_id, invitation.programmer_id)
            return meeting_notices.events(mine, "p")

    def url_for_slot(slot):
        return external_url("programme.edition", slug=edition_slug(slot.edition_id))

    return slots_feed(
        state,
        where,
        name,
        url_for_slot,
        subscription.id,
        now=now,
        hide_cancelled=hide,
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
