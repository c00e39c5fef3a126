"""Who is using the console: a cookie holding the same staff session the API's bearer
token is (so logging out, expiry or disabling the account ends it), a CSRF token derived
from it for every form, and the chosen language.

Rendering lives here too, so every page gets the layout's values the same way.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from server.console.nav import ADMINS, STAFF, entries_for
from server.console.texts import LANGUAGES, text
from server.service import Actor, QueueService, ServiceError

SESSION_COOKIE = "qms_console"
LANG_COOKIE = "qms_lang"
LOGIN_CSRF_COOKIE = "qms_login_csrf"
TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")


class NotLoggedIn(Exception):
    """Raised by a page for a visitor without a live session: they go to the login form."""


class Forbidden(Exception):
    """A logged-in user asked for a page or a change their role or site does not allow."""


@dataclass(frozen=True)
class Visitor:
    """A logged-in staff member, as a console page sees them."""

    actor: Actor
    token: str
    lang: str

    @property
    def csrf(self) -> str:
        return csrf_for(self.token)

    @property
    def is_admin(self) -> bool:
        return self.actor.role in ADMINS

    def may_see(self, site: str) -> bool:
        return self.actor.may_use_site(site)

    def may_edit(self, site: str) -> bool:
        return self.is_admin and self.actor.may_use_site(site)


def service_of(request: Request) -> QueueService:
    service: QueueService = request.app.state.service
    return service


def language(request: Request) -> str:
    chosen = request.cookies.get(LANG_COOKIE, "vi")
    return chosen if chosen in LANGUAGES else "vi"


def csrf_for(token: str) -> str:
    """Bound to the session: a page of another session (or none) cannot post."""
    return hmac.new(token.encode(), b"qms-console-csrf", hashlib.sha256).hexdigest()


def visitor(request: Request) -> Visitor:
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        raise NotLoggedIn
    try:
        actor = service_of(request).accounts.authenticate(token)
    except ServiceError:
        raise NotLoggedIn from None
    if not actor.is_user or actor.role not in STAFF:
        raise NotLoggedIn
    return Visitor(actor, token, language(request))


async def checked_form(request: Request, who: Visitor) -> dict[str, Any]:
    """The posted form, once its CSRF token matched the session's."""
    form = await request.form()
    sent = str(form.get("csrf", ""))
    if not hmac.compare_digest(sent, who.csrf):
        raise Forbidden(text("csrf_failed", who.lang))
    out: dict[str, Any] = {}
    for key in form:
        values = form.getlist(key)
        out[key] = values if len(values) > 1 or key.endswith("[]") else str(values[0])
    return out


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


def set_session(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/console",
    )


def page(
    request: Request,
    template: str,
    who: Visitor | None,
    *,
    site: str | None = None,
    active: str = "",
    status_code: int = 200,
    **values: Any,
) -> HTMLResponse:
    """Render a page with the layout's values: texts, navigation, CSRF token, site."""
    lang = who.lang if who is not None else language(request)
    context: dict[str, Any] = {
        "lang": lang,
        "t": lambda key: text(key, lang),
        "who": who,
        "site": site,
        "active": active,
        "nav": entries_for(who.actor.role, site) if who is not None else [],
        "csrf": who.csrf if who is not None else "",
        "read_only": who is not None and site is not None and not who.may_edit(site),
        **values,
    }
    return TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)


def to(path: str) -> RedirectResponse:
    """After a successful post: see the result with a GET (no resubmission on reload)."""
    return RedirectResponse(path, status_code=303)
