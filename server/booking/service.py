"""The use-cases of appointments: slots, booking, cancelling, checking in at the kiosk.

Each change runs in the site's locked transaction (``ServiceCore.command``), so two
citizens never take the last place of a slot, and a check-in numbers its ticket like any
other. The rules are the engine's (``server.engine.appointments``); this part finds the
bookings, counts the places and writes the rows (``server.booking.store``).
"""

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from pydantic import BaseModel

from server.booking import store
from server.contract.booking import (
    BOOKING_PAGE,
    BookingIn,
    BookingOut,
    CheckInIn,
    SlotOut,
    SlotsOut,
    token_of,
)
from server.contract.http import TicketOut
from server.contract.vocab import BookingStatus, DeviceKind, Role
from server.engine.appointments import (
    Appointment,
    bookable,
    bookable_days,
    check_in,
    slots_on,
    window,
)
from server.engine.model import ServiceConfig
from server.engine.numbering import business_day, local_time
from server.service import errors
from server.service.context import Actor, Ctx, Result
from server.service.core import ServiceCore
from server.service.errors import ServiceError
from server.service.tickets import Tickets
from server.storage.mapping import SiteBundle
from server.storage.models import BookingRow
from server.storage.repository import Repository

# Who books through the public page: no account, one scope of its own.
WEB = Actor(kind="web", name="booking-page", role="citizen", site=None)
CODE_DIGITS = 8
STAFF = {Role.SUPERVISOR.value, Role.ADMIN.value}


def slot_full() -> ServiceError:
    return ServiceError(
        409,
        "slot_full",
        "Khung giờ này đã đủ người đặt. Quý khách vui lòng chọn khung giờ khác.",
        "This time slot is fully booked. Please choose another slot.",
    )


def slot_unavailable() -> ServiceError:
    return ServiceError(
        409,
        "slot_unavailable",
        "Khung giờ này không nhận đặt lịch (đã qua, quá xa hoặc ngoài giờ làm việc).",
        "This time slot cannot be booked (past, too far ahead, or outside opening hours).",
    )


def no_booking_here(service: str) -> ServiceError:
    return ServiceError(
        409,
        "booking_not_offered",
        "Lĩnh vực này không nhận đặt lịch hẹn.",
        "This service does not take appointments.",
        service=service,
    )


def unknown_booking() -> ServiceError:
    return ServiceError(
        404,
        "unknown_booking",
        "Không tìm thấy lịch hẹn. Quý khách vui lòng kiểm tra lại mã, "
        "hoặc lấy số thứ tự thông thường.",
        "No such appointment. Please check the code, or take a regular ticket.",
    )


def already_booked() -> ServiceError:
    return ServiceError(
        409,
        "citizen_already_booked",
        "Số CCCD này đã có lịch hẹn chưa sử dụng cho lĩnh vực này.",
        "This ID number already has an unused appointment for this service.",
    )


