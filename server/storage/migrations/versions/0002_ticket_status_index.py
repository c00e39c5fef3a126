"""ticket indexes: by (site, status) for tickets at counters and parked, across days;
by line (site, day, status, service, priority, queue_at) for the heads of the lines

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_tickets_status", "tickets", ["site_id", "status"], unique=False)
    op.create_index(
        "ix_tickets_line",
        "tickets",
        ["site_id", "business_day", "status", "service", "priority", "queue_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_line", table_name="tickets")
    op.drop_index("ix_tickets_status", table_name="tickets")
