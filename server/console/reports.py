"""``/console/reports``: the report pages in the console's layout, their downloads and
the vendored chart script. Supervisors see their own site, admins any site or all of
them (the same rule as ``/api/v1/reports``).
"""

from datetime import date
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, Response
from markupsafe import Markup

from server.console.session import Forbidden, Visitor, page, service_of, visitor
from server.engine.lifecycle import DEFAULT_TIME_ZONE
from server.engine.numbering import business_day
from server.reports import export
from server.reports.access import MEDIA, Refused, readable_sites, reports_for
from server.reports.figures import CUTS, Report, Reports
from server.reports.pages import CHART_JS, Form, monthly_pdf, render
from server.reports.staffing import StoredPlan, latest_plan
from server.reports.texts import CUT_NAMES, PAGE
from server.service import Actor, QueueService

router = APIRouter(prefix="/reports")
SCRIPT_URL = "/console/reports/static/chart.umd.min.js"


def _sites(who: Visitor, site: str | None) -> list[str] | None:
    actor = who.actor
    try:
        return readable_sites(
            is_user=actor.is_user, role=actor.role, own_site=actor.site, asked=site or None
        )
    except Refused as exc:
        raise Forbidden(exc.vi if who.lang == "vi" else exc.en) from exc


def reports_of(service: QueueService) -> Reports:
    return Reports(service.db, clock=service.core.clock)


def run(
    service: QueueService, sites: list[str] | None, first: date, last: date, by: str
) -> list[Report]:
    """The reports, a refusal shown on the console's error page."""
    try:
        return reports_for(reports_of(service), sites, first, last, by)
    except Refused as exc:
        raise Forbidden(f"{exc.vi} ({exc.en})") from exc


@router.get("", response_class=HTMLResponse)
async def report_page(
    request: Request,
    *,
    site: Annotated[str | None, Query()] = None,
    first: Annotated[date | None, Query(alias="from")] = None,
    last: Annotated[date | None, Query(alias="to")] = None,
    by: Annotated[str, Query()] = "field",
) -> Response:
    """The report of a period: summary, charts, the table of one cut, the heat-map."""
    who = await run_in_threadpool(visitor, request)
    service = service_of(request)
    sites = _sites(who, site)
    today = business_day(service.core.clock(), DEFAULT_TIME_ZONE)
    last = last or today
    first = first or last.replace(day=1)
    if by not in CUTS or by == "heatmap":
        by = "field"
    main, heat = await run_in_threadpool(run, service, sites, first, last, f"{by},heatmap")
    names = await run_in_threadpool(_site_names, service, who.actor)
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
    html = render(
        main,
        heatmap=heat,
        form=form,
        all_sites=sites is None,
        script_url=SCRIPT_URL,
        fragment=True,
    )
    plan = await run_in_threadpool(latest_plan, service.db, chosen) if chosen else None
    return page(
        request,
        "reports.html",
        who,
        site=chosen or None,
        active="reports",
        read_only=False,  # the layout's note is about the configuration pages
        report=Markup(html),  # noqa: S704 - rendered by our autoescaping template
        plan=plan,
        plan_chart=plan_chart(plan) if plan else None,
        refresh=REFRESH.format(site=chosen),
        script_url=SCRIPT_URL,
    )


# How a manager refreshes the plan the page shows (``docs/estimates.md``).
REFRESH = "qms simulate --site {site} --staffing --hourly --days 5 --db <DATABASE_URL>"


def plan_chart(plan: StoredPlan) -> dict[str, object]:
    """The chart's data: counters needed per slot stacked by first field, and the share
    of tickets within the SLA per slot."""
    labels = [str(s["slot"]) for s in plan.figures]
    names: dict[str, str] = {}
    for slot in plan.figures:
        for f in slot["fields"]:
            names.setdefault(str(f["field"]), str(f["name"]))
    counters = {
        code: [
            next((f["counters"] for f in s["fields"] if f["field"] == code), 0)
            for s in plan.figures
        ]
        for code in names
    }
    within = [
        None if s["within_sla"] is None else round(100 * s["within_sla"], 1) for s in plan.figures
    ]
    return {
        "labels": labels,
        "fields": [{"name": names[c], "counters": counters[c]} for c in names],
        "within": within,
        "target": round(100 * plan.sla_share, 1),
        "of": max((int(s["of"]) for s in plan.figures), default=1),
    }


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
    who = await run_in_threadpool(visitor, request)
    service = service_of(request)
    sites = _sites(who, site)
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
