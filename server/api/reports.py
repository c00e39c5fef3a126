"""``/api/v1/reports/...``: the figures for a city's systems and the console's downloads.

Supervisors read their own site; admins any site, or all with no ``site``. The routes
are plain functions (FastAPI runs them on its thread pool): a report may read many rows.
"""

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from server.api.deps import CurrentActor, Service
from server.contract.vocab import Role
from server.reports import export
from server.reports.figures import CUTS, Report, Reports
from server.reports.pages import month_of, monthly_pdf
from server.service import Actor, QueueService
from server.service.errors import ServiceError, forbidden

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

READERS = {Role.SUPERVISOR.value, Role.ADMIN.value}
MEDIA = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def reader_sites(actor: Actor, site: str | None) -> list[str] | None:
    """The sites this caller may read for the asked ``site`` (None: every site)."""
    if not actor.is_user or actor.role not in READERS:
        raise forbidden("xem báo cáo", "read reports")
    if actor.site is None:
        return [site] if site else None
    if site not in (None, actor.site):
        raise forbidden("xem báo cáo của điểm này", "read this site's reports")
    return [actor.site]


def _bad(vi: str, en: str) -> ServiceError:
    return ServiceError(400, "report_invalid", vi, en)


def reports_of(service: QueueService) -> Reports:
    return Reports(service.db, clock=service.core.clock)


def run(
    service: QueueService, sites: list[str] | None, first: date, last: date, by: str
) -> list[Report]:
    cuts = [c.strip() for c in by.split(",") if c.strip()]
    unknown = [c for c in cuts if c not in CUTS]
    if not cuts or unknown:
        raise _bad(
            f"Cách chia không hợp lệ: {', '.join(unknown) or '(trống)'}.",
            f"Unknown cut: {', '.join(unknown) or '(none)'}; one of {', '.join(CUTS)}.",
        )
    if last < first:
        raise _bad("Ngày kết thúc trước ngày bắt đầu.", "The period ends before it starts.")
    if (last - first).days > 3 * 366:
        raise _bad("Kỳ báo cáo dài quá 3 năm.", "The period is longer than three years.")
    reports = reports_of(service)
    try:
        return [reports.figures(sites, first, last, cut) for cut in cuts]
    except LookupError as exc:
        raise ServiceError(
            404, "unknown_site", "Không có điểm này.", str(exc).strip("'\"")
        ) from exc


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
    results = run(service, reader_sites(actor, site), first, last, by)
    name = f"bao-cao-{site or 'tat-ca'}-{first}-{last}"
    if format == "json":
        return Response(export.to_json(results), media_type=MEDIA["json"])
    if format == "csv":
        if len(results) != 1:
            raise _bad("Tệp CSV chỉ chứa một cách chia.", "A CSV holds one cut.")
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
    sites = reader_sites(actor, site)
    first, last = month_of(date.fromisoformat(f"{month}-01"))
    try:
        pdf = monthly_pdf(reports_of(service), sites, first, last)
    except LookupError as exc:
        raise ServiceError(
            404, "unknown_site", "Không có điểm này.", str(exc).strip("'\"")
        ) from exc
    except OSError as exc:
        raise ServiceError(503, "pdf_unavailable", "Không tạo được tệp PDF.", str(exc)) from exc
    disposition = f'attachment; filename="bao-cao-thang-{site or "tat-ca"}-{month}.pdf"'
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})
