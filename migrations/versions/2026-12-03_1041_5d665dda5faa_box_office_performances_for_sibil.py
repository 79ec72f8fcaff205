"""Box office: each performance, its tickets by price (what SIBIL asks for)

Revision ID: 5d665dda5faa
Revises: 70daa5799627
Create Date: 2026-12-03 10:41:08.948896

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5d665dda5faa"
down_revision = "70daa5799627"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "box_office_performances",
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column(
            "venue_type",
            sa.Enum(
                "THEATRE",
                "ESPACE_POLYVALENT",
                "CASINO_DISCOTHEQUE_HOTEL_CAFE_RESTAURANT",
                "SALLE_CONCERT_AUDITORIUM_OPERA_ZENITH",
                "CABARET_MUSIC_HALL",
                "PLEIN_AIR_PARC_LOISIRS_ATTRACTION",
                "STRUCTURE_ITINERANTE_DEMONTABLE_CHAPITEAU",
                "LIEU_DE_CULTE",
                "LIEU_DE_SANTE",
                "AUTRE",
                name="venuetype",
                native_enum=False,
                length=48,
            ),
            nullable=False,
        ),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("free_tickets", sa.Integer(), nullable=False),
        sa.Column("young_audience", sa.Boolean(), nullable=False),
        sa.Column("vat_rate", sa.Numeric(precision=4, scale=2), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["slots.id"],
            name=op.f("fk_box_office_performances_slot_id_slots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("slot_id", name=op.f("pk_box_office_performances")),
    )
    op.create_table(
        "box_office_prices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("full", "reduced", "subscription", name="pricekind", native_enum=False),
            nullable=False,
        ),
        sa.Column("label", sa.String(length=60), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("tickets", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["box_office_performances.slot_id"],
            name=op.f("fk_box_office_prices_slot_id_box_office_performances"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_box_office_prices")),
    )
    with op.batch_alter_table("box_office_prices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_box_office_prices_slot_id"), ["slot_id"], unique=False)


def downgrade():
    with op.batch_alter_table("box_office_prices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_box_office_prices_slot_id"))

    op.drop_table("box_office_prices")
    op.drop_table("box_office_performances")
