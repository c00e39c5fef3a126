"""SQLAlchemy 2 ORM tables.

Configuration (sites, areas, departments, services, counters) lives in rows that
map to the engine's frozen dataclasses (see ``mapping.py``). Secrets are stored
only as hashes; ID numbers only as the kiosk's keyed hash ``citizen_key``.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def lean_result_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        """For ``server.storage.lean``: SQLite's text read straight to an aware datetime
        in one step instead of SQLAlchemy's parser then ``process_result_value``; the
        same value, tested in tests/server/storage/test_lean.py."""
        if dialect.name != "sqlite":
            return None

        def read(value: str | None) -> datetime | None:
            return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)

        return read


UTC_DATETIME = UtcDateTime()


class SiteRow(Base):
    """A site; its row is also the lock that serialises numbering and calling."""

    __tablename__ = "sites"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    time_zone: Mapped[str] = mapped_column(String(64), default="Asia/Ho_Chi_Minh")
    # SiteConfig fields that are not plain columns: hours, priority categories, rules.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    # Bumped on every configuration change so processes can cache the config.
    config_version: Mapped[int] = mapped_column(Integer, default=1)
    current_day: Mapped[date | None] = mapped_column(Date, nullable=True)


class AreaRow(Base):
    __tablename__ = "areas"

    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)


class DepartmentRow(Base):
    __tablename__ = "departments"

    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0)


class ServiceRow(Base):
    __tablename__ = "services"
    __table_args__ = (
        ForeignKeyConstraint(
            ["site_id", "department"], ["departments.site_id", "departments.code"]
        ),
    )

    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    department: Mapped[str] = mapped_column(String(32))
    name_vi: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    number_format: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    daily_quota: Mapped[int | None] = mapped_column(Integer, nullable=True)
    hours: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    default_service_s: Mapped[int] = mapped_column(Integer, default=600)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    keywords: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    wait_target_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    citizen_day_limit: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The field's bookable slots (``SlotOffer`` as JSON); None: no appointments.
    booking: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class CounterRow(Base):
    __tablename__ = "counters"
    __table_args__ = (ForeignKeyConstraint(["site_id", "area"], ["areas.site_id", "areas.id"]),)

    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    area: Mapped[str] = mapped_column(String(64))
    priority_counter: Mapped[bool] = mapped_column(Boolean, default=False)
    led_address: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Live state: open / paused / closed, who is there, calls in a row of priority tickets.
    state: Mapped[str] = mapped_column(String(16), default="closed")
    clerk: Mapped[str | None] = mapped_column(String(64), nullable=True)
    priority_streak: Mapped[int] = mapped_column(Integer, default=0)


class CounterServiceRow(Base):
    """The services of a counter, in order of preference, with optional weights."""

    __tablename__ = "counter_services"
    __table_args__ = (
        ForeignKeyConstraint(["site_id", "counter_id"], ["counters.site_id", "counters.id"]),
        ForeignKeyConstraint(["site_id", "service"], ["services.site_id", "services.code"]),
    )

    site_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    counter_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    service: Mapped[str] = mapped_column(String(32), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    weight: Mapped[int | None] = mapped_column(Integer, nullable=True)


class CounterDayServiceRow(Base):
    """A field a counter serves on one business day only (a supervisor's "help out
    today"): loaded into the site's configuration on that day, gone the next. No key to
    the counter or the field, so editing the site never trips on it; a row whose counter
    or field is gone is ignored."""

    __tablename__ = "counter_day_services"

    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    business_day: Mapped[date] = mapped_column(Date, primary_key=True)
    counter_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    service: Mapped[str] = mapped_column(String(32), primary_key=True)
    set_by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTC_DATETIME)


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"), nullable=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    # The counter PIN (4-8 digits), scrypt-hashed like the password; None: no PIN login.
    pin_hash: Mapped[str | None] = mapped_column(String(300), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTC_DATETIME)


class SessionRow(Base):
    """A login: only the SHA-256 of the bearer token is kept."""

    __tablename__ = "sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    expires_at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class DeviceRow(Base):
    """A kiosk, display or counter device with its own token (kept as a SHA-256 hash)."""

    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    # The area a display shows (from the site file); None for other devices.
    area: Mapped[str | None] = mapped_column(String(64), nullable=True)


class AuditRow(Base):
    """One configuration or account change: who, when, what, the values before and after.

    Append-only; the console lists and filters it."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_site_at", "site_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    actor: Mapped[str] = mapped_column(String(64))
    site_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(200), default="")
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)


