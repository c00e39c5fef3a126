"""ticket index for the tickets transferred to a counter: (site, day, status,
target_counter), so finding the few of them does not scan the whole waiting line

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_tickets_targeted",
        "tickets",
        ["site_id", "business_day", "status", "target_counter"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_targeted", table_name="tickets")
