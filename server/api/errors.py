"""Every error answer is an ``ErrorOut`` in the caller's language; never a bare 500."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from server.contract.http import ErrorOut
from server.engine.errors import Refusal
from server.service.errors import ServiceError

log = logging.getLogger(__name__)

# Refusals that mean "your input is wrong" rather than "not now".
_BAD_INPUT_REFUSALS = {"unknown_priority", "transfer_target_invalid", "move_target_invalid"}


def language(request: Request) -> str:
    """``en`` when the first language the caller accepts is English, else Vietnamese."""
    header = request.headers.get("accept-language", "")
    first = header.split(",")[0].split(";")[0].strip().lower()
    return "en" if first.startswith("en") else "vi"


def error_response(
    request: Request,
    status: int,
    code: str,
    message_vi: str,
    message_en: str,
    *,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorOut(
        error=code,
        message=message_en if language(request) == "en" else message_vi,
        message_vi=message_vi,
        message_en=message_en,
        details=details or {},
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


def _clean(details: dict[str, object]) -> dict[str, Any]:
    return {
        k: v if isinstance(v, str | int | float | bool | None) else str(v)
        for k, v in details.items()
    }


def _validation_details(exc: RequestValidationError) -> dict[str, Any]:
    problems = []
    for err in exc.errors()[:20]:
        problems.append(
            {
                "loc": [str(p) for p in err.get("loc", ())],
                "msg": str(err.get("msg", "")),
                "type": str(err.get("type", "")),
            }
        )
    return {"problems": problems}


async def on_service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    retry_after = exc.details.get("retry_after_s")
    if exc.status == 429 and isinstance(retry_after, int):
        headers = {"Retry-After": str(retry_after)}
    return error_response(
        request,
        exc.status,
        exc.code,
        exc.message_vi,
        exc.message_en,
        details=_clean(exc.details),
        headers=headers,
    )


async def on_refusal(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Refusal)
    status = 422 if exc.code in _BAD_INPUT_REFUSALS else 409
    return error_response(
        request, status, exc.code, exc.message_vi, exc.message_en, details=_clean(exc.details)
    )


async def on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = _validation_details(exc)
    where = ", ".join(".".join(p["loc"]) + ": " + p["msg"] for p in details["problems"][:3])
    return error_response(
        request,
        422,
        "invalid_request",
        f"Dữ liệu gửi lên không hợp lệ ({where}).",
        f"The request is not valid ({where}).",
        details=details,
    )


# What FastAPI raises when a body is not JSON it can read (not UTF-8, nested too deep):
# the same mistake as any other bad body, so the same answer, 422 ``invalid_request``.
_UNREADABLE_BODY = "There was an error parsing the body"


async def on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == _UNREADABLE_BODY:
        problem = {"loc": ["body"], "msg": "not readable as JSON", "type": "json_invalid"}
        return error_response(
            request,
            422,
            "invalid_request",
            "Dữ liệu gửi lên không hợp lệ (body: không đọc được dạng JSON UTF-8).",
            "The request is not valid (body: not readable as UTF-8 JSON).",
            details={"problems": [problem]},
        )
    if exc.status_code == 404:
        return error_response(
            request, 404, "not_found", "Không tìm thấy địa chỉ này.", "No such address."
        )
    if exc.status_code == 405:
        return error_response(
            request,
            405,
            "method_not_allowed",
            "Phương thức này không dùng được ở địa chỉ này.",
            "This method is not allowed here.",
        )
    text = str(exc.detail)
    return error_response(request, exc.status_code, "http_error", text, text)


async def on_database(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable: %s", exc)
    return error_response(
        request,
        503,
        "database_busy",
        "Hệ thống đang bận, vui lòng thử lại.",
        "The server is busy, please try again.",
        headers={"Retry-After": "1"},
    )


async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(
        request,
        500,
        "internal_error",
        "Lỗi máy chủ, thao tác chưa được thực hiện.",
        "Server error; nothing was changed.",
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, on_service_error)
    app.add_exception_handler(Refusal, on_refusal)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(OperationalError, on_database)
    app.add_exception_handler(Exception, on_unexpected)
