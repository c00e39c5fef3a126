"""The citizen's tracking page: ``/t/{token}``, plain HTML that refreshes itself.

Vietnamese by default, English with ``?lang=en``; made for a small phone screen,
no script needed (a meta refresh every ``REFRESH_S``).
"""

from html import escape
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from server.contract.http import TicketOut
from server.contract.vocab import TicketStatus
from server.contract.waits import wait_text
from server.service import QueueService

router = APIRouter()

REFRESH_S = 15

STATUS_TEXT: dict[TicketStatus, tuple[str, str]] = {
    TicketStatus.WAITING: ("Đang chờ", "Waiting"),
    TicketStatus.CALLED: ("Đã đến lượt — mời đến quầy", "Your turn — please go to the counter"),
    TicketStatus.SERVING: ("Đang được phục vụ", "Being served"),
    TicketStatus.PARKED: ("Tạm hoãn — chờ cán bộ gọi lại", "On hold — you will be called again"),
    TicketStatus.DONE: ("Đã hoàn thành", "Done"),
    TicketStatus.NO_SHOW: ("Đã qua lượt (vắng mặt)", "Missed (not present when called)"),
    TicketStatus.TRANSFERRED: ("Đã chuyển", "Transferred"),
    TicketStatus.CANCELLED: ("Đã hủy", "Cancelled"),
    TicketStatus.EXPIRED: ("Hết hiệu lực (đã qua ngày)", "Expired (the day has ended)"),
}

TEXT = {
    "vi": {
        "title": "Theo dõi số thứ tự",
        "number": "Số thứ tự",
        "service": "Lĩnh vực",
        "status": "Trạng thái",
        "ahead": "Số người phía trước",
        "wait": "Thời gian chờ dự kiến",
        "counter": "Mời đến quầy",
        "refresh": f"Trang tự cập nhật mỗi {REFRESH_S} giây.",
        "other": "English",
        "unknown_title": "Không tìm thấy phiếu",
        "unknown": "Liên kết này không đúng hoặc đã hết hạn. Vui lòng kiểm tra lại mã QR "
        "trên phiếu, hoặc hỏi cán bộ hướng dẫn tại sảnh.",
    },
    "en": {
        "title": "Your queue number",
        "number": "Number",
        "service": "Service",
        "status": "Status",
        "ahead": "People ahead of you",
        "wait": "Estimated wait",
        "counter": "Please go to counter",
        "refresh": f"This page refreshes every {REFRESH_S} seconds.",
        "other": "Tiếng Việt",
        "unknown_title": "Ticket not found",
        "unknown": "This link is not valid or has expired. Please check the QR code on "
        "your ticket, or ask the staff in the hall.",
    },
}

STYLE = """
body{font-family:"DejaVu Sans",Roboto,Arial,sans-serif;margin:0;background:#f3f6fa;color:#13233a}
main{max-width:28rem;margin:0 auto;padding:1rem}
h1{font-size:1.2rem;margin:.2rem 0 1rem}
.site{font-weight:600;margin:.2rem 0 0}
.card{background:#fff;border-radius:.8rem;padding:1rem 1.2rem;box-shadow:0 1px 4px #0002}
.num{font-size:3.4rem;font-weight:700;text-align:center;color:#0b5cad;margin:.2rem 0}
.svc{text-align:center;font-size:1.05rem;margin-bottom:.8rem}
dl{display:grid;grid-template-columns:1fr auto;gap:.5rem .8rem;font-size:1.05rem;margin:0}
dt{color:#4a5a70}dd{margin:0;font-weight:600;text-align:right}
.called{background:#e6f7e9;border:2px solid #1f9d3a;border-radius:.6rem;padding:.8rem;
text-align:center;font-size:1.4rem;font-weight:700;color:#136b27;margin:.8rem 0}
.foot{font-size:.85rem;color:#5b6b80;margin-top:1rem;display:flex;justify-content:space-between}
a{color:#0b5cad}
"""


def _page(lang: str, title: str, body: str, *, refresh: bool, switch: str) -> str:
    meta = f'<meta http-equiv="refresh" content="{REFRESH_S}">' if refresh else ""
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"{meta}<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f'<body><main>{body}<p class="foot"><span>{escape(TEXT[lang]["refresh"])}</span>'
        f'<a href="{escape(switch)}">{escape(TEXT[lang]["other"])}</a></p></main></body></html>'
    )


def _wait_text(ticket: TicketOut, lang: str, time_zone: str) -> str:
    return wait_text(
        ticket.estimated_wait_s,
        low_s=ticket.estimated_wait_low_s,
        high_s=ticket.estimated_wait_high_s,
        counters_open=ticket.counters_open,
        first_call_after=ticket.first_call_after,
        language=lang,
        time_zone=time_zone,
    )


def render(
    ticket: TicketOut,
    lang: str,
    switch: str,
    site_name: str = "",
    time_zone: str = "Asia/Ho_Chi_Minh",
) -> str:
    t = TEXT[lang]
    service = ticket.service_name_en if lang == "en" else ticket.service_name_vi
    status_vi, status_en = STATUS_TEXT[ticket.status]
    rows = [(t["status"], status_en if lang == "en" else status_vi)]
    if ticket.status is TicketStatus.WAITING:
        rows.append((t["ahead"], str(ticket.people_ahead)))
        rows.append((t["wait"], _wait_text(ticket, lang, time_zone)))
    called = ""
    if ticket.counter_number is not None and ticket.status in (
        TicketStatus.CALLED,
        TicketStatus.SERVING,
    ):
        called = f'<div class="called">{escape(t["counter"])} {ticket.counter_number}</div>'
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    body = (
        f'<p class="site">{escape(site_name)}</p>'
        f'<h1>{escape(t["title"])}</h1><div class="card">'
        f'<div class="num">{escape(ticket.number)}</div>'
        f'<div class="svc">{escape(t["service"])}: {escape(service)}</div>'
        f"{called}<dl>{items}</dl></div>"
    )
    return _page(lang, f"{ticket.number} — {t['title']}", body, refresh=True, switch=switch)


def render_unknown(lang: str, switch: str) -> str:
    t = TEXT[lang]
    body = (
        f"<h1>{escape(t['unknown_title'])}</h1>"
        f'<div class="card"><p>{escape(t["unknown"])}</p></div>'
    )
    return _page(lang, t["unknown_title"], body, refresh=False, switch=switch)


@router.get(
    "/t/{token}",
    response_class=HTMLResponse,
    include_in_schema=True,
    responses={404: {"description": "No such ticket: a page saying so (HTML)."}},
)
def track_page(
    request: Request,
    token: Annotated[str, Path(max_length=128)],
    lang: Annotated[str | None, Query(max_length=8)] = None,
) -> HTMLResponse:
    language = lang if lang in ("vi", "en") else None
    if language is None:
        header = request.headers.get("accept-language", "").lower()
        language = "en" if header.startswith("en") else "vi"
    switch = f"?lang={'vi' if language == 'en' else 'en'}"
    service: QueueService = request.app.state.service
    ticket = service.tickets.track(token)
    if ticket is None:
        return HTMLResponse(render_unknown(language, switch), status_code=404)
    with service.core.reading(ticket.site) as view:  # the citizen sees which centre it is
        site = view.bundle.site
        site_name = site.name_en if language == "en" and site.name_en else site.name
    return HTMLResponse(render(ticket, language, switch, site_name, site.time_zone))
