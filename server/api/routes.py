"""The routes of ``/api/v1``: each parses, asks the service, answers the contract's model."""

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict

from server.api.deps import (
    Command,
    Commands,
    CurrentActor,
    Service,
    bearer_token,
    request_hash,
)
from server.contract.http import (
    ActionOut,
    CallIn,
    ClerkDayOut,
    CountersOut,
    DeviceStatusIn,
    ErrorOut,
    HealthOut,
    LoginIn,
    LoginOut,
    MenuOut,
    NoticeIn,
    NoticeOut,
    PinLoginIn,
    QueueOut,
    RateIn,
    TicketIn,
    TicketOut,
    TransferIn,
)
from server.contract.messages import DeviceStatus
from server.service import QueueService, ServiceError

router = APIRouter(prefix="/api/v1")

SiteId = Annotated[str, Path(min_length=1, max_length=64)]
TakeOver = Annotated[
    bool,
    Query(
        description="Act at a counter another clerk holds (logged). Without it a clerk gets "
        "409 ``counter_held``; supervisors and admins need no flag (also logged).",
    ),
]
CounterId = Annotated[str, Path(min_length=1, max_length=64)]

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (400, 401, 403, 404, 409, 413, 422)
}
_ERRORS_429: dict[int | str, dict[str, Any]] = {
    **_ERRORS,
    429: {
        "model": ErrorOut,
        "description": "Too many failed attempts; wait for the ``Retry-After`` seconds.",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    },
}


class EmptyIn(BaseModel):
    """Actions without parameters accept no body or ``{}``, nothing else."""

    model_config = ConfigDict(extra="forbid")


def _answer(status: int, body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, status_code=status)


# ---- public -----------------------------------------------------------------------------


@router.get("/health", response_model=HealthOut)
def health(request: Request, service: Service) -> HealthOut:
    probe = request.app.state.mqtt_state
    mqtt = probe() if probe else "none"
    database = service.core.database_state()
    ok = database != "unreachable" and mqtt in ("connected", "none")
    return HealthOut(
        status="ok" if ok else "degraded",
        version=request.app.version,
        database=database,
        mqtt=mqtt,
        time=datetime.now(UTC),
    )


@router.post("/auth/login", response_model=LoginOut, responses=_ERRORS_429)
def login(body: LoginIn, request: Request, service: Service) -> LoginOut:
    """Too many wrong passwords for an account or from an address: 429 with
    ``Retry-After`` until the lockout ends, whatever the password."""
    address = request.client.host if request.client else None
    return service.accounts.login(body.username, body.password, address=address)


@router.post("/auth/pin", response_model=LoginOut, responses=_ERRORS_429)
def pin_login(body: PinLoginIn, terminal: CurrentActor, service: Service) -> LoginOut:
    """The bearer token is the counter terminal's device token, not a clerk's."""
    return service.accounts.pin_login(body.site, body.counter, body.pin, terminal=terminal)


@router.post("/auth/logout", status_code=204, responses=_ERRORS)
def logout(actor: CurrentActor, service: Service) -> Response:
    service.accounts.logout(actor)
    return Response(status_code=204)


@router.get("/sites/{site}/services", response_model=MenuOut, responses=_ERRORS)
def menu(site: SiteId, service: Service) -> MenuOut:
    return service.reads.menu(site)


@router.get("/sites/{site}/tickets/{ticket_id}", response_model=TicketOut, responses=_ERRORS)
def ticket_status(
    site: SiteId, ticket_id: Annotated[str, Path(max_length=64)], service: Service
) -> TicketOut:
    return service.tickets.get(site, ticket_id)


@router.get("/sites/{site}/counters", response_model=CountersOut, responses=_ERRORS)
def counters(site: SiteId, request: Request, service: Service) -> CountersOut:
    """Public; the clerk at each counter only for the site's staff (their bearer token)."""
    view = service.reads.counters(site)
    if _is_staff_of(request, service, site):
        return view
    hidden = [c.model_copy(update={"clerk": None}) for c in view.counters]
    return view.model_copy(update={"counters": hidden})


def _is_staff_of(request: Request, service: QueueService, site: str) -> bool:
    """Whether the request carries a valid token of a user of ``site`` (an unknown or
    missing token is simply not staff: the route stays public)."""
    try:
        actor = service.accounts.authenticate(bearer_token(request))
    except ServiceError:
        return False
    return actor.is_user and actor.may_use_site(site)