class Bookings:
    """Appointments of every site: what the booking pages, the portal API and the kiosk
    check-in ask for."""

    def __init__(
        self,
        core: ServiceCore,
        tickets: Tickets,
        *,
        key: Callable[[], bytes],
        public_url: str = "http://127.0.0.1:8080",
    ) -> None:
        """``key``: the server secret (``server.security.secret``) an ID number is
        keyed with, read when needed (the runtime sets it after the service is made)."""
        self.core = core
        self.tickets = tickets
        self._key = key
        self.public_url = public_url.rstrip("/")

    # ---- reading -------------------------------------------------------------------

    def citizen_hash(self, cccd: str) -> str:
        """The keyed hash an ID number is kept as (never the number)."""
        key = self._key()
        if len(key) < 16:
            raise ServiceError(
                503,
                "booking_key_missing",
                "Máy chủ chưa có khóa bí mật để bảo vệ số CCCD.",
                "The server has no secret to protect ID numbers with.",
            )
        return hmac.new(key, b"cccd:" + cccd.encode(), hashlib.sha256).hexdigest()

    def fingerprint(self, method: str, path: str, body: BookingIn | CheckInIn) -> str:
        """What makes two booking commands "the same" for their idempotency record (the
        portal's API and the booking page alike), with an ID number only in its keyed hash:
        a plain hash of a 12-digit number is undone by trying them all."""
        if body.cccd is not None:
            body = body.model_copy(update={"cccd": self.citizen_hash(body.cccd)})
        return f"{method} {path}\n{body.model_dump_json()}"

    def offering(self, site_id: str) -> tuple[SiteBundle, list[ServiceConfig]]:
        """A site's configuration and its fields that take appointments."""
        with self.core.reading(site_id) as view:
            bundle = view.bundle
        return bundle, [s for s in bundle.services.values() if s.booking and s.enabled]

    def sites(self) -> list[SiteBundle]:
        """The sites with at least one field that takes appointments."""
        with self.core.db.read() as session:
            ids = store.site_ids(session)
        out = []
        for site_id in ids:
            bundle, offered = self.offering(site_id)
            if offered:
                out.append(bundle)
        return out

    def slots(self, site_id: str, service_code: str, day: date | None = None) -> SlotsOut:
        now = self.core.clock()
        with self.core.reading(site_id) as view:
            bundle = view.bundle
            service = self._offered(bundle, service_code)
            assert service.booking is not None
            days = bookable_days(bundle.site, service.booking, now)
            wanted = day if day is not None else days[0]
            slots = slots_on(bundle.site, service, wanted) if wanted in days else []
            taken = store.taken(
                view.repo.s, (bundle.site, service_code), [s.start for s in slots], now
            )
            out = [
                SlotOut(
                    start=s.start,
                    end=s.end,
                    local=f"{local_time(s.start, bundle.site.time_zone):%H:%M}",
                    capacity=service.booking.capacity,
                    free=max(0, service.booking.capacity - taken.get(s.start, 0)),
                )
                for s in slots
                if bookable(bundle.site, service, s.start, now)
            ]
        return SlotsOut(site=site_id, service=service_code, day=wanted, days=days, slots=out)

    def by_token(self, token: str) -> BookingOut | None:
        with self.core.db.read() as session:
            row = store.by_token(session, token)
            if row is None:
                return None
            bundle = self.core.view_in(Repository(session), row.site_id).bundle
            status = store.effective_status(row, bundle.site, self.core.clock())
            return self._out(bundle, row, status)

    def get(self, site_id: str, code: str, actor: Actor) -> BookingOut:
        self._require_portal(actor, site_id)
        with self.core.db.read() as session:
            row = store.by_code(session, code)
            if row is None or row.site_id != site_id:
                raise unknown_booking()
            bundle = self.core.view_in(Repository(session), site_id).bundle
            return self._out(
                bundle, row, store.effective_status(row, bundle.site, self.core.clock())
            )

    # ---- changes -------------------------------------------------------------------

    def book(
        self, site_id: str, body: BookingIn, actor: Actor, key: str | None, request_hash: str
    ) -> Result:
        """Take a place in a slot: the page (``WEB``) or a portal's account."""
        if actor is not WEB:
            self._require_portal(actor, site_id)
        citizen = self.citizen_hash(body.cccd) if body.cccd else None

        def apply(ctx: Ctx) -> tuple[int, BaseModel]:
            service = self._offered(ctx.bundle, body.service)
            assert service.booking is not None
            site = ctx.bundle.site
            start = body.start
            if start.tzinfo is None or not bookable(site, service, start, ctx.now):
                raise slot_unavailable()
            session = ctx.repo.s
            store.lapse(session, site_id, site, ctx.now)
            if (
                store.taken(session, (site, service.code), [start], ctx.now).get(start, 0)
                >= service.booking.capacity
            ):
                raise slot_full()
            if citizen is not None and store.open_for_citizen(
                session, site_id, service.code, citizen
            ):
                raise already_booked()
            slot = next(s for s in slots_on(site, service, business_day(start, site.time_zone))
                        if s.start == start)  # fmt: skip
            row = BookingRow(
                id=uuid.uuid4().hex,
                code=store.new_code(session, CODE_DIGITS),
                token=secrets.token_urlsafe(18),
                site_id=site_id,
                service=service.code,
                slot_start=slot.start,
                slot_end=slot.end,
                status=BookingStatus.BOOKED.value,
                language=body.language,
                citizen_hash=citizen,
                source="web" if actor is WEB else f"{actor.kind}:{actor.name}"[:80],
                created_at=ctx.now,
            )
            session.add(row)
            session.flush()
            return 201, self._out(ctx.bundle, row, BookingStatus.BOOKED)

        return self.core.command(site_id, actor, key, request_hash, apply)

    def cancel_by_token(self, token: str) -> BookingOut:
        """The citizen's own cancel (the link on the booking's page)."""
        with self.core.db.read() as session:
            row = store.by_token(session, token)
            if row is None:
                raise unknown_booking()
            site_id = row.site_id
        return self._cancel(site_id, WEB, lambda s: store.by_token(s, token))

    def cancel(self, site_id: str, code: str, actor: Actor) -> BookingOut:
        """A portal cancels on the citizen's behalf."""
        self._require_portal(actor, site_id)
        return self._cancel(site_id, actor, lambda s: store.by_code(s, code))

    def _cancel(
        self, site_id: str, actor: Actor, find: Callable[..., BookingRow | None]
    ) -> BookingOut:
        def apply(ctx: Ctx) -> tuple[int, BaseModel]:
            row = find(ctx.repo.s)
            if row is None or row.site_id != site_id:
                raise unknown_booking()
            status = store.effective_status(row, ctx.bundle.site, ctx.now)
            if status is BookingStatus.BOOKED:
                row.status = BookingStatus.CANCELLED.value
                row.changed_at = ctx.now
                status = BookingStatus.CANCELLED
            elif status is not BookingStatus.CANCELLED:
                raise ServiceError(
                    409,
                    "booking_not_cancellable",
                    "Lịch hẹn đã được sử dụng hoặc đã quá giờ, không thể hủy.",
                    "The appointment was used or its time is over; it cannot be cancelled.",
                )
            return 200, self._out(ctx.bundle, row, status)

        result = self.core.command(site_id, actor, None, "", apply)
        return BookingOut.model_validate(result.body)

    def check_in(
        self, site_id: str, body: CheckInIn, actor: Actor, key: str | None, request_hash: str
    ) -> Result:
        """A kiosk of the site turns a booking into a ticket; a booking already checked
        in answers its ticket again (200), whoever asks and with whatever key."""
        is_kiosk = actor.kind == "device" and actor.role == DeviceKind.KIOSK.value
        if not (is_kiosk or actor.is_user) or not actor.may_use_site(site_id):
            raise errors.forbidden("nhận lịch hẹn tại điểm này", "check in at this site")
        citizen = self.citizen_hash(body.cccd) if body.cccd else None
        token = token_of(body.qr) if body.qr is not None else None
        if body.qr is not None and token is None:
            raise unknown_booking()

        def apply(ctx: Ctx) -> tuple[int, BaseModel]:
            session = ctx.repo.s
            site = ctx.bundle.site
            if body.code is not None:
                row = store.by_code(session, body.code)
            elif token is not None:
                row = store.by_token(session, token)
            else:
                assert citizen is not None
                row = store.for_citizen_now(session, site_id, citizen, site, ctx.now)
            if row is None or row.site_id != site_id:
                raise unknown_booking()
            if row.ticket_id is not None:
                earlier = ctx.repo.ticket_row(row.ticket_id)
                if earlier is not None:
                    return 200, self.tickets.ticket_out(ctx.bundle, earlier, ahead=0, wait=None)
            service = ctx.bundle.services.get(row.service)
            if service is None:
                raise errors.unknown_service(row.service)
            status = store.effective_status(row, site, ctx.now)
            booking = Appointment(
                code=row.code,
                site=site_id,
                service=row.service,
                slot_start=row.slot_start,
                slot_end=row.slot_end,
                status=status,
                language=row.language,
            )
            issued, _ahead, _normal, _open = ctx.repo.issue_counts(
                site_id, ctx.day, service.code, True
            )
            ticket, event = check_in(
                site,
                service,
                booking,
                ticket_id=uuid.uuid4().hex,
                seq=issued + 1,
                now=ctx.now,
                actor=actor.name,
            )
            ahead = ctx.repo.count_ahead_of(ticket)
            wait = self.tickets.estimates.estimate(
                ctx.repo,
                ctx.bundle,
                ticket,
                day=ctx.day,
                now=ctx.now,
                seq=ctx.site.seq,
                locked=True,
            )
            ticket = replace(ticket, estimate_s=wait.wait_s)
            event = replace(event, data={**event.data, "estimate_s": wait.wait_s})
            ctx.repo.take_number(site_id, ctx.day, service.code)
            stored = ctx.repo.insert_ticket(ticket, track_token=secrets.token_urlsafe(18))
            ctx.repo.append_events(site_id, [event])
            row.status = BookingStatus.CHECKED_IN.value
            row.ticket_id = ticket.id
            row.changed_at = ctx.now
            ctx.effects.touch_service(ctx.bundle, service.code)
            out: TicketOut = self.tickets.ticket_out(ctx.bundle, stored, ahead=ahead, wait=wait)
            return 201, out

        return self.core.command(site_id, actor, key, request_hash, apply)

    # ---- helpers -------------------------------------------------------------------

    def _site(self, site_id: str) -> SiteBundle:
        with self.core.reading(site_id) as view:
            return view.bundle

    @staticmethod
    def _offered(bundle: SiteBundle, code: str) -> ServiceConfig:
        service = bundle.services.get(code)
        if service is None:
            raise errors.unknown_service(code)
        if service.booking is None or not service.enabled:
            raise no_booking_here(code)
        return service

    @staticmethod
    def _require_portal(actor: Actor, site_id: str) -> None:
        """The portal books with an account of supervisor or admin rank."""
        if not (actor.is_user and actor.role in STAFF) or not actor.may_use_site(site_id):
            raise errors.forbidden("đặt lịch hẹn tại điểm này", "book appointments at this site")

    def page_url(self, token: str) -> str:
        return f"{self.public_url}{BOOKING_PAGE}{token}"

    def _out(self, bundle: SiteBundle, row: BookingRow, status: BookingStatus) -> BookingOut:
        site = bundle.site
        service = bundle.services[row.service]
        start, end = (local_time(t, site.time_zone) for t in (row.slot_start, row.slot_end))
        opens, closes = window(site, row.slot_start)
        return BookingOut(
            code=row.code,
            site=site.id,
            site_name_vi=site.name,
            site_name_en=site.name_en,
            service=service.code,
            service_name_vi=service.name_vi,
            service_name_en=service.name_en,
            slot_start=row.slot_start,
            slot_end=row.slot_end,
            local_day=start.date(),
            local_time=f"{start:%H:%M} - {end:%H:%M}",
            check_in_from=opens,
            check_in_until=closes,
            check_in_opens_local=f"{local_time(opens, site.time_zone):%H:%M}",
            check_in_closes_local=f"{local_time(closes, site.time_zone):%H:%M}",
            status=status,
            page_url=self.page_url(row.token),
            ticket_id=row.ticket_id,
            with_cccd=row.citizen_hash is not None,
        )
