"""alerts: the live hall's alert log (raised, acknowledged by whom, cleared); each device's
heartbeat interval beside its last status

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("message_vi", sa.String(length=300), nullable=False),
        sa.Column("message_en", sa.String(length=300), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("open_key", sa.String(length=240), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("open_key"),
    )
    op.create_index("ix_alerts_site_raised", "alerts", ["site_id", "raised_at"])
    with op.batch_alter_table("device_status") as batch:
        batch.add_column(
            sa.Column("heartbeat_s", sa.Integer(), server_default=sa.text("30"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("device_status") as batch:
        batch.drop_column("heartbeat_s")
    op.drop_index("ix_alerts_site_raised", table_name="alerts")
    op.drop_table("alerts")
