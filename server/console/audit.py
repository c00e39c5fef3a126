"""The audit log page: who changed what, when, before and after; filtered."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from server.console.session import page, service_of
from server.console.site_edit import viewer

router = APIRouter()


@router.get("/s/{site}/audit", response_class=HTMLResponse)
def audit_page(request: Request, site: str, actor: str = "", action: str = "") -> Response:
    who = viewer(request, site)
    entries = service_of(request).audit.entries(
        site=site, actor=actor or None, action=action or None
    )
    rows = [(e, _changes(e.before, e.after)) for e in entries]
    return page(
        request, "audit.html", who, site=site, active="audit", rows=rows, who_filter=actor,
        action_filter=action,
    )  # fmt: skip


def _changes(before: Any, after: Any) -> list[tuple[str, str, str]]:
    """(item, before, after) as short text, one row per changed item."""
    if not isinstance(before, dict) or not isinstance(after, dict):
        return [("", _short(before), _short(after))]
    return [(key, _short(before.get(key)), _short(after.get(key))) for key in after]


def _short(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_short(v)}" for k, v in value.items() if v not in (None, [], {}))
    if isinstance(value, list):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    return str(value)
