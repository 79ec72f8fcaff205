"""Organisations get their commune (INSEE code), filled from postcode and town where one commune matches

Revision ID: 73b03650e3b2
Revises: 7147e62f4465
Create Date: 2026-12-02 17:58:16.807218

Rows whose postcode and town match several communes (or none) keep no commune; the directory lists them
(« Communes à préciser ») for a coordinator to choose.
"""

import sqlalchemy as sa
from alembic import op

from crm.territory import communes

revision = "73b03650e3b2"
down_revision = "7147e62f4465"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("commune_code", sa.String(length=5), nullable=True))
        batch_op.create_index(batch_op.f("ix_organisations_commune_code"), ["commune_code"], unique=False)
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, postcode, city FROM organisations WHERE postcode IS NOT NULL"))
    for row_id, postcode, city in rows.fetchall():
        found = communes.match(postcode, city)
        if len(found) == 1:
            bind.execute(
                sa.text(
                    "UPDATE organisations SET commune_code = :code, departement_code = :dep WHERE id = :id"
                ),
                {"code": found[0].code, "dep": found[0].departement, "id": row_id},
            )


def downgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisations_commune_code"))
        batch_op.drop_column("commune_code")
