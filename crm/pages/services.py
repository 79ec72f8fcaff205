"""What the home page shows each role, computed by the database."""

from dataclasses import dataclass

from sqlalchemy import func, select

from crm.accounts.models import User
from crm.base.extensions import db
from crm.contacts.models import Organisation, OrganisationKind, Programmer
from crm.cooperation import services as shared_budget
from crm.meetings.services import sessions_for_company
from crm.networks.models import Network
from crm.showcase.models import Edition, Show
from crm.showcase.registrations import company_registrations


@dataclass
class NetworkCounts:
    companies: int
    structures: int
    programmers: int
    shows: int


def network_counts(network_id: int) -> NetworkCounts:
    def count(model, *where):
        query = select(func.count()).select_from(model).where(model.network_id == network_id, *where)
        return db.session.scalar(query)

    return NetworkCounts(
        companies=count(Organisation, Organisation.kind == OrganisationKind.COMPANY),
        structures=count(Organisation, Organisation.kind == OrganisationKind.STRUCTURE),
        programmers=count(Programmer),
        shows=count(Show),
    )


def recent_editions(network_id: int, limit: int = 6) -> list[Edition]:
    query = select(Edition).where(Edition.network_id == network_id).order_by(Edition.starts_on.desc())
    return list(db.session.scalars(query.limit(limit)))


def member_home(user: User) -> dict:

    company = db.session.get(Organisation, user.company_id)
    editions = recent_editions(user.network_id)
    mine = company_registrations([e.id for e in editions], company.id)
    return {
        "company": company,
        "shows": company.shows,
        "editions": editions,
        "registrations": {e.id: [r for r in mine if r.edition_id == e.id] for e in editions},
        "meeting_sessions": sessions_for_company(company.id, [e.id for e in editions]),
        "budgets": shared_budget.editions_with_budget([e.id for e in editions]),
    }


def instance_counts() -> dict:
    return {
        "networks": db.session.scalar(select(func.count()).select_from(Network)),
        "users": db.session.scalar(select(func.count()).select_from(User)),
    }
