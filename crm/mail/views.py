from flask import render_template
from flask_login import current_user

from crm.accounts.models import Role
from crm.mail import bp, services
from crm.permissions import allow
from crm.views import paginate


@bp.get("/outbox")
@allow(Role.COORDINATOR)
def outbox():
    page = paginate(services.outbox_query(current_user.network_id))
    return render_template("mail/outbox.html", page=page)