class DeviceStatusRow(Base):
    __tablename__ = "device_status"

    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), primary_key=True)
    online: Mapped[bool] = mapped_column(Boolean)
    printer: Mapped[str | None] = mapped_column(String(32), nullable=True)
    detail: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    # The device's own heartbeat interval: it is silent after two of them without a report.
    heartbeat_s: Mapped[int] = mapped_column(Integer, default=30, server_default=text("30"))


class DayCounterRow(Base):
    """How many numbers a service gave on a business day: the next number's seq."""

    __tablename__ = "day_counters"

    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    business_day: Mapped[date] = mapped_column(Date, primary_key=True)
    service: Mapped[str] = mapped_column(String(32), primary_key=True)
    issued: Mapped[int] = mapped_column(Integer, default=0)


def exists_on(dialect: str) -> Callable[[Any, str | None, str, bool, Any], bool]:
    """Alembic's ``include_object`` for a database of ``dialect``: leaves out what the
    models create only on another (``ddl_if``), so comparing the models with a SQLite
    database does not ask for PostgreSQL's indexes."""

    def include(obj: Any, _name: str | None, _kind: str, _reflected: bool, _other: Any) -> bool:
        only = getattr(obj, "_ddl_if", None)
        return only is None or only.dialect in (None, dialect)

    return include


# The waiting lines in call order, one partial index per kind of line: each line head
# (``server/storage/heads.py``) is then its first few entries. Without them PostgreSQL
# read every waiting ticket of each field and sorted them, for every call-next and build.
# PostgreSQL only: SQLite walks ``ix_tickets_line`` well enough, and the two more
# indexes to keep cost it more on every write than they saved on reads
# (docs/performance.md).
HEAD_INDEXES = {
    "normal": "status = 'waiting' AND target_counter IS NULL AND priority IS NULL",
    "priority": "status = 'waiting' AND target_counter IS NULL AND priority IS NOT NULL",
}


