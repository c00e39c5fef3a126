"""The supervisors' routes of ``/api/v1``: a counter's state, the fields it serves today,
a waiting ticket moved. Each is a command (``Idempotency-Key``) run in its site's lane,
as the clerks' actions are; supervisors and admins of the site only."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from server.api.deps import Command, CurrentActor, Service, request_hash
from server.contract import paths
from server.contract.http import (
    ActionOut,
    CounterStateIn,
    DayServicesIn,
    DayServicesOut,
    ErrorOut,
    MoveIn,
    MoveOut,
)

router = APIRouter(prefix="/api/v1", tags=["supervisors"])

SiteId = Annotated[str, Path(min_length=1, max_length=64)]
CounterId = Annotated[str, Path(min_length=1, max_length=64)]
TicketRef = Annotated[str, Path(min_length=1, max_length=64, description="Id or today's number")]
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (400, 401, 403, 404, 409, 413, 422)
}


@router.put(paths.COUNTER_STATE, response_model=ActionOut, responses=_ERRORS)
async def counter_state(
    request: Request, site: SiteId, counter: CounterId, *, body: CounterStateIn, command: Command
) -> JSONResponse:
    """Open, pause or close a counter; the clerk on it stays (closing clears it)."""
    digest = request_hash(request, body)
    service, actor, key = command.service, command.actor, command.key
    result = await command.commands.run(
        site,
        lambda: service.supervision.set_counter_state(
            site, counter, body, actor, key=key, request_hash=digest
        ),
    )
    return JSONResponse(result.body, status_code=result.status)


@router.get(paths.COUNTER_DAY_SERVICES, response_model=DayServicesOut, responses=_ERRORS)
def day_services(
    site: SiteId, counter: CounterId, actor: CurrentActor, service: Service
) -> DayServicesOut:
    return service.supervision.day_services(site, counter, actor)


@router.put(paths.COUNTER_DAY_SERVICES, response_model=DayServicesOut, responses=_ERRORS)
async def set_day_services(
    request: Request, site: SiteId, counter: CounterId, *, body: DayServicesIn, command: Command
) -> JSONResponse:
    """The fields the counter serves today besides its own; they end with the day."""
    digest = request_hash(request, body)
    service, actor, key = command.service, command.actor, command.key
    result = await command.commands.run(
        site,
        lambda: service.supervision.set_day_services(
            site, counter, body, actor, key=key, request_hash=digest
        ),
    )
    return JSONResponse(result.body, status_code=result.status)


@router.post(paths.TICKET_MOVE, response_model=MoveOut, responses=_ERRORS)
async def move_ticket(
    request: Request, site: SiteId, ticket_id: TicketRef, *, body: MoveIn, command: Command
) -> JSONResponse:
    """Move a waiting ticket to another field or counter; it keeps its number and wait."""
    digest = request_hash(request, body)
    service, actor, key = command.service, command.actor, command.key
    result = await command.commands.run(
        site,
        lambda: service.supervision.move_ticket(
            site, ticket_id, body, actor, key=key, request_hash=digest
        ),
    )
    return JSONResponse(result.body, status_code=result.status)
