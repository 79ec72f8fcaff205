"""Public map of a network: opened by its coordination, companies may stay off

Revision ID: cbf2adb46af6
Revises: 73b03650e3b2
Create Date: 2026-12-02 18:03:30.470560

Networks start without a public map (the coordination opens it); every company is on it unless it unticks
the box on its profile.
"""

import sqlalchemy as sa
from alembic import op

revision = "cbf2adb46af6"
down_revision = "73b03650e3b2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("networks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_map", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("on_public_map", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("on_public_map")
    with op.batch_alter_table("networks", schema=None) as batch_op:
        batch_op.drop_column("public_map")
