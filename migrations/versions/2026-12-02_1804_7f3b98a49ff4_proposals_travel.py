"""Proposals remember how much the companies' travel counted (none, some, a lot)

Revision ID: 7f3b98a49ff4
Revises: cbf2adb46af6
Create Date: 2026-12-02 18:04:16.201033

Proposals made before counted none.
"""

import sqlalchemy as sa
from alembic import op

revision = "7f3b98a49ff4"
down_revision = "cbf2adb46af6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("plan_proposals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "travel",
                sa.Enum("none", "some", "a_lot", name="travelweight", native_enum=False, length=10),
                server_default="none",
                nullable=False,
            )
        )


def downgrade():
    with op.batch_alter_table("plan_proposals", schema=None) as batch_op:
        batch_op.drop_column("travel")
