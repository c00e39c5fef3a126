"""report day figures: a row a site's closed day with the counts, sums and histograms
of its visits, so a report over months adds up days instead of reading every visit

The days rolled up before this revision get their figures the first time a report
reads them (``server/reports/days.py``); nothing is rewritten here.

Revision ID: 0013
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

SUMS = (
    "issued",
    "served",
    "no_show",
    "cancelled",
    "expired",
    "in_progress",
    "transferred",
    "parked",
    "called",
    "wait_sum",
    "service_n",
    "service_sum",
    "sla_promised",
    "sla_met",
    "estimated",
    "estimate_within",
    "very_satisfied",
    "satisfied",
    "neutral",
    "unsatisfied",
    "rated",
)
# The measures with a histogram and their number of bins (as the models' edges say).
BINS = {"wait": 59, "service": 59, "error": 42}


def upgrade() -> None:
    columns = [
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
    ]
    columns += [
        sa.Column(name, sa.Integer(), nullable=False, server_default=sa.text("0"))
        for name in SUMS
    ]
    columns += [
        sa.Column(f"{measure}_{end}", sa.Integer(), nullable=True)
        for measure in BINS
        for end in ("min", "max")
    ]
    columns += [
        sa.Column(f"{measure}_b{i:02d}", sa.Integer(), nullable=False, server_default=sa.text("0"))
        for measure, count in BINS.items()
        for i in range(count)
    ]
    op.create_table(
        "report_day_figures", *columns, sa.PrimaryKeyConstraint("site_id", "business_day")
    )
    op.create_index("ix_report_day_figures_day", "report_day_figures", ["business_day"])


def downgrade() -> None:
    op.drop_index("ix_report_day_figures_day", table_name="report_day_figures")
    op.drop_table("report_day_figures")
