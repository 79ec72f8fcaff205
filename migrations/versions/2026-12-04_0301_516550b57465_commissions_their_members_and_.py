"""Commissions, their members and départements, host proposals, volunteer time

Revision ID: 516550b57465
Revises: 4c298f69285a
Create Date: 2026-12-04 03:01:14.969630

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "516550b57465"
down_revision = "4c298f69285a"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "volunteer_rates",
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("hourly_value", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_volunteer_rates_network_id_networks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("network_id", name=op.f("pk_volunteer_rates")),
    )
    op.create_table(
        "commissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("departmental", "thematic", name="commissionkind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("referent_id", sa.Integer(), nullable=True),
        sa.Column("decides", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["network_id"], ["networks.id"], name=op.f("fk_commissions_network_id_networks")
        ),
        sa.ForeignKeyConstraint(
            ["referent_id"], ["users.id"], name=op.f("fk_commissions_referent_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commissions")),
    )
    with op.batch_alter_table("commissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commissions_network_id"), ["network_id"], unique=False)

    op.create_table(
        "commission_departements",
        sa.Column("commission_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["commission_id"],
            ["commissions.id"],
            name=op.f("fk_commission_departements_commission_id_commissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("commission_id", "code", name=op.f("pk_commission_departements")),
    )
    op.create_table(
        "commission_members",
        sa.Column("commission_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commission_id"],
            ["commissions.id"],
            name=op.f("fk_commission_members_commission_id_commissions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_commission_members_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("commission_id", "user_id", name=op.f("pk_commission_members")),
    )
    with op.batch_alter_table("commission_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commission_members_user_id"), ["user_id"], unique=False)

    op.create_table(
        "host_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commission_id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("venue_id", sa.Integer(), nullable=False),
        sa.Column("host_company_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commission_id"],
            ["commissions.id"],
            name=op.f("fk_host_proposals_commission_id_commissions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_host_proposals_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["editions.id"],
            name=op.f("fk_host_proposals_edition_id_editions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["host_company_id"],
            ["organisations.id"],
            name=op.f("fk_host_proposals_host_company_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"], ["organisations.id"], name=op.f("fk_host_proposals_venue_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_host_proposals")),
    )
    with op.batch_alter_table("host_proposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_host_proposals_commission_id"), ["commission_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_host_proposals_edition_id"), ["edition_id"], unique=False)

    op.create_table(
        "volunteer_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=True),
        sa.Column("commission_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("hours", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("what", sa.String(length=200), nullable=False),
        sa.Column("logged_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("hours > 0 AND hours <= 24", name=op.f("ck_volunteer_entries_hours_in_a_day")),
        sa.ForeignKeyConstraint(
            ["commission_id"],
            ["commissions.id"],
            name=op.f("fk_volunteer_entries_commission_id_commissions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["organisations.id"], name=op.f("fk_volunteer_entries_company_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["editions.id"],
            name=op.f("fk_volunteer_entries_edition_id_editions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["logged_by_id"],
            ["users.id"],
            name=op.f("fk_volunteer_entries_logged_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["network_id"], ["networks.id"], name=op.f("fk_volunteer_entries_network_id_networks")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_volunteer_entries_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_entries")),
    )
    with op.batch_alter_table("volunteer_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_volunteer_entries_commission_id"), ["commission_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_volunteer_entries_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_volunteer_entries_edition_id"), ["edition_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_volunteer_entries_network_id"), ["network_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_volunteer_entries_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("volunteer_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_volunteer_entries_user_id"))
        batch_op.drop_index(batch_op.f("ix_volunteer_entries_network_id"))
        batch_op.drop_index(batch_op.f("ix_volunteer_entries_edition_id"))
        batch_op.drop_index(batch_op.f("ix_volunteer_entries_company_id"))
        batch_op.drop_index(batch_op.f("ix_volunteer_entries_commission_id"))

    op.drop_table("volunteer_entries")
    with op.batch_alter_table("host_proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_host_proposals_edition_id"))
        batch_op.drop_index(batch_op.f("ix_host_proposals_commission_id"))

    op.drop_table("host_proposals")
    with op.batch_alter_table("commission_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commission_members_user_id"))

    op.drop_table("commission_members")
    op.drop_table("commission_departements")
    with op.batch_alter_table("commissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commissions_network_id"))

    op.drop_table("commissions")
    op.drop_table("volunteer_rates")