# ---- kiosks and devices ---------------------------------------------------------------


@router.post("/sites/{site}/tickets", status_code=201, response_model=TicketOut, responses=_ERRORS)
async def issue_ticket(
    request: Request,
    site: SiteId,
    *,
    body: TicketIn,
    command: Command,
) -> JSONResponse:
    digest = request_hash(request, body)
    service, actor, key = command.service, command.actor, command.key
    result = await command.commands.run(
        site, lambda: service.tickets.issue(site, body, actor, key, digest)
    )
    return _answer(result.status, result.body)


@router.post("/devices/status", response_model=DeviceStatus, responses=_ERRORS)
def device_status(body: DeviceStatusIn, actor: CurrentActor, service: Service) -> DeviceStatus:
    return service.devices.report_status(actor, body)


# ---- staff ------------------------------------------------------------------------------


@router.get("/sites/{site}/queue", response_model=QueueOut, responses=_ERRORS)
def queue(site: SiteId, actor: CurrentActor, service: Service) -> QueueOut:
    return service.reads.queue(site, actor)


@router.get("/sites/{site}/counters/{counter}/day", response_model=ClerkDayOut, responses=_ERRORS)
def clerk_day(
    site: SiteId, counter: CounterId, actor: CurrentActor, service: Service
) -> ClerkDayOut:
    return service.reads.clerk_day(site, counter, actor)


@router.put("/sites/{site}/notice", response_model=NoticeOut, responses=_ERRORS)
async def set_notice(
    request: Request,
    site: SiteId,
    *,
    body: NoticeIn,
    actor: CurrentActor,
    service: Service,
    commands: Commands,
) -> JSONResponse:
    key = request.headers.get("idempotency-key")
    digest = request_hash(request, body)
    result = await commands.run(site, lambda: service.notices.set(site, body, actor, key, digest))
    return _answer(result.status, result.body)


def _action(name: str, body_model: type[BaseModel] | None) -> None:
    """Register ``POST /sites/{site}/counters/{counter}/{name}``."""
    path = f"/sites/{{site}}/counters/{{counter}}/{name}"
    summary = f"Counter action: {name}"

    if body_model is None:

        async def run_empty(
            request: Request,
            site: SiteId,
            *,
            counter: CounterId,
            command: Command,
            take_over: TakeOver = False,
            body: Annotated[EmptyIn | None, Body()] = None,
        ) -> JSONResponse:
            digest = request_hash(request, None)
            service, actor, key = command.service, command.actor, command.key
            result = await command.commands.run(
                site,
                lambda: service.counters.act(
                    site, counter, name, actor, key=key, request_hash=digest, take_over=take_over
                ),
            )
            return _answer(result.status, result.body)

        router.add_api_route(
            path,
            run_empty,
            methods=["POST"],
            response_model=ActionOut,
            responses=_ERRORS,
            summary=summary,
            name=f"counter_{name}",
        )
        return

    async def run(
        request: Request,
        site: SiteId,
        *,
        counter: CounterId,
        body: body_model,  # type: ignore[valid-type]
        command: Command,
        take_over: TakeOver = False,
    ) -> JSONResponse:
        digest = request_hash(request, body)
        service, actor, key = command.service, command.actor, command.key
        result = await command.commands.run(
            site,
            lambda: service.counters.act(
                site,
                counter,
                name,
                actor,
                key=key,
                request_hash=digest,
                body=body,
                take_over=take_over,
            ),
        )
        return _answer(result.status, result.body)

    router.add_api_route(
        path,
        run,
        methods=["POST"],
        response_model=ActionOut,
        responses=_ERRORS,
        summary=summary,
        name=f"counter_{name}",
    )


for _name in ("call-next", "recall", "start", "finish", "no-show", "park", "pause", "resume"):
    _action(_name, None)
_action("transfer", TransferIn)
_action("call", CallIn)
_action("rate", RateIn)

# The router tries its routes in order for every request: the busiest (issuing a ticket,
# calling the next one) first, so they are found after one or two patterns, not all.
_BUSIEST = ("issue_ticket", "counter_call-next")


def _busiest_first(route: Any) -> int:
    name = getattr(route, "name", "")
    return _BUSIEST.index(name) if name in _BUSIEST else len(_BUSIEST)


router.routes.sort(key=_busiest_first)
