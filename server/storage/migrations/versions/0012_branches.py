"""branches: a branch server's sites and token at the central server, where its events
came from (``ticket_events.origin``, ``origin_id``: each kept once), and the branch's own
marks of what reached the city

Revision ID: 0012
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket_events") as batch:
        batch.add_column(sa.Column("origin", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("origin_id", sa.BigInteger(), nullable=True))
    op.create_index(
        "ix_events_origin", "ticket_events", ["origin", "origin_id"], unique=True
    )
    op.create_table(
        "branches",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_heard_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_event_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_through", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "branch_sites",
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("branch_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["branch_id"], ["branches.id"]),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"]),
        sa.PrimaryKeyConstraint("site_id"),
    )
    op.create_index("ix_branch_sites_branch_id", "branch_sites", ["branch_id"])
    op.create_table(
        "upstream_marks",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("upstream_marks")
    op.drop_index("ix_branch_sites_branch_id", table_name="branch_sites")
    op.drop_table("branch_sites")
    op.drop_table("branches")
    op.drop_index("ix_events_origin", table_name="ticket_events")
    with op.batch_alter_table("ticket_events") as batch:
        batch.drop_column("origin_id")
        batch.drop_column("origin")
