"""mail suppression list: objections, erasures and bounces checked at the moment of sending

Revision ID: 12a162bd7685
Revises: b693ff540c90
Create Date: 2026-12-01 21:43:13.324866

The outbox gains the digest of each address; the list is filled from the people who already objected
or bounce, and from the past messages of people already erased (whose copies are then scrubbed).
"""

import hashlib
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "12a162bd7685"
down_revision = "b693ff540c90"
branch_labels = None
depends_on = None

REASON = sa.Enum(
    "objection", "erasure", "bounce", name="suppressionreason", native_enum=False, length=10
)
PLACEHOLDER = "(effacé avec les données de la personne)"


def _digest(address):
    return hashlib.sha256((address or "").strip().lower().encode()).hexdigest()


def upgrade():
    op.create_table(
        "mail_suppressions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("address_hash", sa.String(length=64), nullable=False),
        sa.Column("reason", REASON, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["network_id"], ["networks.id"], name=op.f("fk_mail_suppressions_network_id_networks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_suppressions")),
        sa.UniqueConstraint("network_id", "address_hash", name="uq_mail_suppressions_address"),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("about_programmer_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("to_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("cancel_reason", REASON, nullable=True))
        batch_op.alter_column("network_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(
            batch_op.f("ix_outbox_messages_about_programmer_id"), ["about_programmer_id"], unique=False
        )
        batch_op.create_index("ix_outbox_messages_network_to_hash", ["network_id", "to_hash"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_messages_about_programmer_id_programmers"),
            "programmers",
            ["about_programmer_id"],
            ["id"],
            ondelete="SET NULL",
        )
    _fill(op.get_bind())
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.alter_column("to_hash", existing_type=sa.String(length=64), nullable=False)


def _fill(bind):
    outbox = sa.table(
        "outbox_messages",
        sa.column("id"), sa.column("network_id"), sa.column("programmer_id"), sa.column("to_address"),
        sa.column("to_hash"), sa.column("subject"), sa.column("body_text"), sa.column("body_html"),
        sa.column("unsubscribe_url"), sa.column("attachment_ics"), sa.column("last_error"),
    )  # fmt: skip
    rows = bind.execute(sa.select(outbox.c.id, outbox.c.to_address)).all()
    for row in rows:
        bind.execute(outbox.update().where(outbox.c.id == row.id).values(to_hash=_digest(row.to_address)))
    now = datetime.now(UTC).replace(tzinfo=None)
    listed = {}
    people = bind.execute(
        sa.text(
            "SELECT id, network_id, email, opted_out_at, erased_at, bounced_at FROM programmers "
            "WHERE opted_out_at IS NOT NULL OR erased_at IS NOT NULL OR bounced_at IS NOT NULL"
        )
    ).all()
    erased = [p for p in people if p.erased_at is not None]
    for person in people:
        if person.erased_at is None:
            reason = "objection" if person.opted_out_at is not None else "bounce"
            listed[(person.network_id, _digest(person.email))] = reason
    for person in erased:  # their old address survives only in the outbox
        for (address,) in bind.execute(
            sa.select(outbox.c.to_address).where(outbox.c.programmer_id == person.id).distinct()
        ):
            listed[(person.network_id, _digest(address))] = "erasure"
    if listed:
        suppressions = sa.table(
            "mail_suppressions", sa.column("network_id"), sa.column("address_hash"), sa.column("reason"),
            sa.column("created_at"),
        )  # fmt: skip
        bind.execute(
            suppressions.insert(),
            [{"network_id": n, "address_hash": h, "reason": r, "created_at": now} for (n, h), r in listed.items()],
        )
    ids = [p.id for p in erased]
    if ids:
        bind.execute(
            outbox.update()
            .where(outbox.c.programmer_id.in_(ids))
            .values(
                to_address="effacee@invalid", subject=PLACEHOLDER, body_text=PLACEHOLDER, body_html=None,
                unsubscribe_url=None, attachment_ics=None, last_error=None,
            )  # fmt: skip
        )


def downgrade():
    op.execute("DELETE FROM mail_delivery_attempts WHERE message_id IN "
               "(SELECT id FROM outbox_messages WHERE network_id IS NULL)")  # fmt: skip
    op.execute("DELETE FROM outbox_messages WHERE network_id IS NULL")
    op.execute("UPDATE outbox_messages SET state = 'bounced' WHERE state = 'refused'")
    op.execute("UPDATE outbox_messages SET state = 'failed' WHERE state = 'cancelled'")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_messages_about_programmer_id_programmers"), type_="foreignkey"
        )
        batch_op.drop_index("ix_outbox_messages_network_to_hash")
        batch_op.drop_index(batch_op.f("ix_outbox_messages_about_programmer_id"))
        batch_op.alter_column("network_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("to_hash")
        batch_op.drop_column("about_programmer_id")
    op.drop_table("mail_suppressions")
