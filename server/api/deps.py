"""FastAPI dependencies as ``Annotated`` types: the service, the caller, the key."""

import hashlib
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from server.api.dispatch import CommandRunner
from server.contract.http import IDEMPOTENCY_HEADER
from server.service import Actor, QueueService
from server.service.errors import ServiceError, unauthorized

# The dependencies that do no I/O are ``async``: FastAPI runs a plain ``def`` dependency
# in its thread pool, a hand-over to a thread and back for every request.


async def get_service(request: Request) -> QueueService:
    service: QueueService = request.app.state.service
    return service


Service = Annotated[QueueService, Depends(get_service)]


async def get_commands(request: Request) -> CommandRunner:
    commands: CommandRunner = request.app.state.commands
    return commands


Commands = Annotated[CommandRunner, Depends(get_commands)]


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized()
    return token.strip()


async def current_actor(request: Request, service: Service) -> Actor:
    """From the token cache on the event loop; a token not cached is looked up in the
    database on a worker thread."""
    token = bearer_token(request)
    actor = service.accounts.cached_actor(token)
    if actor is None:
        actor = await run_in_threadpool(service.accounts.authenticate, token)
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]


KeyHeader = Annotated[
    str | None,
    Header(
        alias=IDEMPOTENCY_HEADER,
        description="A unique key per command; retries send the same key.",
    ),
]


async def idempotency_key(key: KeyHeader = None) -> str:
    return checked_key(key)


def checked_key(key: str | None) -> str:
    if key is None or not key.strip():
        raise ServiceError(
            400,
            "idempotency_key_missing",
            "Thiếu tiêu đề Idempotency-Key: mỗi lệnh cần một khóa riêng để không bị thực "
            "hiện hai lần.",
            "The Idempotency-Key header is missing: every command needs its own key so a "
            "retry is never applied twice.",
        )
    if len(key) > 200:
        raise ServiceError(
            400,
            "idempotency_key_invalid",
            "Khóa Idempotency-Key quá dài (tối đa 200 ký tự).",
            "The Idempotency-Key is too long (at most 200 characters).",
        )
    return key.strip()


IdempotencyKey = Annotated[str, Depends(idempotency_key)]


@dataclass(frozen=True)
class CommandCall:
    """What a command route needs, solved as one dependency: FastAPI's solving has a
    cost per dependency, and issuing and calling are the busiest routes."""

    service: QueueService
    commands: CommandRunner
    actor: Actor
    key: str


async def command_call(request: Request, key: KeyHeader = None) -> CommandCall:
    """The caller (checked first, as ``CurrentActor``), then the idempotency key."""
    service: QueueService = request.app.state.service
    actor = await current_actor(request, service)
    return CommandCall(service, request.app.state.commands, actor, checked_key(key))


Command = Annotated[CommandCall, Depends(command_call)]


def request_hash(request: Request, body: BaseModel | None) -> str:
    """What makes two commands "the same": method, path and the parsed body."""
    text = body.model_dump_json() if body is not None else ""
    raw = f"{request.method} {request.url.path}\n{text}"
    return hashlib.sha256(raw.encode()).hexdigest()
