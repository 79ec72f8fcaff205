"""The follow-up's dashboard: the follow-up's own figures with the report's funnel and the bookings
still to credit, composed here, above both features. The route stays the follow-up's."""

from flask import render_template
from flask_login import current_user

from crm.base.database import get_in_network_or_404
from crm.base.enums import Role
from crm.base.permissions import allow
from crm.base.timeutil import today_local
from crm.base.views import paginate
from crm.followups import bp, dashboard, services
from crm.impact.report import funnel
from crm.impact.services import missing_logo_count
from crm.showcase.models import Edition


@bp.get("/editions/<int:edition_id>/suivi")
@allow(Role.COORDINATOR, Role.MEMBER)
def dashboard_page(edition_id):
    edition = get_in_network_or_404(Edition, edition_id, current_user.network_id)
    today = today_local()
    page = paginate(dashboard.people_query(edition))
    contacts = dashboard.last_contacts([e.programmer_id for e in page.items], current_user)
    return render_template(
        "followups/dashboard.html",
        edition=edition,
        sequence=services.sequence_for(edition),
        funnel=funnel([edition.id]),  # the very figures of the edition's report: one definition
        by_company=dashboard.tasks_by_company(edition, today),
        by_person=dashboard.tasks_by_person(edition, today),
        answers=dashboard.recent_answers(edition),
        replies=dashboard.email_replies(edition),
        page=page,
        contacts=contacts,
        missing_logo=missing_logo_count(current_user, edition.id),
    )
