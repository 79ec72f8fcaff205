"""Cession terms and companies' contract templates

Revision ID: c7466daa865b
Revises: b1884a250ec5
Create Date: 2026-12-02 22:43:23.614104

"""

from alembic import op
import sqlalchemy as sa


revision = "c7466daa865b"
down_revision = "b1884a250ec5"
branch_labels = None
depends_on = None


def upgrade():

    op.create_table(
        "contract_templates",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["organisations.id"],
            name=op.f("fk_contract_templates_company_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("company_id", name=op.f("pk_contract_templates")),
    )
    op.create_table(
        "cession_terms",
        sa.Column("outcome_id", sa.Integer(), nullable=False),
        sa.Column("seller_signatory", sa.String(length=120), nullable=True),
        sa.Column("seller_role", sa.String(length=120), nullable=True),
        sa.Column("buyer_signatory", sa.String(length=120), nullable=True),
        sa.Column("buyer_role", sa.String(length=120), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("times", sa.String(length=200), nullable=True),
        sa.Column("vat_rate", sa.Numeric(precision=4, scale=2), nullable=False),
        sa.Column(
            "costs_mode",
            sa.Enum("included", "per_diem", "actual", name="costsmode", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("costs_amount", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("technical_conditions", sa.Text(), nullable=True),
        sa.Column("rights_mention", sa.Text(), nullable=True),
        sa.Column("cancellation_clause", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["outcome_id"],
            ["outcomes.id"],
            name=op.f("fk_cession_terms_outcome_id_outcomes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("outcome_id", name=op.f("pk_cession_terms")),
    )


def downgrade():

    op.drop_table("cession_terms")
    op.drop_table("contract_templates")
