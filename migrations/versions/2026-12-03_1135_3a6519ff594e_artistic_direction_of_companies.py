"""Artistic direction of companies (optional, counted only in aggregates)

Revision ID: 3a6519ff594e
Revises: 5d665dda5faa
Create Date: 2026-12-03 11:35:40.268973

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3a6519ff594e"
down_revision = "5d665dda5faa"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "artistic_direction",
                sa.Enum("women", "men", "mixed", name="artisticdirection", native_enum=False, length=8),
                nullable=True,
            )
        )


def downgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("artistic_direction")
