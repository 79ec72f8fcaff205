"""Which records the signed-in person may reach, for the pages of every feature."""

from flask import abort
from flask_login import current_user

from crm.base.database import get_in_network_or_404
from crm.contacts.models import Organisation, OrganisationKind


def company_for_actor(company_id: int) -> Organisation:
    """A company of the actor's network; a member reaches only their own (404 for the others)."""
    company = get_in_network_or_404(Organisation, company_id, current_user.network_id)
    if company.kind != OrganisationKind.COMPANY or (
        current_user.is_member and company.id != current_user.company_id
    ):
        abort(404)
    return company
