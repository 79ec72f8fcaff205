"""Carpools between programmers: who drives or looks for a seat on a day, and the matches proposed

Revision ID: b1884a250ec5
Revises: 84ca183d240b
Create Date: 2026-12-02 21:45:50.217798

"""

from alembic import op
import sqlalchemy as sa


revision = "b1884a250ec5"
down_revision = "84ca183d240b"
branch_labels = None
depends_on = None


def upgrade():

    op.create_table(
        "carpool_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("driver", "passenger", name="carpoolrole", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        sa.Column("shared", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_carpool_entries_invitation_id_invitations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carpool_entries")),
        sa.UniqueConstraint("invitation_id", "day", name=op.f("uq_carpool_entries_invitation_id_day")),
    )
    with op.batch_alter_table("carpool_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_carpool_entries_invitation_id"), ["invitation_id"], unique=False)

    op.create_table(
        "carpool_matches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("driver_id", sa.Integer(), nullable=False),
        sa.Column("passenger_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "accepted",
                "refused",
                "cancelled",
                name="matchstatus",
                native_enum=False,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column("driver_ok", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("passenger_ok", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("detour_km", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["driver_id"],
            ["invitations.id"],
            name=op.f("fk_carpool_matches_driver_id_invitations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["editions.id"],
            name=op.f("fk_carpool_matches_edition_id_editions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["passenger_id"],
            ["invitations.id"],
            name=op.f("fk_carpool_matches_passenger_id_invitations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carpool_matches")),
    )
    with op.batch_alter_table("carpool_matches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_carpool_matches_driver_id"), ["driver_id"], unique=False)
        batch_op.create_index("ix_carpool_matches_edition_day", ["edition_id", "day"], unique=False)
        batch_op.create_index(batch_op.f("ix_carpool_matches_passenger_id"), ["passenger_id"], unique=False)


def downgrade():

    with op.batch_alter_table("carpool_matches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_carpool_matches_passenger_id"))
        batch_op.drop_index("ix_carpool_matches_edition_day")
        batch_op.drop_index(batch_op.f("ix_carpool_matches_driver_id"))

    op.drop_table("carpool_matches")
    with op.batch_alter_table("carpool_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_carpool_entries_invitation_id"))

    op.drop_table("carpool_entries")
