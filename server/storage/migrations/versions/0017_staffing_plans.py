"""staffing plans: the stored result of ``qms simulate --staffing --db``, so the
console's reports page shows the latest plan of a site without running the search

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staffing_plans",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day_file", sa.String(length=255), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("sla_s", sa.Integer(), nullable=False),
        sa.Column("sla_share", sa.Float(), nullable=False),
        sa.Column("per", sa.String(length=16), nullable=False),
        sa.Column("area", sa.String(length=64), nullable=True),
        sa.Column("figures", sa.JSON(), nullable=False),
    )
    op.create_index("ix_staffing_plans_site_made", "staffing_plans", ["site_id", "made_at"])


def downgrade() -> None:
    op.drop_index("ix_staffing_plans_site_made", table_name="staffing_plans")
    op.drop_table("staffing_plans")
