"""``/api/v1/reports/...``: the figures for a city's systems.

Supervisors read their own site; admins any site, or all with no ``site``. The routes
are plain functions (FastAPI runs them on its thread pool): a report may read many rows.
"""

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from server.api.deps import CurrentActor, Service
from server.reports import export
from server.reports.access import MEDIA, Refused, readable_sites, reports_for
from server.reports.figures import CUTS, Report, Reports
from server.reports.pages import month_of, monthly_pdf
from server.service import Actor, QueueService
from server.service.errors import ServiceError

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


def reports_of(service: QueueService) -> Reports:
    return Reports(service.db, clock=service.core.clock)


def _refused(exc: Refused) -> ServiceError:
    return ServiceError(exc.status, exc.code, exc.vi, exc.en)


def _sites(actor: Actor, site: str | None) -> list[str] | None:
    try:
        return readable_sites(
            is_user=actor.is_user, role=actor.role, own_site=actor.site, asked=site
        )
    except Refused as exc:
        raise _refused(exc) from exc


def _reports(
    service: QueueService, sites: list[str] | None, first: date, last: date, by: str
) -> list[Report]:
    try:
        return reports_for(reports_of(service), sites, first, last, by)
    except Refused as exc:
        raise _refused(exc) from exc


Site = Annotated[str | None, Query(description="a site id; admins may leave it out for all")]
First = Annotated[date, Query(alias="from", description="first business day, YYYY-MM-DD")]
Last = Annotated[date, Query(alias="to", description="last business day, YYYY-MM-DD")]
By = Annotated[str, Query(description=f"a cut, or several comma-separated: {', '.join(CUTS)}")]


@router.get("/figures")
def figures(
    *,
    service: Service,
    actor: CurrentActor,
    first: First,
    last: Last,
    site: Site = None,
    by: By = "field",
    format: Literal["json", "csv", "xlsx"] = "json",
) -> Response:
    """The figures of a period cut one or more ways (CSV: one cut). Durations in minutes."""
    results = _reports(service, _sites(actor, site), first, last, by)
    name = f"bao-cao-{site or 'tat-ca'}-{first}-{last}"
    if format == "json":
        return Response(export.to_json(results), media_type=MEDIA["json"])
    if format == "csv":
        if len(results) != 1:
            raise ServiceError(
                400, "report_invalid", "Tệp CSV chỉ chứa một cách chia.", "A CSV holds one cut."
            )
        body = export.to_csv(results[0])
    else:
        body = export.to_xlsx(results)
    disposition = f'attachment; filename="{name}-{by.replace(",", "-")}.{format}"'
    return Response(body, media_type=MEDIA[format], headers={"Content-Disposition": disposition})


@router.get("/monthly.pdf")
def monthly(
    *,
    service: Service,
    actor: CurrentActor,
    month: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")],
    site: Site = None,
) -> Response:
    """A centre's monthly report as a printable PDF in Vietnamese, with its charts."""
    sites = _sites(actor, site)
    first, last = month_of(date.fromisoformat(f"{month}-01"))
    try:
        pdf = monthly_pdf(reports_of(service), sites, first, last)
    except LookupError as exc:
        raise ServiceError(404, "unknown_site", "Không có điểm này.", str(exc)) from exc
    except OSError as exc:
        raise ServiceError(503, "pdf_unavailable", "Không tạo được tệp PDF.", str(exc)) from exc
    disposition = f'attachment; filename="bao-cao-thang-{site or "tat-ca"}-{month}.pdf"'
    return Response(pdf, media_type=MEDIA["pdf"], headers={"Content-Disposition": disposition})
