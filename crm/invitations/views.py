from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.accounts.models import Role
from crm.base.database import get_in_network_or_404, utcnow
from crm.base.enums import Audience, Discipline
from crm.base.errors import DomainError
from crm.base.extensions import csrf, db
from crm.base.geo import departements_in_use_first, regions
from crm.base.permissions import PUBLIC, allow
from crm.base.ratelimit import limited
from crm.base.tokens import LinkError
from crm.base.views import act
from crm.contacts import places
from crm.contacts.models import StructureType
from crm.contacts.services import DIRECTORY_FILTERS, departements_in_use
from crm.invitations import bp, carpool, registry, services
from crm.invitations.models import Answer, CarpoolRole, MatchStatus
from crm.showcase.models import Edition

LISTED = 200  # up to this many, the people are listed with a box each, to remove some by hand


def _filters(source):
    return {key: source.get(key) or None for key in DIRECTORY_FILTERS}


def _links(token):
    return (
        url_for("invitations.rsvp", token=token, _external=True),
        url_for("invitations.stop", token=token, _external=True),
    )


@bp.get("/editions/<int:edition_id>/invitations")
@allow(Role.COORDINATOR)
def board(edition_id):
    edition = get_in_network_or_404(Edition, edition_id, current_user.network_id)
    q, filters = request.args.get("q", ""), _filters(request.args)
    query = services.recipients(edition, q, **filters)
    count = db.session.scalar(db.select(db.func.count()).select_from(query.order_by(None).subquery()))
    listed = db.session.scalars(query.limit(LISTED)).all()
    first = listed[0] if listed else None
    preview = services.message(edition, first, ("https://…/rsvp/…", "https://…/stop/…")) if first else None
    return render_template(
        "invitations/board.html",
        edition=edition,
        board=services.board(edition),
        carpool=carpool.counts(edition),
        pairs=carpool.shared_pairs(edition),
        q=q,
        filters=filters,
        count=count,
        preview=preview,
        listed=listed if count <= LISTED else None,
        departements=departements_in_use_first(departements_in_use(edition.network_id)),
        regions=regions(),
        structure_types=StructureType,
        disciplines=Discipline,
        audiences=Audience,
    )


@bp.post("/editions/<int:edition_id>/invitations")
@allow(Role.COORDINATOR)
@limited("invitations")
def send(edition_id):
    edition = get_in_network_or_404(Edition, edition_id, current_user.network_id)
    people = db.session.scalars(
        services.recipients(edition, request.form.get("q"), **_filters(request.form))
    ).all()
    people = services.chosen(people, request.form.getlist("people") if "listed" in request.form else None)
    result = act(
        lambda: services.invite(edition, people, link_for=_links, now=utcnow()), _("Invitations envoyées.")
    )
    if result:
        flash(
            _(
                "%(sent)d invitation(s) envoyée(s), %(skipped)d personne(s) écartée(s) (opposition).",
                sent=result[0],
                skipped=result[1],
            )
        )
    return redirect(url_for(".board", edition_id=edition.id))


def _link_error(error):
    return render_template("invitations/link_error.html", message=error.message), 404


@bp.route("/rsvp/<token>", methods=["GET", "POST"])
@allow(PUBLIC)
def rsvp(token):
    try:
        invitation = services.by_token(token, now=utcnow())
    except LinkError as error:
        return _link_error(error)
    error = None
    if request.method == "POST":
        try:
            services.answer(
                invitation,
                request.form.get("answer", ""),
                request.form.getlist("days"),
                now=utcnow(),
                shows=request.form.getlist("shows"),
            )
        except (DomainError, ValueError) as problem:
            db.session.rollback()
            error = getattr(problem, "message", _("Choisissez une réponse."))
        else:
            db.session.commit()
            flash(_("Merci, votre réponse est enregistrée. Vous pouvez la changer jusqu'à l'événement."))
            return redirect(url_for(".rsvp", token=token))
    return _page(invitation, error=error)


