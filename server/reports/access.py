"""Who may read which report, and a request's cuts checked: the rules the API and the
console share (they turn ``Refused`` into their own answers)."""

from collections.abc import Sequence
from datetime import date

from server.contract.vocab import Role
from server.reports.figures import CUTS, Report, Reports

READERS = frozenset({Role.SUPERVISOR.value, Role.ADMIN.value})
LONGEST_DAYS = 3 * 366
MEDIA = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


class Refused(Exception):
    """A report not given, with an HTTP status, a code and a message in both languages."""

    def __init__(self, status: int, code: str, vi: str, en: str) -> None:
        super().__init__(en)
        self.status, self.code, self.vi, self.en = status, code, vi, en


def readable_sites(
    *, is_user: bool, role: str, own_site: str | None, asked: str | None
) -> list[str] | None:
    """The sites a caller may read for the ``asked`` one (None: every site)."""
    if not is_user or role not in READERS:
        raise Refused(403, "forbidden", "Tài khoản này không được xem báo cáo.",
                      "This account may not read reports.")  # fmt: skip
    if own_site is None:
        return [asked] if asked else None
    if asked not in (None, own_site):
        raise Refused(403, "forbidden", "Tài khoản này không được xem báo cáo của điểm này.",
                      "This account may not read this site's reports.")  # fmt: skip
    return [own_site]


def cuts_of(by: str) -> list[str]:
    cuts = [c.strip() for c in by.split(",") if c.strip()]
    unknown = [c for c in cuts if c not in CUTS]
    if not cuts or unknown:
        raise Refused(
            400,
            "report_invalid",
            f"Cách chia không hợp lệ: {', '.join(unknown) or '(trống)'}.",
            f"Unknown cut: {', '.join(unknown) or '(none)'}; one of {', '.join(CUTS)}.",
        )
    return cuts


def checked_period(first: date, last: date) -> None:
    if last < first:
        raise Refused(400, "report_invalid", "Ngày kết thúc trước ngày bắt đầu.",
                      "The period ends before it starts.")  # fmt: skip
    if (last - first).days > LONGEST_DAYS:
        raise Refused(400, "report_invalid", "Kỳ báo cáo dài quá 3 năm.",
                      "The period is longer than three years.")  # fmt: skip


def reports_for(
    reports: Reports, sites: Sequence[str] | None, first: date, last: date, by: str
) -> list[Report]:
    """The report of each cut in ``by`` (comma-separated)."""
    cuts = cuts_of(by)
    checked_period(first, last)
    try:
        return [reports.figures(sites, first, last, cut) for cut in cuts]
    except LookupError as exc:
        raise Refused(404, "unknown_site", "Không có điểm này.", str(exc).strip("'\"")) from exc
