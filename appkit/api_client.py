"""The base of the apps' HTTP clients: auth header, idempotency keys, clear errors.

Every command carries an ``Idempotency-Key``; a caller that retries the same
command passes the same key, so the server never issues or calls twice.
"""

import uuid
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from server.contract.http import API_PREFIX, IDEMPOTENCY_HEADER, ErrorOut

M = TypeVar("M", bound=BaseModel)


class ApiError(Exception):
    """The server refused the request (4xx) with a message for the person."""

    def __init__(self, status: int, error: ErrorOut) -> None:
        super().__init__(f"{status} {error.error}: {error.message_en}")
        self.status = status
        self.error = error

    @property
    def code(self) -> str:
        return self.error.error

    def message(self, language: str) -> str:
        return self.error.message_en if language == "en" else self.error.message_vi


class ServerUnreachable(Exception):
    """No answer from the server (network down, server stopped, timeout, 5xx).

    The command may or may not have been applied: retry with the same key.
    """


def new_key() -> str:
    return uuid.uuid4().hex


class ApiClient:
    """Thin synchronous client over httpx; app clients add typed methods on top."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        timeout_s: float = 5.0,
        language: str = "vi",
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.language = language
        self._http = httpx.Client(
            base_url=self.base_url + API_PREFIX, timeout=timeout_s, transport=transport
        )

    def close(self) -> None:
        self._http.close()

    def _headers(self, idempotency_key: str | None, token: str | None = None) -> dict[str, str]:
        headers = {"Accept-Language": self.language}
        token = token or self.token
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if idempotency_key:
            headers[IDEMPOTENCY_HEADER] = idempotency_key
        return headers

    def request(
        self,
        method: str,
        path: str,
        model: type[M],
        body: BaseModel | dict[str, Any] | None = None,
        idempotency_key: str | None = None,
        *,
        token: str | None = None,
    ) -> M:
        """Send one request and parse the answer into ``model``; ``token`` instead of
        the client's own (a device's token for one request).

        Raises ApiError for a 4xx answer and ServerUnreachable when no usable
        answer came back.
        """
        payload: Any = body.model_dump(mode="json") if isinstance(body, BaseModel) else body
        try:
            response = self._http.request(
                method, path, json=payload, headers=self._headers(idempotency_key, token)
            )
        except httpx.HTTPError as exc:
            raise ServerUnreachable(str(exc) or type(exc).__name__) from exc
        if response.status_code >= 500:
            raise ServerUnreachable(f"server error {response.status_code}")
        if response.status_code >= 400:
            try:
                error = ErrorOut.model_validate_json(response.content)
            except ValidationError:
                text = response.text[:200]
                error = ErrorOut(error="http_error", message=text, message_vi=text, message_en=text)
            raise ApiError(response.status_code, error)
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise ServerUnreachable(f"unexpected answer from the server: {exc}") from exc
