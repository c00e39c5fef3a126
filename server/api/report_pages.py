"""``/console/reports``: the report pages, their downloads and the vendored chart script.

The visitor is the staff session of the console's cookie (``qms_console``, the same
session a bearer token is), or a bearer token. Supervisors see their own site, admins
any site or all of them.
"""

from datetime import date
from html import escape
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, Response

from server.api.deps import bearer_token, get_service
from server.api.reports import MEDIA, reader_sites, reports_of, run
from server.engine.lifecycle import DEFAULT_TIME_ZONE
from server.engine.numbering import business_day
from server.reports import export
from server.reports.figures import CUTS
from server.reports.pages import CHART_JS, Form, monthly_pdf, render
from server.reports.texts import CUT_NAMES, PAGE
from server.service import Actor, QueueService, ServiceError

router = APIRouter(prefix="/console/reports", include_in_schema=False)
SESSION_COOKIE = "qms_console"
SCRIPT_URL = "/console/reports/static/chart.umd.min.js"


def _token(request: Request) -> str:
    cookie = request.cookies.get(SESSION_COOKIE, "")
    return cookie or bearer_token(request)


async def _visitor(request: Request, service: QueueService) -> Actor:
    return await run_in_threadpool(service.accounts.authenticate, _token(request))


def _login_page(error: ServiceError) -> HTMLResponse:
    body = (
        '<!doctype html><html lang="vi"><meta charset="utf-8"><title>Báo cáo</title>'
        f"<p>{escape(error.message_vi)}</p><p lang='en'>{escape(error.message_en)}</p>"
        '<p><a href="/console/login">Đăng nhập / Log in</a></p></html>'
    )
    return HTMLResponse(body, status_code=error.status)


def _site_param(site: str | None) -> str | None:
    return site or None


@router.get("", response_class=HTMLResponse)
async def page(
    request: Request,
    *,
    site: Annotated[str | None, Query()] = None,
    first: Annotated[date | None, Query(alias="from")] = None,
    last: Annotated[date | None, Query(alias="to")] = None,
    by: Annotated[str, Query()] = "field",
) -> Response:
    """The report of a period: summary, charts, the table of one cut, the heat-map."""
    service = await get_service(request)
    try:
        actor = await _visitor(request, service)
        sites = reader_sites(actor, _site_param(site))
    except ServiceError as error:
        return _login_page(error)
    today = business_day(service.core.clock(), DEFAULT_TIME_ZONE)
    last = last or today
    first = first or last.replace(day=1)
    if by not in CUTS or by == "heatmap":
        by = "field"
    main, heat = await run_in_threadpool(run, service, sites, first, last, f"{by},heatmap")
    names = await run_in_threadpool(_site_names, service, actor)
    chosen = sites[0] if sites else ""
    query = {"site": chosen, "from": first.isoformat(), "to": last.isoformat(), "by": by}
    links = {
        fmt.upper(): f"/console/reports/download?{urlencode({**query, 'format': fmt})}"
        for fmt in ("csv", "xlsx", "json")
    }
    links["PDF"] = f"/console/reports/download?{urlencode({**query, 'format': 'pdf'})}"
    form = Form(
        sites=names,
        site=chosen,
        first=first.isoformat(),
        last=last.isoformat(),
        by=by,
        cuts=[(c, CUT_NAMES[c][0]) for c in CUTS if c != "heatmap"],
        links=links,
    )
    html = render(main, heatmap=heat, form=form, all_sites=sites is None, script_url=SCRIPT_URL)
    return HTMLResponse(html)


def _site_names(service: QueueService, actor: Actor) -> list[tuple[str, str]]:
    reports = reports_of(service)
    ids = reports.site_ids() if actor.site is None else [actor.site]
    names = reports.site_names(ids)
    options = [(i, names.get(i, i)) for i in ids]
    if actor.site is None:
        options.insert(0, ("", PAGE["all_sites"][0]))
    return options


@router.get("/download")
async def download(
    request: Request,
    *,
    first: Annotated[date, Query(alias="from")],
    last: Annotated[date, Query(alias="to")],
    site: Annotated[str | None, Query()] = None,
    by: Annotated[str, Query()] = "field",
    format: Literal["csv", "xlsx", "json", "pdf"] = "csv",
) -> Response:
    """The page's figures as a file; ``pdf``: the monthly report of the period."""
    service = await get_service(request)
    try:
        actor = await _visitor(request, service)
        sites = reader_sites(actor, _site_param(site))
    except ServiceError as error:
        return _login_page(error)
    name = f"bao-cao-{site or 'tat-ca'}-{first}-{last}"
    if format == "pdf":
        body = await run_in_threadpool(monthly_pdf, reports_of(service), sites, first, last)
        media = "application/pdf"
    else:
        results = await run_in_threadpool(run, service, sites, first, last, by)
        if format == "json":
            body, media = export.to_json(results).encode(), MEDIA["json"]
        elif format == "csv":
            body, media = export.to_csv(results[0]), MEDIA["csv"]
        else:
            body, media = export.to_xlsx(results), MEDIA["xlsx"]
    disposition = f'attachment; filename="{name}-{by}.{format}"'
    return Response(body, media_type=media, headers={"Content-Disposition": disposition})


@router.get("/static/chart.umd.min.js")
async def chart_script() -> FileResponse:
    """Chart.js, vendored in the package (no CDN at run time)."""
    return FileResponse(
        Path(CHART_JS), media_type="text/javascript", headers={"Cache-Control": "max-age=86400"}
    )
