"""Barometer: each network's figures of a year, stored by the scheduler

Revision ID: ca33af5920be
Revises: b7426d88d0a0
Create Date: 2026-12-04 02:29:33.939885

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "ca33af5920be"
down_revision = "b7426d88d0a0"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "barometer_figures",
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("shared", sa.String(length=100), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_barometer_figures_network_id_networks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("network_id", "year", name=op.f("pk_barometer_figures")),
    )


def downgrade():
    op.drop_table("barometer_figures")