class TicketRow(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_queue", "site_id", "business_day", "status", "service"),
        Index("ix_tickets_counter", "site_id", "counter_id", "status"),
        Index("ix_tickets_citizen", "site_id", "business_day", "citizen_key"),
        Index("ix_tickets_status", "site_id", "status"),
        Index("ix_tickets_targeted", "site_id", "business_day", "status", "target_counter"),
        Index(
            "ix_tickets_line",
            "site_id",
            "business_day",
            "status",
            "service",
            "priority",
            "queue_at",
        ),
        # The tickets a transfer opened, by the one they came from: the reports walk
        # each visit's transfers with it (``server/reports/visits.py``).
        Index(
            "ix_tickets_transferred_from",
            "transferred_from",
            postgresql_where=text("transferred_from IS NOT NULL"),
            sqlite_where=text("transferred_from IS NOT NULL"),
        ),
        *(
            Index(
                f"ix_tickets_head_{line}",
                "site_id",
                "business_day",
                "service",
                "queue_at",
                "seq",
                postgresql_where=text(condition),
            ).ddl_if(dialect="postgresql")
            for line, condition in HEAD_INDEXES.items()
        ),
    )

    # The engine's ``Ticket`` fields in its order (``site`` as ``site_id``, enums as their
    # values), then the storage-only columns (``records.TICKET_STORAGE_ONLY``); held to
    # it by tests/server/storage/test_ticket_shape.py.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    service: Mapped[str] = mapped_column(String(32))
    number: Mapped[str] = mapped_column(String(16))
    seq: Mapped[int] = mapped_column(Integer)
    business_day: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    queue_at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    priority: Mapped[str | None] = mapped_column(String(32), nullable=True)
    language: Mapped[str] = mapped_column(String(8), default="vi")
    citizen_key: Mapped[str | None] = mapped_column(String(128), nullable=True)
    counter_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    target_counter: Mapped[str | None] = mapped_column(String(64), nullable=True)
    transferred_from: Mapped[str | None] = mapped_column(String(32), nullable=True)
    called_at: Mapped[datetime | None] = mapped_column(UTC_DATETIME, nullable=True)
    call_count: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(UTC_DATETIME, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTC_DATETIME, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # The wait announced at issue, kept beside the actual one (called_at - issued_at).
    estimate_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    channel: Mapped[str] = mapped_column(String(16), default="walk_in")
    # The citizen's tracking link; transfers hand it on to the new ticket.
    track_token: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    clerk: Mapped[str | None] = mapped_column(String(64), nullable=True)


class BookingRow(Base):
    """An appointment: a place in one slot of a field (``server/booking/``).

    The citizen's ID number is never stored: only ``citizen_hash``, keyed with the
    server secret (``server.security.secret``), so a kiosk scan of the card finds it.
    """

    __tablename__ = "bookings"
    __table_args__ = (
        Index("ix_bookings_slot", "site_id", "service", "slot_start", "status"),
        Index("ix_bookings_citizen", "site_id", "citizen_hash"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # typed at the kiosk
    token: Mapped[str] = mapped_column(String(64), unique=True)  # the QR and cancel link
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    service: Mapped[str] = mapped_column(String(32))
    slot_start: Mapped[datetime] = mapped_column(UTC_DATETIME)
    slot_end: Mapped[datetime] = mapped_column(UTC_DATETIME)
    status: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8), default="vi")
    citizen_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    source: Mapped[str] = mapped_column(String(80))  # "web", or the API caller that booked
    created_at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    changed_at: Mapped[datetime | None] = mapped_column(UTC_DATETIME, nullable=True)
    ticket_id: Mapped[str | None] = mapped_column(String(32), nullable=True)


class TicketEventRow(Base):
    """The append-only log: one row per change of a ticket."""

    __tablename__ = "ticket_events"
    __table_args__ = (
        Index("ix_events_site_at", "site_id", "at"),
        # A branch's event is kept once at the central server: its branch and its id
        # there (``server/upstream/``); None for the events this server made itself.
        Index("ix_events_origin", "origin", "origin_id", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    ticket_id: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    actor: Mapped[str | None] = mapped_column(String(64), nullable=True)
    counter_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    origin: Mapped[str | None] = mapped_column(String(64), nullable=True)
    origin_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class CallRow(Base):
    """Every call and recall, with its unique call id: the displays' recent-call list."""

    __tablename__ = "calls"
    __table_args__ = (Index("ix_calls_area", "site_id", "area", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(String(32), unique=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    area: Mapped[str] = mapped_column(String(64))
    counter_id: Mapped[str] = mapped_column(String(64))
    ticket_id: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    recall: Mapped[bool] = mapped_column(Boolean, default=False)
    call_count: Mapped[int] = mapped_column(Integer, default=1)


class RatingRow(Base):
    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    ticket_id: Mapped[str] = mapped_column(String(32), index=True)
    counter_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    clerk: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    business_day: Mapped[date] = mapped_column(Date)
    rating: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTC_DATETIME)


class NoticeRow(Base):
    """Notices shown on the hall displays; the newest per site is current."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    set_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    at: Mapped[datetime] = mapped_column(UTC_DATETIME)


class PinAttemptRow(Base):
    """Wrong PINs lately at one counter (``scope``: its id) or at the whole site
    (``scope`` ""), and until when PINs are refused there; kept in the database so a
    restart forgets nothing and every server process counts the same guesses."""

    __tablename__ = "pin_attempts"

    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    # ISO times of the wrong PINs still inside the window, oldest first.
    wrong: Mapped[list[str]] = mapped_column(JSON, default=list)
    locked_until: Mapped[datetime | None] = mapped_column(UTC_DATETIME, nullable=True)


class TrackContactRow(Base):
    """How a citizen asked to be told "Sắp đến lượt" (``server.notify``): a phone number
    and/or a Web Push subscription, kept with the tracking link (which a transfer hands
    on) and erased when the ticket behind it ends."""

    __tablename__ = "track_contacts"

    track_token: Mapped[str] = mapped_column(String(64), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    push: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # The ticket the "near" notice went out for (a transfer opens a new one: told again).
    told_ticket: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTC_DATETIME)


class IdempotencyRow(Base):
    """A command's stored answer, written in the transaction that applied it."""

    __tablename__ = "idempotency"

    scope: Mapped[str] = mapped_column(String(100), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTC_DATETIME, index=True)


class LoginAttemptRow(Base):
    """Wrong passwords lately for one account (``key`` "user:NAME") or from one client
    address ("addr:IP"), and until when logins are refused there; in the database so a
    restart forgets nothing and every server process counts the same guesses."""

    __tablename__ = "login_attempts"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    # ISO times of the wrong passwords still inside the window, oldest first.
    wrong: Mapped[list[str]] = mapped_column(JSON, default=list)
    locked_until: Mapped[datetime | None] = mapped_column(UTC_DATETIME, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTC_DATETIME, index=True)


class AuthEpochRow(Base):
    """One row whose ``epoch`` grows whenever sessions or device tokens are ended
    (password changed, account disabled or removed, device revoked): every server
    process watches it and forgets the tokens it had cached (``QueueService``)."""

    __tablename__ = "auth_epoch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    epoch: Mapped[int] = mapped_column(BigInteger, default=0)


class ReportVisitRow(Base):
    """One citizen's visit of a closed business day, as the reports count it
    (``server/reports/visits.py``): a ticket and the tickets its transfers opened, seen
    as one. Filled on demand the first time a report reads a closed day; the figures of
    the current day are computed from the tickets themselves by the same statement."""

    __tablename__ = "report_visits"
    __table_args__ = (
        Index("ix_report_visits_site_day", "site_id", "business_day"),
        Index("ix_report_visits_day", "business_day"),
    )

    ticket_id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the first ticket
    site_id: Mapped[str] = mapped_column(String(64))
    business_day: Mapped[date] = mapped_column(Date)
    service: Mapped[str] = mapped_column(String(32))  # the field chosen at the kiosk
    priority: Mapped[str | None] = mapped_column(String(32), nullable=True)
    hour: Mapped[int] = mapped_column(Integer)  # local hour of issue
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday
    counter_id: Mapped[str | None] = mapped_column(String(64), nullable=True)  # last counter
    clerk: Mapped[str | None] = mapped_column(String(64), nullable=True)  # last clerk
    outcome: Mapped[str] = mapped_column(String(16))  # served, no_show, cancelled, expired
    legs: Mapped[int] = mapped_column(Integer)  # 1 + the number of transfers
    parked: Mapped[int] = mapped_column(Integer)  # 1 if any leg was parked
    wait_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    first_wait_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    estimate_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    service_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rating: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # The field's wait target when the day was rolled up (None: the field promised none).
    wait_target_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The channel of the visit's first ticket (walk_in, appointment); the days rolled
    # up before appointments existed were all walk-ins, hence the default.
    channel: Mapped[str] = mapped_column(String(16), server_default="walk_in")


class ReportDayRow(Base):
    """A closed business day of a site whose visits are in ``report_visits``."""

    __tablename__ = "report_days"

    site_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    business_day: Mapped[date] = mapped_column(Date, primary_key=True)
    visits: Mapped[int] = mapped_column(Integer)
    rolled_at: Mapped[datetime] = mapped_column(UTC_DATETIME)


class AlertRow(Base):
    """One alert of a hall's live view: raised, maybe acknowledged, cleared (``server.alerts``).

    ``open_key`` is the site and the condition's key while the alert is not cleared, and
    NULL after: its unique index lets two server processes that see the same trouble raise
    it once (both databases allow many NULLs in a unique index)."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_site_raised", "site_id", "raised_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(32))
    message_vi: Mapped[str] = mapped_column(String(300))
    message_en: Mapped[str] = mapped_column(String(300))
    raised_at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTC_DATETIME, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    cleared_at: Mapped[datetime | None] = mapped_column(UTC_DATETIME, nullable=True)
    open_key: Mapped[str | None] = mapped_column(String(240), nullable=True, unique=True)


# The histogram bins of the day figures (``report_day_figures``): a value falls in bin i
# when it is below edge i and not below edge i - 1; the first bin is open below and the
# last open above (bounded, when read, by the day's smallest and largest value). Widths
# grow with the value, so a percentile read from them is off by at most one bin's width,
# a small share of the value itself (docs/reports.md).
DURATION_EDGES: tuple[int, ...] = (
    *range(30, 601, 30),  # 30 s wide up to 10 minutes
    *range(660, 1801, 60),  # a minute up to 30 minutes
    *range(1980, 3601, 180),  # 3 minutes up to an hour
    *range(4200, 7201, 600),  # 10 minutes up to 2 hours
    10800,
    14400,  # an hour up to 4 hours
)
# The estimate's error (the first wait less the printed estimate) has a sign.
_ERROR_SIDE = (*range(60, 601, 60), 900, 1200, 1500, 1800, 2700, 3600, 4500, 5400, 6300, 7200)
ERROR_EDGES: tuple[int, ...] = (*(-e for e in reversed(_ERROR_SIDE)), 0, *_ERROR_SIDE)
# The measures with a histogram, their columns' prefix and edges.
HISTOGRAMS: dict[str, tuple[int, ...]] = {
    "wait": DURATION_EDGES,
    "service": DURATION_EDGES,
    "error": ERROR_EDGES,
}
# The day figures' counts and sums, added up over the days of a report.
DAY_SUMS = (
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
# Their smallest and largest values, which bound the open bins.
DAY_BOUNDS = tuple(f"{m}_{end}" for m in HISTOGRAMS for end in ("min", "max"))


def bin_columns(measure: str) -> list[str]:
    """The names of a measure's bin columns, in order."""
    return [f"{measure}_b{i:02d}" for i in range(len(HISTOGRAMS[measure]) + 1)]


class ReportDayFiguresRow(Base):
    """The figures of one site's closed business day (``server/reports/days.py``): the
    visits of ``report_visits`` counted, summed and binned, so a report over many days
    adds up a row a site-day instead of reading every visit. Written for every rolled-up
    day with visits (``report_days.visits`` > 0)."""

    __tablename__ = "report_day_figures"
    __table_args__ = (Index("ix_report_day_figures_day", "business_day"),)

    site_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    business_day: Mapped[date] = mapped_column(Date, primary_key=True)


for _name in DAY_SUMS:
    setattr(
        ReportDayFiguresRow,
        _name,
        mapped_column(_name, Integer, nullable=False, default=0, server_default=text("0")),
    )
for _name in DAY_BOUNDS:
    setattr(ReportDayFiguresRow, _name, mapped_column(_name, Integer, nullable=True))
for _measure in HISTOGRAMS:
    for _name in bin_columns(_measure):
        setattr(
            ReportDayFiguresRow,
            _name,
            mapped_column(_name, Integer, nullable=False, default=0, server_default=text("0")),
        )


class BranchRow(Base):
    """A branch server that owns some sites and sends their events here (the central
    server's side of ``server/upstream/``): its token (kept as a SHA-256 hash) and how
    far its events have come."""

    __tablename__ = "branches"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    # The last time the branch reached us (a push, even an empty one, or a pull).
    last_heard_at: Mapped[datetime | None] = mapped_column(UTC_DATETIME, nullable=True)
    # The time of the newest event received, and the highest branch event id received.
    last_event_at: Mapped[datetime | None] = mapped_column(UTC_DATETIME, nullable=True)
    received_through: Mapped[int] = mapped_column(BigInteger, default=0)


class BranchSiteRow(Base):
    """A site owned by a branch: its hall is served there, and only that branch's
    token may send its events."""

    __tablename__ = "branch_sites"

    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    branch_id: Mapped[str] = mapped_column(ForeignKey("branches.id"), index=True)


class UpstreamMarkRow(Base):
    """The branch's side of ``server/upstream/``: named marks that survive a restart
    (``events``: the highest local event id the central server acknowledged;
    ``config:<site>``: the central configuration version applied here)."""

    __tablename__ = "upstream_marks"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class StaffingPlanRow(Base):
    """A staffing what-if of one site (``qms simulate --staffing --db``): the fewest
    clerks per session or hour that kept the SLA over simulated days, and what the days
    showed with them. Stored so the console's reports page can show the latest one
    without running the search in a page request (it takes minutes)."""

    __tablename__ = "staffing_plans"
    __table_args__ = (Index("ix_staffing_plans_site_made", "site_id", "made_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(String(64))
    made_at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    day_file: Mapped[str] = mapped_column(String(255))
    seed: Mapped[int] = mapped_column(Integer)
    days: Mapped[int] = mapped_column(Integer)
    sla_s: Mapped[int] = mapped_column(Integer)
    sla_share: Mapped[float] = mapped_column(Float)
    per: Mapped[str] = mapped_column(String(16))  # "hour" or "session"
    area: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Per slot and field: {"slot", "field", "counters", "tickets", "mean_wait_s",
    # "within_sla", "utilisation"} (``server/simulation/plans.py``).
    figures: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
