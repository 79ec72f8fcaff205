"""Thematic commissions' task lists

Revision ID: 931ffad58d7b
Revises: 516550b57465
Create Date: 2026-12-04 03:12:36.387324

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "931ffad58d7b"
down_revision = "516550b57465"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "commission_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commission_id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["users.id"],
            name=op.f("fk_commission_tasks_assignee_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["commission_id"],
            ["commissions.id"],
            name=op.f("fk_commission_tasks_commission_id_commissions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_commission_tasks_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["editions.id"],
            name=op.f("fk_commission_tasks_edition_id_editions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_tasks")),
    )
    with op.batch_alter_table("commission_tasks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commission_tasks_commission_id"), ["commission_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_commission_tasks_edition_id"), ["edition_id"], unique=False)


def downgrade():
    with op.batch_alter_table("commission_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commission_tasks_edition_id"))
        batch_op.drop_index(batch_op.f("ix_commission_tasks_commission_id"))

    op.drop_table("commission_tasks")
