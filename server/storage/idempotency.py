"""Idempotency records: the stored answer of each key, so a retry gets the same one.

Written inside the command's transaction, after the site lock, so a key is
checked and remembered one request at a time per site.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import delete

from server.storage import statements as st
from server.storage.lean_session import LeanSession
from server.storage.models import IdempotencyRow

# The columns of an ``answer``, in the order it gives them.
ANSWER_KEYS = ("scope", "key", "request_hash", "status_code", "response", "created_at")


class IdempotencyRecords:
    """The idempotency part of the repository (a command stores its own answer with
    its last writes: ``CommandEnd.end_command``)."""

    def __init__(self, sql: LeanSession) -> None:
        self._sql = sql

    def idempotent(self, scope: str, key: str) -> Any:
        """The stored answer of a key (request_hash, status_code, response), or None."""
        return self._sql.first(st.IDEMPOTENT, {"scope": scope, "key": key})

    def remember(self, answer: dict[str, Any]) -> None:
        """Store an answer (an ``answer(...)`` row) on its own."""
        self._sql.write(st.INSERT_IDEMPOTENCY, answer, keys=ANSWER_KEYS)

    def forget_keys_before(self, moment: datetime) -> None:
        self._sql.s.execute(delete(IdempotencyRow).where(IdempotencyRow.created_at < moment))


def answer(
    scope: str,
    key: str,
    *,
    request_hash: str,
    status_code: int,
    response: dict[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """The row stored for one idempotency key: the request's hash and its answer."""
    return {
        "scope": scope,
        "key": key,
        "request_hash": request_hash,
        "status_code": status_code,
        "response": response,
        "created_at": now,
    }