def _page(invitation, *, error=None, carpool_error=None):
    """The invitation page; after a refused answer or carpool form, what the person typed is kept."""
    answered = error is not None
    chosen = request.form.getlist("days") if answered else [d.day.isoformat() for d in invitation.days]
    liked = request.form.getlist("shows") if answered else [str(s.show_id) for s in invitation.shows]
    return render_template(
        "invitations/rsvp.html",
        invitation=invitation,
        days=services.edition_days(invitation.edition),
        answers=Answer,
        error=error,
        chosen=chosen,
        liked=liked,
        shows=services.programme_shows(invitation.edition),
        current=request.form.get("answer") if answered else invitation.answer,
        sections=registry.sections(invitation, request.view_args["token"]),
        carpool=_carpool_form(invitation, carpool_error),
        carpool_error=carpool_error,
        matches=carpool.seen_by(invitation),
        roles=CarpoolRole,
    ), 422 if error or carpool_error else 200


def _carpool_form(invitation, problem):
    """The carpool form's values: as typed after a refusal, else as saved (departure: the structure's)."""
    if problem is not None:
        form = request.form
        place = places.locate(form.get("postcode"), form.get("town"), form.get("commune_code"))
        return {
            "days": {
                d.day: (form.get(f"role-{d.day.isoformat()}", ""), form.get(f"seats-{d.day.isoformat()}", ""))
                for d in invitation.days
            },
            "postcode": form.get("postcode", ""),
            "town": form.get("town", ""),
            "commune_code": form.get("commune_code", ""),
            "choices": place.choices if problem.field == "commune_code" else (),
            "shared": bool(form.get("shared")),
        }
    saved = carpool.entries(invitation)
    departure = carpool.default_departure(invitation)
    return {
        "days": {
            d.day: (saved[d.day].role.value, saved[d.day].seats or "") if d.day in saved else ("", "")
            for d in invitation.days
        },
        "postcode": departure.postcode,
        "town": departure.town,
        "commune_code": departure.commune_code or "",
        "choices": (),
        "shared": any(entry.shared for entry in saved.values()),
    }


@bp.post("/rsvp/<token>/carpool")
@allow(PUBLIC)
def carpool_save(token):
    try:
        invitation = services.by_token(token, now=utcnow())
    except LinkError as error:
        return _link_error(error)
    form = request.form
    wishes = {
        d.day: (form.get(f"role-{d.day.isoformat()}", ""), form.get(f"seats-{d.day.isoformat()}"))
        for d in invitation.days
    }
    departure = {key: form.get(key) for key in ("postcode", "town", "commune_code")}
    try:
        proposed = carpool.save(invitation, wishes, departure, shared=bool(form.get("shared")), now=utcnow())
    except DomainError as problem:
        db.session.rollback()
        return _page(invitation, carpool_error=problem)
    db.session.commit()
    if proposed:
        flash(_("Un covoiturage vous est proposé : acceptez-le ci-dessous."))
    else:
        flash(_("C'est noté. Nous vous proposerons un covoiturage dès qu'un trajet correspond."))
    return redirect(url_for(".rsvp", token=token, _anchor="covoiturage"))


@bp.post("/rsvp/<token>/carpool/answer")
@allow(PUBLIC)
def carpool_answer(token):
    try:
        invitation = services.by_token(token, now=utcnow())
    except LinkError as error:
        return _link_error(error)
    choice = request.form.get("choice", "")
    try:
        row = carpool.respond(invitation, request.form.get("match"), choice, now=utcnow())
    except DomainError as problem:
        db.session.rollback()
        flash(problem.message, "error")
        return redirect(url_for(".rsvp", token=token, _anchor="covoiturage"))
    db.session.commit()
    if row.status == MatchStatus.ACCEPTED:
        flash(_("Covoiturage confirmé : vous voyez maintenant les coordonnées de l'autre personne."))
    elif choice == "accept":
        flash(_("Merci. Les coordonnées s'afficheront quand l'autre personne aura accepté aussi."))
    else:
        flash(_("C'est noté : ce covoiturage n'aura pas lieu."))
    return redirect(url_for(".rsvp", token=token, _anchor="covoiturage"))


@bp.route("/stop/<token>", methods=["GET", "POST"])
@allow(PUBLIC)
@csrf.exempt  # the link in the message is the authorisation: mail providers post it with no cookie
def stop(token):
    try:
        invitation = services.by_token(token, now=utcnow())
    except LinkError as error:
        return _link_error(error)
    if request.method == "POST":
        services.stop_messages(invitation, now=utcnow())
        db.session.commit()
        return render_template("invitations/stopped.html", network=invitation.edition.network)
    return render_template("invitations/stop.html", network=invitation.edition.network)
