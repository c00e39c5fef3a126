"""The citizen's tracking page as HTML: its words in one table, its style, the ticket's card
(also what the live updates carry) and the whole page; ``tracking`` serves it.

Made for a small phone screen. Without script the page refreshes itself (a meta refresh
every ``REFRESH_S`` inside ``<noscript>``); with script it follows the event stream.
"""

from html import escape

from server.contract.http import TicketOut
from server.contract.vocab import TicketStatus
from server.contract.waits import wait_text
from server.notify.hub import Seen

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
        "near": "Sắp đến lượt quý khách — xin quý khách quay lại sảnh chờ.",
        "refresh": f"Trang tự cập nhật mỗi {REFRESH_S} giây.",
        "live": "Trang cập nhật trực tiếp.",
        "offline": "Mất kết nối — đang thử kết nối lại…",
        "other": "English",
        "notify_title": "Báo khi sắp đến lượt",
        "phone": "Nhận tin nhắn khi sắp đến lượt (số điện thoại)",
        "phone_save": "Lưu số",
        "phone_kept": "Đã lưu số của quý khách; số này được xóa khi phiếu kết thúc.",
        "phone_bad": "Số điện thoại không đúng (ví dụ 0912 345 678).",
        "phone_note": "Số điện thoại chỉ dùng để báo lượt và được xóa khi phiếu kết thúc.",
        "push": "Bật thông báo trên điện thoại này",
        "push_on": "Đã bật thông báo.",
        "push_off": "Trình duyệt này không cho phép thông báo.",
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
        "near": "Your turn is near — please come back to the waiting hall.",
        "refresh": f"This page refreshes every {REFRESH_S} seconds.",
        "live": "This page updates live.",
        "offline": "Connection lost — reconnecting…",
        "other": "Tiếng Việt",
        "notify_title": "Tell me when my turn is near",
        "phone": "Get a text message when your turn is near (phone number)",
        "phone_save": "Save",
        "phone_kept": "Your number is saved; it is erased when your ticket ends.",
        "phone_bad": "This phone number is not valid (e.g. 0912 345 678).",
        "phone_note": "Your number is used only to tell you your turn and is erased when "
        "your ticket ends.",
        "push": "Turn on notifications on this phone",
        "push_on": "Notifications are on.",
        "push_off": "This browser does not allow notifications.",
        "unknown_title": "Ticket not found",
        "unknown": "This link is not valid or has expired. Please check the QR code on "
        "your ticket, or ask the staff in the hall.",
    },
}

STYLE = """
body{font-family:"DejaVu Sans",Roboto,Arial,sans-serif;margin:0;background:#f3f6fa;color:#13233a}
main{max-width:28rem;margin:0 auto;padding:1rem}
h1{font-size:1.2rem;margin:.2rem 0 1rem}
h2{font-size:1.05rem;margin:0 0 .6rem}
.site{font-weight:600;margin:.2rem 0 0}
.card{background:#fff;border-radius:.8rem;padding:1rem 1.2rem;box-shadow:0 1px 4px #0002}
.num{font-size:3.4rem;font-weight:700;text-align:center;color:#0b5cad;margin:.2rem 0}
.svc{text-align:center;font-size:1.05rem;margin-bottom:.8rem}
dl{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1.3fr);gap:.5rem .8rem;
font-size:1.05rem;margin:0}
dt{color:#4a5a70}dd{margin:0;font-weight:600;text-align:right}
.called{background:#e6f7e9;border:2px solid #1f9d3a;border-radius:.6rem;padding:.8rem;
text-align:center;font-size:1.4rem;font-weight:700;color:#136b27;margin:.8rem 0}
.near{background:#fff4d6;border:2px solid #d99a00;border-radius:.6rem;padding:.7rem;
text-align:center;font-size:1.1rem;font-weight:700;color:#7a5200;margin:.8rem 0}
.notify{margin-top:1rem}
.notify label{display:block;margin-bottom:.4rem}
.notify input{font-size:1.1rem;padding:.5rem;border:1px solid #9aa8ba;border-radius:.4rem;
width:100%;box-sizing:border-box}
.notify button{font-size:1rem;padding:.55rem 1rem;margin-top:.5rem;border:0;border-radius:.4rem;
background:#0b5cad;color:#fff}
.note{font-size:.85rem;color:#5b6b80;margin:.5rem 0 0}
.ok{color:#136b27;font-weight:600}.bad{color:#a3261b;font-weight:600}
.foot{font-size:.85rem;color:#5b6b80;margin-top:1rem;display:flex;justify-content:space-between}
a{color:#0b5cad}
"""


