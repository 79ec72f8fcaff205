import click
from flask.cli import AppGroup
from sqlalchemy import select

from crm.accounts import services
from crm.accounts.models import Role
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.contacts.models import Organisation, OrganisationKind
from crm.networks.models import Network

users_cli = AppGroup("users", help="Manage user accounts.")


def _find_company(value):
    query = select(Organisation).where(Organisation.kind == OrganisationKind.COMPANY)
    if value.isdigit():
        return db.session.scalar(query.where(Organisation.id == int(value)))
    matches = list(db.session.scalars(query.where(Organisation.name == value)))
    if len(matches) > 1:
        raise click.UsageError(f"several companies are named {value!r}: give its id instead")
    return matches[0] if matches else None


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", "full_name", help="Full name shown in the app (defaults to the e-mail).")
@click.option("--network", "network_slug", help="Network slug (coordinators).")
@click.option("--company", help="Company id or exact name (company members).")
@click.password_option(prompt="Password", help="Asked for when not given.")
def create_user(email, role, full_name, network_slug, company, password):
    """Create an account."""
    network = None
    if network_slug:
        network = db.session.scalar(select(Network).where(Network.slug == network_slug))
        if network is None:
            raise click.UsageError(f"no network with slug {network_slug!r}")
    company_row = _find_company(company) if company else None
    if company and company_row is None:
        raise click.UsageError(f"no company {company!r}")
    try:
        user = services.create_user(
            email=email, full_name=full_name or email, role=Role(role),
            password=password, network=network, company=company_row,
        )  # fmt: skip
    except DomainError as error:
        raise click.UsageError(str(error.message)) from None
    db.session.commit()
    click.echo(f"created user {user.id} ({user.role.value})")
