"""Typed HTTP client of the counter terminal, on the shared ``appkit`` base.

Each counter action takes the idempotency key of the clerk's intent: a retry of
the same press passes the same key, so the server never applies it twice.
"""

import logging
from typing import Any

import httpx
from pydantic import ValidationError

from appkit.api_client import ApiClient, ApiError, ServerUnreachable
from server.contract import paths
from server.contract.http import (
    ActionOut,
    CallIn,
    ClerkDayOut,
    CountersOut,
    ErrorOut,
    LoginIn,
    LoginOut,
    MenuOut,
    PinLoginIn,
    RateIn,
    TransferIn,
)
from server.contract.vocab import Rating

log = logging.getLogger(__name__)

# The counter actions that need no body, by the name the view-model uses.
SIMPLE_ACTIONS = ("call-next", "recall", "start", "finish", "no-show", "park", "pause", "resume")


class CounterClient(ApiClient):
    """The server API as one counter terminal uses it."""

    device_token: str | None = None
    """The terminal's own device token (``qms device add NAME --kind counter``): PIN
    login is accepted only from a registered counter PC of the site."""

    def login(self, username: str, password: str) -> LoginOut:
        """Log in and keep the bearer token for the following requests."""
        answer = self.request(
            "POST", paths.login(), LoginOut, LoginIn(username=username, password=password)
        )
        self.token = answer.token
        return answer

    def pin_login(self, site: str, counter: str, pin: str) -> LoginOut:
        """Log in with the clerk's PIN at ``counter``; keeps the token like ``login``."""
        body = PinLoginIn(site=site, counter=counter, pin=pin)
        answer = self.request("POST", paths.pin_login(), LoginOut, body, token=self.device_token)
        self.token = answer.token
        return answer

    def logout(self, site: str, counter: str) -> None:
        """End the session; the server pauses every counter this clerk had open.

        ``site`` and ``counter`` are only for the log: the token names the clerk.
        """
        if not self.token:
            return
        try:
            response = self._http.post(paths.logout(), headers=self._headers(None))
        except httpx.HTTPError as exc:
            raise ServerUnreachable(str(exc) or type(exc).__name__) from exc
        if response.status_code >= 500:
            raise ServerUnreachable(f"server error {response.status_code}")
        if response.status_code >= 400 and response.status_code != 401:
            # 401: the session already ended (expired or revoked); nothing left to close.
            try:
                error = ErrorOut.model_validate_json(response.content)
            except ValidationError:
                detail = response.text[:200]
                error = ErrorOut(
                    error="http_error", message=detail, message_vi=detail, message_en=detail
                )
            raise ApiError(response.status_code, error)
        log.info("logged out of counter %s at %s; the server paused it", counter, site)
        self.token = None

    def counters(self, site: str) -> CountersOut:
        return self.request("GET", paths.counters(site), CountersOut)

    def services(self, site: str) -> MenuOut:
        return self.request("GET", paths.menu(site), MenuOut)

    def day(self, site: str, counter: str) -> ClerkDayOut:
        return self.request("GET", paths.clerk_day(site, counter), ClerkDayOut)

    def action(
        self,
        site: str,
        counter: str,
        action: str,
        key: str,
        body: CallIn | TransferIn | RateIn | None = None,
    ) -> ActionOut:
        """Run one counter action (``call-next``, ``transfer``, ``rate``, ...) under ``key``."""
        payload: Any = body if body is not None else {}
        return self.request(
            "POST", paths.counter_action(site, counter, action), ActionOut, payload, key
        )

    def call_number(self, site: str, counter: str, ticket: str, reason: str, key: str) -> ActionOut:
        return self.action(site, counter, "call", key, CallIn(ticket=ticket, reason=reason))

    def transfer(
        self,
        site: str,
        counter: str,
        key: str,
        *,
        to_service: str | None = None,
        to_counter: str | None = None,
        note: str = "",
        keep_place: bool | None = None,
    ) -> ActionOut:
        body = TransferIn(
            to_service=to_service, to_counter=to_counter, note=note, keep_place=keep_place
        )
        return self.action(site, counter, "transfer", key, body)

    def rate(
        self, site: str, counter: str, rating: Rating, key: str, ticket: str | None = None
    ) -> ActionOut:
        return self.action(site, counter, "rate", key, RateIn(rating=rating, ticket=ticket))
