"""track_contacts: a citizen's phone number / Web Push subscription for "Sắp đến lượt"

Revision ID: 0015
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "track_contacts",
        sa.Column("track_token", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.String(length=64), sa.ForeignKey("sites.id"), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("push", sa.JSON(), nullable=True),
        sa.Column("told_ticket", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("track_token"),
    )
    op.create_index("ix_track_contacts_site_id", "track_contacts", ["site_id"])


def downgrade() -> None:
    op.drop_index("ix_track_contacts_site_id", table_name="track_contacts")
    op.drop_table("track_contacts")
