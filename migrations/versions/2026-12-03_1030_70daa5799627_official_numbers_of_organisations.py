"""Official numbers of organisations: SIRET, APE, VAT, licences

Revision ID: 70daa5799627
Revises: c7466daa865b
Create Date: 2026-12-03 10:30:49.421154

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "70daa5799627"
down_revision = "c7466daa865b"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("siret", sa.String(length=14), nullable=True))
        batch_op.add_column(sa.Column("ape_code", sa.String(length=6), nullable=True))
        batch_op.add_column(sa.Column("vat_number", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("licence_1", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("licence_2", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("licence_3", sa.String(length=24), nullable=True))


def downgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("licence_3")
        batch_op.drop_column("licence_2")
        batch_op.drop_column("licence_1")
        batch_op.drop_column("vat_number")
        batch_op.drop_column("ape_code")
        batch_op.drop_column("siret")
