import time
from datetime import date

import click
from flask.cli import AppGroup

from crm.base.extensions import db
from crm.demo import generate as synthetic
from crm.demo import loader
from crm.demo.data import PASSWORD

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already holds networks.")
def load(if_empty):
    """Load the three demo networks into an empty database."""
    if not loader.is_empty():
        if if_empty:
            click.echo("demo: the database already holds data; nothing loaded.")
            return
        raise click.ClickException("the database already holds networks; use an empty database")
    made = loader.load(date.today())
    db.session.commit()
    click.echo(f"demo loaded; every account's password is {PASSWORD!r}:")
    for email, role in made.items():
        click.echo(f"  {role:12} {email}")


@demo_cli.command("generate")
@click.option("--scale", type=click.Choice(sorted(synthetic.SCALES)), default="national", show_default=True)
def generate(scale):
    """Fill an empty database with a synthetic federation (for benchmarks)."""
    if not synthetic.is_empty():
        raise click.ClickException("the database already holds networks; use an empty database")
    started = time.perf_counter()
    counts = synthetic.generate(synthetic.SCALES[scale], date.today())
    db.session.commit()
    click.echo(f"generated the {scale} federation in {time.perf_counter() - started:.1f} s:")
    for table, count in counts.items():
        click.echo(f"  {table:24} {count:>8,}")
