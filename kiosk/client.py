"""The kiosk's typed HTTP client: menu, issue a ticket, ticket status, device status.

A ticket request keeps its idempotency key (``IssueRequest``) so that every retry of
one tap, automatic or after the server came back, sends the same key and the server
issues at most one ticket for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from appkit.api_client import ApiClient, new_key
from server.contract import paths
from server.contract.http import DeviceStatusIn, MenuOut, TicketIn, TicketOut
from server.contract.messages import DeviceStatus


@dataclass(frozen=True, slots=True)
class IssueRequest:
    """One citizen's tap: the ticket asked for and the key that names that tap."""

    body: TicketIn
    key: str = field(default_factory=new_key)


class KioskClient:
    """The four calls a kiosk makes, on top of the shared ``ApiClient``.

    Errors come from ``ApiClient``: ``ApiError`` (a 4xx with a message for the
    citizen) or ``ServerUnreachable`` (retry with the same request).
    """

    def __init__(self, api: ApiClient, site: str) -> None:
        self.api = api
        self.site = site

    @classmethod
    def connect(
        cls, base_url: str, site: str, token: str | None, timeout_s: float = 5.0
    ) -> KioskClient:
        return cls(ApiClient(base_url, token=token, timeout_s=timeout_s), site)

    def close(self) -> None:
        self.api.close()

    def menu(self) -> MenuOut:
        return self.api.request("GET", paths.menu(self.site), MenuOut)

    def issue(self, request: IssueRequest) -> TicketOut:
        """Issue (or, for a retried key, return the already issued) ticket."""
        return self.api.request(
            "POST",
            paths.tickets(self.site),
            TicketOut,
            body=request.body,
            idempotency_key=request.key,
        )

    def ticket(self, ticket_id: str) -> TicketOut:
        return self.api.request("GET", paths.ticket(self.site, ticket_id), TicketOut)

    def report_status(self, status: DeviceStatusIn) -> DeviceStatus:
        """Tell the server (and through it the supervisors) how this kiosk is."""
        return self.api.request("POST", paths.device_status(), DeviceStatus, body=status)
