from datetime import date

import click
from flask.cli import AppGroup

from crm.demo import loader
from crm.demo.data import PASSWORD
from crm.extensions import db

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
