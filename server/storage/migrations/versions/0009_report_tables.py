"""report tables: the visits of closed days, and which days are rolled up; the tickets
a transfer opened, indexed by the ticket they came from

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_visits",
        sa.Column("ticket_id", sa.String(length=32), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.Column("priority", sa.String(length=32), nullable=True),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("counter_id", sa.String(length=64), nullable=True),
        sa.Column("clerk", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("legs", sa.Integer(), nullable=False),
        sa.Column("parked", sa.Integer(), nullable=False),
        sa.Column("wait_s", sa.Integer(), nullable=True),
        sa.Column("first_wait_s", sa.Integer(), nullable=True),
        sa.Column("estimate_s", sa.Integer(), nullable=True),
        sa.Column("service_s", sa.Integer(), nullable=True),
        sa.Column("rating", sa.String(length=32), nullable=True),
        sa.Column("wait_target_s", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("ticket_id"),
    )
    op.create_index("ix_report_visits_site_day", "report_visits", ["site_id", "business_day"])
    op.create_index("ix_report_visits_day", "report_visits", ["business_day"])
    op.create_index(
        "ix_tickets_transferred_from",
        "tickets",
        ["transferred_from"],
        postgresql_where=sa.text("transferred_from IS NOT NULL"),
        sqlite_where=sa.text("transferred_from IS NOT NULL"),
    )
    op.create_table(
        "report_days",
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("rolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("site_id", "business_day"),
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_transferred_from", table_name="tickets")
    op.drop_table("report_days")
    op.drop_index("ix_report_visits_day", table_name="report_visits")
    op.drop_index("ix_report_visits_site_day", table_name="report_visits")
    op.drop_table("report_visits")
