"""report visit channel: each rolled-up visit's channel (its first ticket's), for the
reports' cut by walk-in and appointment

The days rolled up before appointments existed (revision 0011) were walk-ins only:
the column's default is right for them. A day rolled up since may hold checked-in
appointments: those visits take their first ticket's channel here (the visit's key is
its first ticket's id), where the ticket is still kept.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_visits") as batch:
        batch.add_column(
            sa.Column("channel", sa.String(length=16), nullable=False, server_default="walk_in")
        )
    op.execute(
        "UPDATE report_visits SET channel = 'appointment' WHERE ticket_id IN "
        "(SELECT id FROM tickets WHERE channel = 'appointment')"
    )


def downgrade() -> None:
    with op.batch_alter_table("report_visits") as batch:
        batch.drop_column("channel")
