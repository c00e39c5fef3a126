"""appointments: the bookings table, a field's bookable slots, and each ticket's channel
(a kiosk walk-in or a checked-in appointment)

Revision ID: 0011
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bookings",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.Column("slot_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("slot_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("citizen_hash", sa.String(length=64), nullable=True),
        sa.Column("source", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ticket_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
        sa.UniqueConstraint("token"),
    )
    op.create_index("ix_bookings_slot", "bookings", ["site_id", "service", "slot_start", "status"])
    op.create_index("ix_bookings_citizen", "bookings", ["site_id", "citizen_hash"])
    with op.batch_alter_table("services") as batch:
        batch.add_column(sa.Column("booking", sa.JSON(), nullable=True))
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(
            sa.Column("channel", sa.String(length=16), nullable=False, server_default="walk_in")
        )


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("channel")
    with op.batch_alter_table("services") as batch:
        batch.drop_column("booking")
    op.drop_index("ix_bookings_citizen", table_name="bookings")
    op.drop_index("ix_bookings_slot", table_name="bookings")
    op.drop_table("bookings")
