"""`flask --app wsgi api token create|list|revoke`: the network's API tokens from the command line."""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from crm.api import tokens
from crm.api.models import ApiToken, TokenScope
from crm.base.database import utcnow
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.networks.models import Network

api_cli = AppGroup("api", help="L'API JSON : jetons d'accès des réseaux.")
token_cli = AppGroup("token", help="Jetons d'accès à l'API.")
api_cli.add_command(token_cli)


def _network(slug: str) -> Network:
    found = db.session.scalar(select(Network).where(Network.slug == slug))
    if found is None:
        raise click.BadParameter(f"aucun réseau n'a le code « {slug} »", param_hint="--network")
    return found


@token_cli.command("create")
@click.option("--network", "slug", required=True, help="Code du réseau (slug).")
@click.option("--scope", type=click.Choice([s.value for s in TokenScope]), default="read", show_default=True)
@click.option("--name", required=True, help="L'outil ou le site qui s'en servira.")
def create_command(slug, scope, name):
    """Make a token and print it, this once."""
    network = _network(slug)
    try:
        row, secret = tokens.create(network, scope=scope, name=name, now=utcnow())
    except DomainError as error:
        raise click.BadParameter(str(error.message), param_hint="--name") from None
    db.session.commit()
    click.echo(
        f"Jeton n° {row.id} ({row.scope.value}) pour {network.name} — copiez-le, il ne sera plus affiché :"
    )
    click.echo(secret)


@token_cli.command("list")
@click.option("--network", "slug", required=True)
def list_command(slug):
    """The network's tokens with their last use."""
    network = _network(slug)
    for row in db.session.scalars(tokens.of_network(network.id).limit(500)):
        state = f"révoqué {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "actif"
        used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "jamais"
        click.echo(f"{row.id}\t{row.prefix}…\t{row.scope.value}\t{state}\tdernier usage : {used}\t{row.name}")


@token_cli.command("revoke")
@click.option("--network", "slug", required=True)
@click.argument("token_id", type=int)
def revoke_command(slug, token_id):
    """Revoke a token: refused from the next request on."""
    network = _network(slug)
    row = db.session.get(ApiToken, token_id)
    if row is None or row.network_id != network.id:
        raise click.BadParameter(f"le réseau n'a pas de jeton n° {token_id}", param_hint="TOKEN_ID")
    tokens.revoke(row, now=utcnow())
    db.session.commit()
    click.echo(f"Jeton n° {row.id} révoqué.")
