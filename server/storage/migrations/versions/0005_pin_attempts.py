"""pin_attempts: wrong PINs and PIN lockouts per counter and per site, in the database

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pin_attempts",
        sa.Column("site_id", sa.String(length=64), sa.ForeignKey("sites.id"), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("wrong", sa.JSON(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("site_id", "scope"),
    )


def downgrade() -> None:
    op.drop_table("pin_attempts")
