"""Shared budget of an edition: its lead company, lines and fixed shares

Revision ID: 4c298f69285a
Revises: ca33af5920be
Create Date: 2026-12-04 02:46:41.119278

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "4c298f69285a"
down_revision = "ca33af5920be"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "edition_budgets",
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("lead_company_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["editions.id"],
            name=op.f("fk_edition_budgets_edition_id_editions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lead_company_id"],
            ["organisations.id"],
            name=op.f("fk_edition_budgets_lead_company_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("edition_id", name=op.f("pk_edition_budgets")),
    )
    with op.batch_alter_table("edition_budgets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_edition_budgets_lead_company_id"), ["lead_company_id"], unique=False
        )

    op.create_table(
        "budget_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "grant",
                "contribution",
                "sales",
                "other_income",
                "printing",
                "video",
                "travel",
                "technical",
                "insurance",
                "other_expense",
                name="linekind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("label", sa.String(length=160), nullable=False),
        sa.Column("funder", sa.String(length=160), nullable=True),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("paid_by_id", sa.Integer(), nullable=False),
        sa.Column(
            "rule",
            sa.Enum(
                "equal",
                "performances",
                "cast",
                "fixed",
                "none",
                name="splitrule",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_budget_lines_amount_positive")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_budget_lines_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["editions.id"],
            name=op.f("fk_budget_lines_edition_id_editions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["network_id"], ["networks.id"], name=op.f("fk_budget_lines_network_id_networks")
        ),
        sa.ForeignKeyConstraint(
            ["paid_by_id"], ["organisations.id"], name=op.f("fk_budget_lines_paid_by_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_lines")),
    )
    with op.batch_alter_table("budget_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_budget_lines_edition_id"), ["edition_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_budget_lines_network_id"), ["network_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_budget_lines_paid_by_id"), ["paid_by_id"], unique=False)

    op.create_table(
        "budget_shares",
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["organisations.id"], name=op.f("fk_budget_shares_company_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["budget_lines.id"],
            name=op.f("fk_budget_shares_line_id_budget_lines"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("line_id", "company_id", name=op.f("pk_budget_shares")),
    )


def downgrade():
    op.drop_table("budget_shares")
    with op.batch_alter_table("budget_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_budget_lines_paid_by_id"))
        batch_op.drop_index(batch_op.f("ix_budget_lines_network_id"))
        batch_op.drop_index(batch_op.f("ix_budget_lines_edition_id"))

    op.drop_table("budget_lines")
    with op.batch_alter_table("edition_budgets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_edition_budgets_lead_company_id"))

    op.drop_table("edition_budgets")