def _page(lang: str, title: str, body: str, *, refresh: bool, switch: str, foot: str = "") -> str:
    # Without script the page refreshes itself; with it, the event stream keeps it live.
    meta = f'<noscript><meta http-equiv="refresh" content="{REFRESH_S}"></noscript>'
    meta = meta if refresh else ""
    foot = foot or TEXT[lang]["refresh"]
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"{meta}<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f'<body><main>{body}<p class="foot"><span id="foot">{escape(foot)}</span>'
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


def card(ticket: TicketOut, lang: str, time_zone: str, *, near: bool = False) -> str:
    """The part of the page that changes: the event stream sends it again."""
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
    elif near:
        called = f'<div class="near">{escape(t["near"])}</div>'
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    return (
        f'<div class="num">{escape(ticket.number)}</div>'
        f'<div class="svc">{escape(t["service"])}: {escape(service)}</div>'
        f"{called}<dl>{items}</dl>"
    )


def render_seen(seen: Seen, lang: str) -> str:
    """The hub's renderer (``server.notify.hub.Render``)."""
    return card(seen.ticket, lang, seen.time_zone, near=seen.near)


def _notify_box(token: str, lang: str, note: str, vapid: str) -> str:
    t = TEXT[lang]
    said = ""
    if note == "kept":
        said = f'<p class="note ok">{escape(t["phone_kept"])}</p>'
    elif note == "bad":
        said = f'<p class="note bad">{escape(t["phone_bad"])}</p>'
    push = ""
    if vapid:  # shown by the script, where the browser can subscribe
        push = (
            f'<button type="button" id="push" hidden data-key="{escape(vapid)}" '
            f'data-on="{escape(t["push_on"])}" data-off="{escape(t["push_off"])}">'
            f'{escape(t["push"])}</button><p class="note" id="push-said"></p>'
        )
    return (
        f'<div class="card notify"><h2>{escape(t["notify_title"])}</h2>'
        f'<form method="post" action="/t/{escape(token)}/phone?lang={lang}">'
        f'<label for="phone">{escape(t["phone"])}</label>'
        '<input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" '
        'maxlength="20" placeholder="09xx xxx xxx">'
        f'<button type="submit">{escape(t["phone_save"])}</button></form>{said}'
        f'<p class="note">{escape(t["phone_note"])}</p>{push}</div>'
    )


def render(
    ticket: TicketOut,
    lang: str,
    switch: str,
    site_name: str = "",
    time_zone: str = "Asia/Ho_Chi_Minh",
    *,
    near: bool = False,
    live: str = "",
    note: str = "",
    vapid: str = "",
) -> str:
    """The whole page. ``live``: the tracking link's token when the hub runs (the page
    then carries its script and the notice form)."""
    t = TEXT[lang]
    body = (
        f'<p class="site">{escape(site_name)}</p>'
        f'<h1>{escape(t["title"])}</h1><div class="card" id="card">'
        f"{card(ticket, lang, time_zone, near=near)}</div>"
    )
    if live and ticket.status in (TicketStatus.WAITING, TicketStatus.PARKED):
        body += _notify_box(live, lang, note, vapid)
    if live:
        body += (
            f'<script src="/t/track.js" defer data-token="{escape(live)}" data-lang="{lang}" '
            f'data-live="{escape(t["live"])}" data-offline="{escape(t["offline"])}"></script>'
        )
    return _page(lang, f"{ticket.number} — {t['title']}", body, refresh=True, switch=switch)


def render_unknown(lang: str, switch: str) -> str:
    t = TEXT[lang]
    body = (
        f"<h1>{escape(t['unknown_title'])}</h1>"
        f'<div class="card"><p>{escape(t["unknown"])}</p></div>'
    )
    return _page(lang, t["unknown_title"], body, refresh=False, switch=switch)
