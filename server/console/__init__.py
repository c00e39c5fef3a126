"""The admin console at ``/console/``: server-rendered pages (Jinja2, a little htmx) for
supervisors and administrators, Vietnamese first. Pages reach the server only through the
service, as the API does; configuration changes go through ``service.site_config``, the
code site files are imported with.
"""

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from server.console import admin, audit, calendar, live, pages, people, reports, supervise
from server.console.live_hub import LiveHub
from server.console.session import Forbidden, NotLoggedIn, language, page
from server.console.texts import text

STATIC = Path(__file__).parent / "static"


def mount(app: FastAPI) -> None:
    """Add the console's routes, its static files and its two error pages to ``app``."""
    app.include_router(pages.router, prefix="/console", include_in_schema=False)
    app.include_router(admin.router, prefix="/console", include_in_schema=False)
    app.include_router(calendar.router, prefix="/console", include_in_schema=False)
    app.include_router(audit.router, prefix="/console", include_in_schema=False)
    app.include_router(people.router, prefix="/console", include_in_schema=False)
    app.include_router(reports.router, prefix="/console", include_in_schema=False)
    app.include_router(live.router, prefix="/console", include_in_schema=False)
    app.state.live = LiveHub(app.state.service)
    app.include_router(supervise.router, prefix="/console", include_in_schema=False)
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")

    @app.exception_handler(NotLoggedIn)
    async def to_login(_request: Request, _exc: NotLoggedIn) -> Response:
        return RedirectResponse("/console/login", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> HTMLResponse:
        message = str(exc) or text("read_only", language(request))
        return page(request, "error.html", None, message=message, status_code=403)
