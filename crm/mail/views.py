from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.base.database import get_in_network_or_404, utcnow
from crm.base.enums import Role
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.base.permissions import allow
from crm.base.views import act, paginate
from crm.mail import bp, delivery, events, inbound, services
from crm.mail.models import InboundMessage, InboundState, MailState, OutboxMessage


@bp.get("/outbox")
@allow(Role.COORDINATOR)
def outbox():
    state = request.args.get("etat") if request.args.get("etat") == "flagged" else None
    page = paginate(
        services.outbox_query(current_user.network_id, state).options(
            db.selectinload(OutboxMessage.attempts_log)
        )
    )
    return render_template(
        "mail/outbox.html",
        page=page,
        state=state,
        flagged=delivery.flagged_count(current_user.network_id),
        unmatched=inbound.unmatched_count(current_user.network_id),
        flagged_states=MailState.flagged(),
        smtp=services.smtp_configured(),
    )


@bp.post("/outbox/<int:message_id>")
@allow(Role.COORDINATOR)
def resolve(message_id):
    message = get_in_network_or_404(OutboxMessage, message_id, current_user.network_id)
    delivery.resolve(message, resend=request.form.get("decision") == "resend")
    db.session.commit()
    flash(_("C'est noté."))
    return redirect(url_for(".outbox", etat="flagged"))


# --- Incoming mail that could not be matched ----------------------------------------------------------


def _inbox_scope():
    """Coordinators see their network's; the administrator sees what no network could be told of."""
    if current_user.role == Role.ADMIN:
        return InboundMessage.network_id.is_(None)
    return InboundMessage.network_id == current_user.network_id


@bp.get("/inbox")
@allow(Role.COORDINATOR, Role.ADMIN)
def inbox():
    page = paginate(
        db.select(InboundMessage)
        .where(_inbox_scope(), InboundMessage.state == InboundState.UNMATCHED)
        .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
    )
    return render_template("mail/inbox.html", page=page, can_attach=current_user.role == Role.COORDINATOR)


@bp.post("/inbox/<int:inbound_id>")
@allow(Role.COORDINATOR, Role.ADMIN)
def inbox_decide(inbound_id):
    row = db.session.get(InboundMessage, inbound_id)
    if row is None or not db.session.scalar(db.select(_inbox_scope()).where(InboundMessage.id == row.id)):
        abort(404)
    if request.form.get("decision") == "discard":
        act(lambda: inbound.discard(row, now=utcnow()), _("Message écarté."))
    elif current_user.role == Role.COORDINATOR:
        act(
            lambda: _attach(row, request.form.get("email", "")),
            _("Message rattaché : il est traité comme une réponse."),
        )
    return redirect(url_for(".inbox"))


def _attach(row, address):
    person = events.person_for_address(current_user.network_id, address)
    if person is None:
        raise DomainError(
            _("Aucun·e programmateur·rice du réseau n'a l'adresse « %(email)s ».", email=address)
        )
    row.network_id = current_user.network_id
    inbound.attach(row, person, now=utcnow())
