"""The live hall of a site, as a supervisor sees it: its fields, its counters, its devices.

One ``HallModel`` per site and committed change: ``Hall.model`` builds it from the same
``SiteView`` the projector builds the boards' snapshots from, plus one statement for the
day's figures the boards do not need (served today, service times, the oldest waiting
ticket). It is keyed by the site's ``seq`` and business day, so a model is built once per
change, however many people watch it. The time since a counter came into its state is not
stored anywhere: a serving counter's is its ticket's call, an open one's its last
finished service, and a paused or closed one's is the moment this process first saw it so
(``Hall`` remembers it).
"""

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Float, func, select

from server.alerts import AlertRules, CounterLive, FieldLive
from server.contract.vocab import CounterState, Outcome, TicketStatus
from server.service.core import ServiceCore
from server.storage.models import SiteRow, TicketRow

T = TicketRow


@dataclass(frozen=True)
class FieldNow:
    code: str
    department: str
    name_vi: str
    name_en: str
    waiting: int
    oldest_at: datetime | None  # issue time of the longest-waiting ticket
    target_s: int | None
    estimate_s: int  # the wait a ticket issued now would be told
    issued_today: int
    served_today: int
    counters_open: int
    issuing: bool  # the kiosk gives numbers for it now

    def live(self, now: datetime) -> FieldLive:
        wait = int((now - self.oldest_at).total_seconds()) if self.oldest_at else 0
        return FieldLive(
            self.code,
            self.name_vi,
            self.waiting,
            max(0, wait),
            self.target_s,
            self.counters_open,
            self.name_en,
        )


@dataclass(frozen=True)
class CounterNow:
    id: str
    number: int
    name: str
    area: str
    clerk: str | None
    state: str  # open, serving, paused, closed
    since: datetime | None
    current_ticket: str | None
    served_today: int
    avg_service_s: int | None
    fields: tuple[str, ...]

    def live(self) -> CounterLive:
        return CounterLive(self.id, self.number, self.state, self.since, self.fields)


@dataclass(frozen=True)
class HallModel:
    """A site's hall at one committed change (``seq``) of one business day."""

    site: str
    site_name: str
    seq: int
    day: date
    built_at: datetime
    fields: tuple[FieldNow, ...]
    counters: tuple[CounterNow, ...]
    rules: AlertRules
    time_zone: str


def _seconds(postgresql: bool) -> Any:
    if postgresql:
        return func.extract("epoch", T.finished_at - T.started_at)
    return ((func.julianday(T.finished_at) - func.julianday(T.started_at)) * 86400.0).cast(Float)


class Hall:
    """Builds each site's ``HallModel``, once per change (``builds`` counts them)."""

    def __init__(self, core: ServiceCore) -> None:
        self.core = core
        self.builds = 0
        self._lock = threading.Lock()
        # (site, counter) -> (state, since) as first seen by this process.
        self._seen_state: dict[tuple[str, str], tuple[str, datetime]] = {}

    def versions(self) -> dict[str, int]:
        """Every site's ``seq`` in one statement: what changed since the last look."""
        with self.core.db.read() as session:
            rows = session.execute(select(SiteRow.id, SiteRow.seq)).all()
            return {row[0]: row[1] for row in rows}

    def model(self, site: str) -> HallModel | None:
        """The hall of ``site`` now (None for an unknown site)."""
        projector = self.core.projector
        postgresql = not self.core.db.is_sqlite
        with projector.reading(site) as view:
            if view is None:
                return None
            bundle = view.bundle
            day, now = view.day, view.now
            waiting = view.waiting_counts
            oldest = dict(
                view.repo.s.execute(
                    select(T.service, func.min(T.issued_at))
                    .where(
                        T.site_id == site,
                        T.business_day == day,
                        T.status == TicketStatus.WAITING.value,
                    )
                    .group_by(T.service)
                ).all()
            )
            served = view.repo.s.execute(
                select(
                    T.service,
                    T.counter_id,
                    func.count(),
                    func.sum(_seconds(postgresql)),
                    func.count(T.started_at),
                    func.max(T.finished_at),
                )
                .where(
                    T.site_id == site,
                    T.business_day == day,
                    T.outcome == Outcome.SERVED.value,
                )
                .group_by(T.service, T.counter_id)
            ).all()
            fields = tuple(self._fields(view, bundle, waiting, oldest, served))
            counters = tuple(self._counters(site, view, bundle, served, now))
            seq = view.seq
        with self._lock:
            self.builds += 1
        return HallModel(
            site,
            bundle.site.name,
            seq,
            day,
            now,
            fields,
            counters,
            bundle.site.alerts,
            bundle.site.time_zone,
        )

    @staticmethod
    def _fields(
        view: Any,
        bundle: Any,
        waiting: dict[str, int],
        oldest: dict[str, datetime],
        served: Iterable[Any],
    ) -> Iterable[FieldNow]:
        served_by_field: dict[str, int] = {}
        for service, _counter, count, *_rest in served:
            served_by_field[service] = served_by_field.get(service, 0) + count
        for code, config in bundle.services.items():
            load = view.load(code)
            yield FieldNow(
                code=code,
                department=config.department,
                name_vi=config.name_vi,
                name_en=config.name_en,
                waiting=waiting.get(code, 0),
                oldest_at=oldest.get(code),
                target_s=config.wait_target_s,
                estimate_s=load.estimate_s,
                issued_today=load.issued_today,
                served_today=served_by_field.get(code, 0),
                counters_open=load.counters_open,
                issuing=load.closed is None,
            )

    def _counters(
        self, site: str, view: Any, bundle: Any, served: Iterable[Any], now: datetime
    ) -> Iterable[CounterNow]:
        count: dict[str, int] = {}
        seconds: dict[str, float] = {}
        timed: dict[str, int] = {}
        last: dict[str, datetime] = {}
        for _service, counter, n, total, n_timed, finished in served:
            if counter is None:
                continue
            count[counter] = count.get(counter, 0) + n
            seconds[counter] = seconds.get(counter, 0.0) + float(total or 0.0)
            timed[counter] = timed.get(counter, 0) + n_timed
            if finished is not None and (counter not in last or finished > last[counter]):
                last[counter] = finished
        rows = view.counter_rows
        at = view.at_counters
        for config in sorted(bundle.counters.values(), key=lambda c: c.number):
            row = rows.get(config.id)
            if row is None:
                continue
            ticket = at.get(config.id)
            state = row.state
            if ticket is not None and state == CounterState.OPEN.value:
                state = "serving"
            since = self._since(site, config.id, state, now, last.get(config.id))
            if state == "serving":
                since = ticket.called_at or ticket.issued_at
            n_timed = timed.get(config.id, 0)
            yield CounterNow(
                id=config.id,
                number=config.number,
                name=config.name,
                area=config.area,
                clerk=row.clerk if state != CounterState.CLOSED.value else None,
                state=state,
                since=since,
                current_ticket=ticket.number if ticket is not None else None,
                served_today=count.get(config.id, 0),
                avg_service_s=round(seconds[config.id] / n_timed) if n_timed else None,
                fields=tuple(config.services),
            )

    def _since(
        self, site: str, counter: str, state: str, now: datetime, last_finish: datetime | None
    ) -> datetime:
        """Since when this process has seen the counter in ``state``; an open counter
        first seen at start waits since its last finished service."""
        key = (site, counter)
        with self._lock:
            seen = self._seen_state.get(key)
            first = seen is None
            if seen is None or seen[0] != state:
                seen = (state, now)
                self._seen_state[key] = seen
        if first and state == CounterState.OPEN.value and last_finish is not None:
            return last_finish
        return seen[1]
