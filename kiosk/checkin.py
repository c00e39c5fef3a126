"""Checking in an appointment at the kiosk: the booking code typed, the booking's QR code
scanned, or the ID card that booked it scanned.

The server answers the booking's ticket, the same one however often it is asked (a
second scan, a retry after a lost answer), so a new attempt may take a new key. The ID
card's number goes to the server in the request only, which keys it with its secret to
find the booking; the kiosk keeps nothing of it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from appkit.api_client import ApiError, new_key
from appkit.offthread import Runs
from hardware.cccd import CccdScan
from hardware.links import LinkScan
from kiosk.client import KioskClient
from server.contract import paths
from server.contract.booking import BOOKING_PAGE, CheckInIn
from server.contract.http import TicketOut

log = logging.getLogger(__name__)

CODE_LENGTH = 8


class CheckingIn:
    """The code being typed and the check-in in flight.

    ``wants_card`` says whether an ID card scanned now is meant for a check-in (the
    check-in screen is shown); ``on_ticket`` hears the booking's ticket, ``on_refused``
    the server's refusal, ``on_unreachable`` that it did not answer; ``notify`` that
    what the screen shows changed.
    """

    def __init__(
        self,
        client: KioskClient,
        runner: Runs,
        *,
        wants_card: Callable[[], bool],
        notify: Callable[[], None],
        on_ticket: Callable[[TicketOut], None],
        on_refused: Callable[[ApiError], None],
        on_unreachable: Callable[[], None],
    ) -> None:
        self.client = client
        self.runner = runner
        self._wants_card = wants_card
        self._notify = notify
        self._on_ticket = on_ticket
        self._on_refused = on_refused
        self._on_unreachable = on_unreachable
        self.code = ""
        self.busy = False

    # ---- the keypad ----------------------------------------------------------------

    def type(self, digit: str) -> None:
        if digit.isdigit() and len(digit) == 1 and len(self.code) < CODE_LENGTH:
            self.code += digit
            self._notify()

    def erase(self) -> None:
        self.code = self.code[:-1]
        self._notify()

    def clear(self) -> None:
        self.code = ""
        self._notify()

    @property
    def complete(self) -> bool:
        return len(self.code) == CODE_LENGTH

    @property
    def shown_code(self) -> str:
        """The code as printed on the booking: "1234 5678", with blanks still to type."""
        padded = self.code.ljust(CODE_LENGTH, "_")
        return f"{padded[:4]} {padded[4:]}"

    # ---- the ways in ---------------------------------------------------------------

    def submit_code(self) -> None:
        if self.complete:
            self._send(CheckInIn(code=self.code))

    def claim(self, scan: object) -> bool:
        """Take a scan meant for a check-in: a booking's link, at any screen; an ID card
        while the check-in screen is shown. False leaves it to the ID reader's usual
        path (a greeting)."""
        if isinstance(scan, LinkScan):
            if BOOKING_PAGE not in scan.url:
                return False
            self._send(CheckInIn(qr=scan.url[:300]))
            return True
        if isinstance(scan, CccdScan) and self._wants_card():
            self._send(CheckInIn(cccd=scan.number_for_check_in()))
            return True
        return False

    def _send(self, body: CheckInIn) -> None:
        if self.busy:
            return
        self.busy = True
        self._notify()
        key = new_key()
        self.runner.run(
            lambda: self.client.api.request(
                "POST",
                paths.checkins(self.client.site),
                TicketOut,
                body=body,
                idempotency_key=key,
            ),
            self._done,
            self._failed,
        )

    def _done(self, ticket: TicketOut) -> None:
        self.busy = False
        self.code = ""
        self._on_ticket(ticket)

    def _failed(self, exc: Exception) -> None:
        self.busy = False
        if isinstance(exc, ApiError):
            self._on_refused(exc)
            return
        log.warning("check-in: the server did not answer: %s", exc)
        self._on_unreachable()
