"""The console's own pages: log in and out, the language, and the site chooser."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from server.console.branches import branch_lines
from server.console.nav import STAFF
from server.console.session import (
    LANG_COOKIE,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    Visitor,
    checked_form,
    language,
    new_login_csrf,
    page,
    service_of,
    set_session,
    to,
    visitor,
)
from server.console.texts import LANGUAGES, text
from server.service import ServiceError

router = APIRouter()


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    csrf = new_login_csrf()
    response = page(request, "login.html", None, login_csrf=csrf, error="", username="")
    response.set_cookie(LOGIN_CSRF_COOKIE, csrf, httponly=True, samesite="strict", path="/console")
    return response


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """The API's login (and so its lockout rules); the session goes into a cookie."""
    lang = language(request)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    service = service_of(request)
    error = ""
    status = 400
    retry_after: str | None = None
    if not expected or csrf != expected:
        error = text("csrf_failed", lang)
    else:
        try:
            address = request.client.host if request.client else None
            login = service.accounts.login(username, password, address=address)
        except ServiceError as exc:
            error = exc.message_en if lang == "en" else exc.message_vi
            if exc.status == 429:  # locked out, as the API says it
                status = 429
                retry_after = str(exc.details.get("retry_after_s", ""))
        else:
            if login.role not in STAFF:
                service.accounts.logout(service.accounts.authenticate(login.token))
                error = text("no_console_access", lang)
            else:
                done = to("/console/")
                set_session(done, request, login.token)
                done.delete_cookie(LOGIN_CSRF_COOKIE, path="/console")
                return done
    fresh = new_login_csrf()
    response = page(
        request, "login.html", None, login_csrf=fresh, error=error, username=username,
        status_code=status,
    )  # fmt: skip
    if retry_after:
        response.headers["Retry-After"] = retry_after
    response.set_cookie(LOGIN_CSRF_COOKIE, fresh, httponly=True, samesite="strict", path="/console")
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    who = visitor(request)
    await checked_form(request, who)
    service_of(request).accounts.logout(who.actor)
    response = to("/console/login")
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response


@router.get("/lang/{lang}")
def choose_language(request: Request, lang: str, back: str = "/console/") -> Response:
    response = RedirectResponse(back if back.startswith("/console/") else "/console/", 303)
    if lang in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, samesite="lax", path="/console", max_age=31536000)
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    who: Visitor = visitor(request)
    sites = [s for s in service_of(request).site_config.sites() if who.may_see(s.id)]
    if len(sites) == 1 and who.actor.site is not None:
        return to(f"/console/s/{sites[0].id}/site")
    return page(
        request, "home.html", who, active="home", sites=sites, links=branch_lines(request, who.lang)
    )
