"""A network's own emission factors for travel; a show's set may travel in a van

Revision ID: 84ca183d240b
Revises: 7f3b98a49ff4
Create Date: 2026-12-02 18:11:22.088072

"""

import sqlalchemy as sa
from alembic import op

revision = "84ca183d240b"
down_revision = "7f3b98a49ff4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "travel_factors",
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("kg_per_km", sa.Numeric(precision=8, scale=5), nullable=False),
        sa.ForeignKeyConstraint(
            ["network_id"], ["networks.id"], name=op.f("fk_travel_factors_network_id_networks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("network_id", "mode", name=op.f("pk_travel_factors")),
    )
    with op.batch_alter_table("shows", schema=None) as batch_op:
        batch_op.add_column(sa.Column("set_van", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("shows", schema=None) as batch_op:
        batch_op.drop_column("set_van")
    op.drop_table("travel_factors")
