"""The hall's numbers ``/metrics`` reads from the database at each scrape: the same from
every server process, since they come from the one database (docs/deploy.md)."""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select

from server.contract.vocab import Outcome, TicketStatus
from server.service.core import ServiceCore
from server.storage.models import DayCounterRow, SiteRow, TicketRow

Key = tuple[str, str]  # (site, field)


@dataclass(frozen=True)
class HallNumbers:
    waiting: dict[Key, int]
    issued_today: dict[Key, int]
    served_today: dict[Key, int]
    silent_devices: dict[str, int]


class Gauges:
    """Three grouped counts and the silent devices, in one read transaction."""

    def __init__(self, core: ServiceCore, silent_devices: Callable[[], dict[str, int]]) -> None:
        """``silent_devices``: devices per site gone quiet (``Devices.silent_counts``)."""
        self.core = core
        self.silent_devices = silent_devices

    def read(self) -> HallNumbers:
        """Today is each site's current business day (``sites.current_day``)."""
        waiting = (
            select(TicketRow.site_id, TicketRow.service, func.count())
            .join(SiteRow, SiteRow.id == TicketRow.site_id)
            .where(
                TicketRow.business_day == SiteRow.current_day,
                TicketRow.status == TicketStatus.WAITING.value,
            )
            .group_by(TicketRow.site_id, TicketRow.service)
        )
        served = (
            select(TicketRow.site_id, TicketRow.service, func.count())
            .join(SiteRow, SiteRow.id == TicketRow.site_id)
            .where(
                TicketRow.business_day == SiteRow.current_day,
                TicketRow.status == TicketStatus.DONE.value,
                TicketRow.outcome == Outcome.SERVED.value,
            )
            .group_by(TicketRow.site_id, TicketRow.service)
        )
        issued = select(DayCounterRow.site_id, DayCounterRow.service, DayCounterRow.issued).join(
            SiteRow,
            (SiteRow.id == DayCounterRow.site_id)
            & (SiteRow.current_day == DayCounterRow.business_day),
        )
        with self.core.db.read() as session:
            counts = [
                {(site, field): int(n) for site, field, n in session.execute(query).all()}
                for query in (waiting, issued, served)
            ]
        return HallNumbers(counts[0], counts[1], counts[2], self.silent_devices())
