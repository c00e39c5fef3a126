"""Whether a service issues tickets now, and issuing one.

``availability`` is what the kiosk menu shows next to each service; ``issue``
applies the same rules plus the per-citizen limits and raises a ``Refusal``.
"""

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from server.contract.vocab import ACTIVE_STATUSES, ClosedReason, TicketStatus
from server.engine import errors
from server.engine.errors import Refusal
from server.engine.events import EventKind
from server.engine.model import Event, OpeningHours, ServiceConfig, SiteConfig, Ticket
from server.engine.numbering import business_day, capacity, format_number, local_time


def is_open(hours: OpeningHours, local: datetime) -> bool:
    """Open on that weekday and inside a window; a window's end is exclusive."""
    return _window_at(hours.windows_on(local.weekday()), local) is not None


def _window_at(windows: tuple[tuple[time, time], ...], local: datetime) -> tuple[time, time] | None:
    clock = local.time().replace(tzinfo=None)
    for start, end in windows:
        if start <= clock < end:
            return start, end
    return None


def _day_windows(
    site: SiteConfig, hours: OpeningHours, day: date
) -> tuple[tuple[time, time], ...] | None:
    """The sessions of a date: None on a holiday, a special day's own, else the week's."""
    if any(h.day == day for h in site.holidays):
        return None
    for special in site.special_days:
        if special.day == day:
            return special.windows
    return hours.windows_on(day.weekday())


def day_windows(
    site: SiteConfig, hours: OpeningHours, day: date
) -> tuple[tuple[time, time], ...] | None:
    """The sessions of a date (None on a holiday): appointments' slots lie in them."""
    return _day_windows(site, hours, day)


def _in_cutoff(site: SiteConfig, window: tuple[time, time], local: datetime) -> bool:
    """Inside the last minutes of a session, when kiosks no longer issue."""
    if site.stop_issuing_before_close_min <= 0:
        return False
    end = datetime.combine(local.date(), window[1], tzinfo=local.tzinfo)
    return end - local <= timedelta(minutes=site.stop_issuing_before_close_min)


def availability(
    site: SiteConfig, service: ServiceConfig, now: datetime, issued_today: int
) -> ClosedReason | None:
    """Why the service is closed now, or None when it issues tickets.

    A service switched off wins; then a used-up quota (it will not reopen today,
    which is worth telling a citizen at lunch time); then the opening hours.
    ``issued_today`` counts the numbers the service gave out this business day.
    """
    if not service.enabled:
        return ClosedReason.DISABLED
    if service.daily_quota is not None and issued_today >= service.daily_quota:
        return ClosedReason.QUOTA
    size = capacity(service.number_format)
    if size is not None and issued_today >= size:
        return ClosedReason.QUOTA
    hours = service.hours if service.hours is not None else site.hours
    return _hours_reason(site, hours, local_time(now, site.time_zone))


def _hours_reason(site: SiteConfig, hours: OpeningHours, local: datetime) -> ClosedReason | None:
    """A holiday, outside every session, or inside a session's last minutes (cut-off)."""
    windows = _day_windows(site, hours, local.date())
    if windows is None:
        return ClosedReason.HOLIDAY
    window = _window_at(windows, local)
    if window is None:
        return ClosedReason.HOURS
    if _in_cutoff(site, window, local):
        return ClosedReason.CUTOFF
    return None


def refusal_for(reason: ClosedReason, service: str) -> Refusal:
    """The refusal a kiosk shows for a closed service."""
    if reason is ClosedReason.DISABLED:
        return errors.service_disabled(service)
    if reason is ClosedReason.QUOTA:
        return errors.quota_reached(service)
    if reason is ClosedReason.HOLIDAY:
        return errors.holiday(service)
    if reason is ClosedReason.CUTOFF:
        return errors.issuing_stopped(service)
    return errors.outside_hours(service)


def check_citizen(
    site: SiteConfig,
    service: ServiceConfig,
    citizen_key: str,
    citizen_tickets_today: Sequence[Ticket],
    today: date,
) -> None:
    """At most one active ticket per service, and a daily cap on visits.

    Tickets opened by a transfer are not new visits, so they do not count
    towards the daily cap (the ticket they came from already did).
    """
    mine = [
        t for t in citizen_tickets_today if t.citizen_key == citizen_key and t.business_day == today
    ]
    for ticket in mine:
        if ticket.service == service.code and ticket.status in ACTIVE_STATUSES:
            raise errors.citizen_active_ticket(ticket.number, service.code)
    limit = service.citizen_day_limit
    if limit is not None:
        here = sum(1 for t in mine if t.service == service.code and t.transferred_from is None)
        if here >= limit:
            raise errors.citizen_service_limit(limit, service.code)
    visits = sum(1 for t in mine if t.transferred_from is None)
    if visits >= site.max_tickets_per_citizen_day:
        raise errors.citizen_daily_limit(site.max_tickets_per_citizen_day)


def issue(
    site: SiteConfig,
    service: ServiceConfig,
    *,
    ticket_id: str,
    seq: int,
    now: datetime,
    issued_today: int,
    priority: str | None,
    language: str,
    citizen_key: str | None,
    citizen_tickets_today: Sequence[Ticket],
    estimate_s: int | None,
    actor: str | None,
) -> tuple[Ticket, Event]:
    """A new waiting ticket numbered ``seq`` and its ``issued`` event, or a Refusal.

    ``seq`` is the next number of the service's day, allocated by the caller
    inside its per-site transaction; ``issued_today`` is normally ``seq - 1``.
    """
    reason = availability(site, service, now, issued_today)
    if reason is None:
        size = capacity(service.number_format)
        if size is not None and seq > size:
            reason = ClosedReason.QUOTA
    if reason is not None:
        raise refusal_for(reason, service.code)
    if priority is not None and priority not in {c.code for c in site.priority_categories}:
        raise errors.unknown_priority(priority)
    today = business_day(now, site.time_zone)
    if citizen_key is not None:
        check_citizen(site, service, citizen_key, citizen_tickets_today, today)
    number = format_number(service.number_format, seq)
    ticket = Ticket(
        id=ticket_id,
        site=site.id,
        service=service.code,
        number=number,
        seq=seq,
        business_day=today,
        status=TicketStatus.WAITING,
        issued_at=now,
        queue_at=now,
        priority=priority,
        language=language,
        citizen_key=citizen_key,
        estimate_s=estimate_s,
    )
    data: dict[str, object] = {"number": number, "service": service.code, "seq": seq}
    if priority is not None:
        data["priority"] = priority
    if estimate_s is not None:
        data["estimate_s"] = estimate_s
    return ticket, Event(ticket_id, EventKind.ISSUED, now, actor=actor, data=data)
