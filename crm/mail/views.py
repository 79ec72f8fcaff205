from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.accounts.models import Role
from crm.database import get_in_network_or_404
from crm.extensions import db
from crm.mail import bp, delivery, services
from crm.mail.models import MailState, OutboxMessage
from crm.permissions import allow
from crm.views import paginate


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
