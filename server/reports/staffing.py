"""The latest staffing plan stored for a site (``qms simulate --staffing --db``), for the
console's reports page. The search takes minutes, so the page only reads what the
command stored."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from server.storage.db import Database
from server.storage.models import StaffingPlanRow


@dataclass(frozen=True)
class StoredPlan:
    site_id: str
    made_at: datetime
    day_file: str
    seed: int
    days: int
    sla_s: int
    sla_share: float
    per: str  # "hour" or "session"
    area: str | None
    figures: list[dict[str, Any]]  # per slot, with its fields (``simulation/plans.py``)


def latest_plan(db: Database, site_id: str) -> StoredPlan | None:
    with db.read() as session:
        row = session.scalars(
            select(StaffingPlanRow)
            .where(StaffingPlanRow.site_id == site_id)
            .order_by(StaffingPlanRow.made_at.desc(), StaffingPlanRow.id.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        return StoredPlan(
            site_id=row.site_id,
            made_at=row.made_at,
            day_file=row.day_file,
            seed=row.seed,
            days=row.days,
            sla_s=row.sla_s,
            sla_share=row.sla_share,
            per=row.per,
            area=row.area,
            figures=list(row.figures),
        )
