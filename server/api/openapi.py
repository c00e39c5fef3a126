"""The OpenAPI document says what the server does, where FastAPI cannot infer it.

The ``Idempotency-Key`` header is declared optional so that a missing key is answered
by the server's own 400 ``idempotency_key_missing`` (with a message a person can act
on) rather than a generic validation error; the document still has to say that a
command without it is refused.
"""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from server.contract.http import IDEMPOTENCY_HEADER


def _mark_required(schema: dict[str, Any]) -> None:
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "header" and parameter.get("name") == IDEMPOTENCY_HEADER:
                    parameter["required"] = True
                    parameter["schema"] = {"type": "string", "minLength": 1, "maxLength": 200}


def install(app: FastAPI) -> None:
    """Replace ``app.openapi`` by one that builds FastAPI's document, then corrects it."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            _mark_required(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
