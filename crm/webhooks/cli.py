"""`flask --app wsgi webhooks add|list|ping|deliver`: endpoints and deliveries from the command line."""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from crm.base.database import utcnow
from crm.base.errors import DomainError
from crm.base.extensions import db
from crm.followups.runner import worker_name
from crm.networks.models import Network
from crm.webhooks import jobs, services
from crm.webhooks.models import EventType

webhooks_cli = AppGroup("webhooks", help="Webhooks sortants : points d'arrivée et envois.")

EVENT_NAMES = [str(e) for e in EventType.subscribable()]


def _network(slug: str) -> Network:
    network = db.session.scalar(select(Network).where(Network.slug == slug))
    if network is None:
        raise click.BadParameter(f"no network {slug!r}", param_hint="--network")
    return network


@webhooks_cli.command("add")
@click.option("--network", "slug", required=True, help="The network's slug.")
@click.option("--url", required=True, help="Where events are POSTed (https).")
@click.option("--event", "events", multiple=True, type=click.Choice(EVENT_NAMES), help="Repeat; none: all.")
@click.option("--description", default="", help="What it is for.")
def add_command(slug, url, events, description):
    """Register an endpoint; prints its signing secret, once."""
    network = _network(slug)
    data = {"url": url, "events": list(events), "description": description}
    try:
        endpoint, secret = services.create_endpoint(network, data, now=utcnow())
    except DomainError as error:
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(f"endpoint {endpoint.id} for {network.slug}: {endpoint.url}")
    click.echo(f"signing secret (shown once): {secret}")


@webhooks_cli.command("list")
@click.option("--network", "slug", required=True, help="The network's slug.")
def list_command(slug):
    """The network's endpoints: id, state, events, URL."""
    for endpoint in services.endpoints_of(_network(slug).id):
        state = "enabled" if endpoint.enabled else f"disabled ({endpoint.disabled_reason})"
        events = ",".join(endpoint.events) or "all"
        click.echo(f"{endpoint.id}\t{state}\t{events}\t{endpoint.url}")


@webhooks_cli.command("ping")
@click.option("--network", "slug", required=True, help="The network's slug.")
def ping_command(slug):
    """Queue a `ping` to each enabled endpoint of the network (sent by the next tick or `deliver`)."""
    count = services.queue_ping(_network(slug), now=utcnow())
    db.session.commit()
    click.echo(f"ping queued for {count} endpoint(s)")


@webhooks_cli.command("deliver")
def deliver_command():
    """Send what is due, once; prints the counts."""
    counts = jobs.deliver(now=utcnow(), worker=worker_name())
    db.session.commit()
    delivered, retried, failed = (counts.get(f"webhooks_{k}", 0) for k in ("delivered", "retried", "failed"))
    click.echo(f"delivered: {delivered}, to retry: {retried}, failed: {failed}")
