"""line-head indexes (PostgreSQL): the waiting tickets of each field's normal and
priority line in call order (partial indexes), so a line's head is its first few entries

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# As in server/storage/models.py (HEAD_INDEXES); a migration keeps its own copy.
LINES = {
    "normal": "status = 'waiting' AND target_counter IS NULL AND priority IS NULL",
    "priority": "status = 'waiting' AND target_counter IS NULL AND priority IS NOT NULL",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # see HEAD_INDEXES in server/storage/models.py
    for line, condition in LINES.items():
        op.create_index(
            f"ix_tickets_head_{line}",
            "tickets",
            ["site_id", "business_day", "service", "queue_at", "seq"],
            unique=False,
            postgresql_where=sa.text(condition),
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for line in LINES:
        op.drop_index(f"ix_tickets_head_{line}", table_name="tickets")
