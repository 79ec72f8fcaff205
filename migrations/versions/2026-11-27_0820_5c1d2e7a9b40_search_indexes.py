"""search indexes: trigram GIN on search keys (PostgreSQL), directory sort order

Revision ID: 5c1d2e7a9b40
Revises: 0aafe745e8ba
Create Date: 2026-11-27 08:40:00

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op

revision = "5c1d2e7a9b40"
down_revision = "0aafe745e8ba"
branch_labels = None
depends_on = None

TRIGRAM = {"postgresql_using": "gin", "postgresql_ops": {"search_key": "gin_trgm_ops"}}


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with op.batch_alter_table("programmers", schema=None) as batch_op:
        batch_op.drop_index("ix_programmers_network_search")
        batch_op.create_index("ix_programmers_network_name", ["network_id", "last_name", "first_name", "id"])
        batch_op.create_index("ix_programmers_search_trgm", ["search_key"], **TRIGRAM)
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_index("ix_organisations_network_kind_search")
        batch_op.create_index("ix_organisations_search_trgm", ["search_key"], **TRIGRAM)


def downgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_index("ix_organisations_search_trgm")
        batch_op.create_index("ix_organisations_network_kind_search", ["network_id", "kind", "search_key"])
    with op.batch_alter_table("programmers", schema=None) as batch_op:
        batch_op.drop_index("ix_programmers_search_trgm")
        batch_op.drop_index("ix_programmers_network_name")
        batch_op.create_index("ix_programmers_network_search", ["network_id", "search_key"])
