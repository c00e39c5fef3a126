"""site files: field keywords, wait targets and per-citizen limits, LED addresses, display areas, audit log

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("services") as batch:
        batch.add_column(sa.Column("keywords", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("wait_target_s", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("citizen_day_limit", sa.Integer(), nullable=True))
    with op.batch_alter_table("counters") as batch:
        batch.add_column(sa.Column("led_address", sa.Integer(), nullable=True))
    with op.batch_alter_table("devices") as batch:
        batch.add_column(sa.Column("area", sa.String(length=64), nullable=True))
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_site_at", "audit_log", ["site_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_site_at", table_name="audit_log")
    op.drop_table("audit_log")
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("area")
    with op.batch_alter_table("counters") as batch:
        batch.drop_column("led_address")
    with op.batch_alter_table("services") as batch:
        batch.drop_column("citizen_day_limit")
        batch.drop_column("wait_target_s")
        batch.drop_column("keywords")
