"""Networks and accounts, as the instance administrator manages them."""

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.accounts.models import User
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.base.forms import blank, options
from crm.contacts.models import Organisation, OrganisationKind
from crm.networks.models import Network


def save_network(network, data: dict) -> Network:
    for field in ("name", "slug"):
        taken = db.session.scalar(select(Network.id).where(getattr(Network, field) == data[field]))
        if taken and (network is None or taken != network.id):
            raise DomainError(_("Déjà utilisé par un autre réseau."), field=field)
    if network is None:
        network = Network()
        db.session.add(network)
    network.name = data["name"]
    network.slug = data["slug"]
    network.contact_email = (data.get("contact_email") or "").lower() or None
    network.sender_name = (data.get("sender_name") or "").strip() or None
    network.sender_address = (data.get("sender_address") or "").strip().lower() or None
    db.session.flush()
    return network


def networks_query():
    return select(Network).order_by(Network.name)


def users_query():
    return select(User).options(selectinload(User.network), selectinload(User.company)).order_by(User.email)


def network_choices():
    return blank("—") + options((n.id, n.name) for n in db.session.scalars(networks_query()))


def company_choices():
    rows = db.session.execute(
        select(Organisation.id, Organisation.name, Network.name.label("network"))
        .join(Network, Network.id == Organisation.network_id)
        .where(Organisation.kind == OrganisationKind.COMPANY)
        .order_by(Network.name, Organisation.name)
    )
    return blank("—") + options((row.id, f"{row.name} ({row.network})") for row in rows)


def set_active(user: User, active: bool, *, actor: User) -> None:
    if user.id == actor.id and not active:
        raise DomainError(_("Vous ne pouvez pas désactiver votre propre compte."))
    user.active = active
