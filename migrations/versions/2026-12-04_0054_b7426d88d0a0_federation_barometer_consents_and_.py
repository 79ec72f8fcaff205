"""Federation barometer: each network's consent, the federation role, and editions' stored footprints

Revision ID: b7426d88d0a0
Revises: 3a6519ff594e
Create Date: 2026-12-04 00:54:24.831099

"""

import sqlalchemy as sa
from alembic import op

revision = "b7426d88d0a0"
down_revision = "3a6519ff594e"
branch_labels = None
depends_on = None

SHARED = ("activity", "follow_up", "bookings", "territory", "travel", "public")


def upgrade():
    op.create_table(
        "edition_footprints",
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("km", sa.Integer(), nullable=False),
        sa.Column("kg", sa.Numeric(precision=12, scale=1), nullable=False),
        sa.Column("programmers", sa.Integer(), nullable=False),
        sa.Column("companies", sa.Integer(), nullable=False),
        sa.Column("measured_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["edition_id"], ["editions.id"],
                                name=op.f("fk_edition_footprints_edition_id_editions"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("edition_id", name=op.f("pk_edition_footprints")),
    )  # fmt: skip
    op.create_table(
        "barometer_consents",
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        *(sa.Column(name, sa.Boolean(), server_default=sa.false(), nullable=False) for name in SHARED),
        sa.Column("given_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["given_by_id"], ["users.id"], name=op.f("fk_barometer_consents_given_by_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["network_id"], ["networks.id"],
                                name=op.f("fk_barometer_consents_network_id_networks"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("network_id", name=op.f("pk_barometer_consents")),
    )  # fmt: skip
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_network_unless_admin"), type_="check")
        batch_op.create_check_constraint(
            "network_unless_admin", "role IN ('admin', 'federation') OR network_id IS NOT NULL"
        )
        batch_op.create_check_constraint(
            "federation_in_no_network", "role <> 'federation' OR (network_id IS NULL AND company_id IS NULL)"
        )


def downgrade():
    op.execute("DELETE FROM users WHERE role = 'federation'")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_federation_in_no_network"), type_="check")
        batch_op.drop_constraint(op.f("ck_users_network_unless_admin"), type_="check")
        batch_op.create_check_constraint("network_unless_admin", "role = 'admin' OR network_id IS NOT NULL")
    op.drop_table("barometer_consents")
    op.drop_table("edition_footprints")
