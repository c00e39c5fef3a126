"""The citizen's booking pages, ``/book/...``: plain server-rendered HTML for a phone.

No script and nothing fetched from elsewhere: the style is inline, the QR code an inline
SVG. Vietnamese by default, English with ``?lang=en`` (or an English browser). Large
touch targets, labelled controls, text contrast of WCAG AA (docs/booking.md).

- ``/book``: the sites that take appointments;
- ``/book/{site}``: its fields that do;
- ``/book/{site}/{service}?day=``: the days and the slots, and the form that books;
- ``/book/b/{token}``: a booking (code, QR code, time, cancel), the QR code's link.

The booking form carries an idempotency key, fresh each time it is drawn: a form sent
twice (a double tap, a retry after a lost answer) books once and shows that booking.
"""

import io
import re
import secrets
from datetime import date
from html import escape
from typing import Annotated

import qrcode
import qrcode.image.svg
from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from server.booking.service import WEB, Bookings
from server.booking.texts import WEEKDAYS, text
from server.contract.booking import BOOKING_PAGE, BookingIn, BookingOut, SlotsOut
from server.engine.errors import Refusal
from server.service.errors import ServiceError
from server.storage.mapping import SiteBundle

router = APIRouter(include_in_schema=False)

# The booking form's idempotency key, as ``_slots_body`` draws it (``token_urlsafe``).
FORM_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")

STYLE = """
*{box-sizing:border-box}
body{font-family:"DejaVu Sans",Roboto,Arial,sans-serif;margin:0;background:#f3f6fa;color:#13233a;
font-size:1.05rem;line-height:1.45}
header{background:#0b4f94;color:#fff;padding:.8rem 1rem}
header a{color:#fff}
header .bar{max-width:34rem;margin:0 auto;display:flex;justify-content:space-between;
align-items:center;gap:1rem}
header strong{font-size:1.1rem}
main{max-width:34rem;margin:0 auto;padding:1rem}
h1{font-size:1.35rem;margin:.3rem 0 1rem}
h2{font-size:1.1rem;margin:1.2rem 0 .5rem}
.sub{color:#3d4f66;margin:-.6rem 0 1rem}
.card{background:#fff;border-radius:.8rem;padding:1rem 1.2rem;box-shadow:0 1px 4px #0002;
margin-bottom:1rem}
ul.links{list-style:none;padding:0;margin:0}
ul.links li{margin:0 0 .6rem}
ul.links a{display:block;background:#fff;border:2px solid #c4d3e6;border-radius:.7rem;
padding:.9rem 1rem;color:#0b3f78;text-decoration:none;font-weight:600;min-height:3rem}
ul.links a:hover,ul.links a:focus{border-color:#0b5cad}
ul.links small{display:block;font-weight:400;color:#3d4f66}
.days{display:flex;gap:.5rem;overflow-x:auto;padding-bottom:.4rem}
.days a{flex:0 0 auto;min-width:4.6rem;text-align:center;border:2px solid #c4d3e6;
border-radius:.6rem;padding:.5rem .4rem;color:#0b3f78;text-decoration:none;background:#fff}
.days a[aria-current]{background:#0b5cad;border-color:#0b5cad;color:#fff;font-weight:700}
.slots{display:grid;grid-template-columns:repeat(auto-fill,minmax(7.2rem,1fr));gap:.5rem;
border:0;padding:0;margin:0}
.slots legend{font-weight:700;margin-bottom:.5rem}
.slot input{position:absolute;opacity:0}
.slot span{display:block;border:2px solid #c4d3e6;border-radius:.6rem;padding:.55rem .3rem;
text-align:center;background:#fff;min-height:3.2rem}
.slot small{display:block;color:#3d4f66;font-size:.85rem}
.slot input:checked+span{background:#0b5cad;border-color:#0b5cad;color:#fff}
.slot input:checked+span small{color:#fff}
.slot input:focus-visible+span{outline:3px solid #f2a900;outline-offset:2px}
.slot input:disabled+span,.slot input:disabled+span small{background:#e9edf2;color:#4d5a6a}
.slot input:disabled+span{border-style:dashed}
label.field{display:block;font-weight:700;margin:1rem 0 .3rem}
input[type=text]{width:100%;font-size:1.15rem;padding:.7rem;border:2px solid #8797ab;
border-radius:.5rem}
.help{color:#3d4f66;font-size:.92rem;margin:.3rem 0 0}
button{font-size:1.1rem;font-weight:700;border:0;border-radius:.7rem;padding:.9rem 1.2rem;
min-height:3rem;cursor:pointer}
button.primary{background:#0b5cad;color:#fff;width:100%;margin-top:1.2rem}
button.danger{background:#fff;color:#a3141e;border:2px solid #a3141e;width:100%}
button:focus-visible,a:focus-visible{outline:3px solid #f2a900;outline-offset:2px}
.error{background:#fdecee;border:2px solid #a3141e;color:#7d0f17;border-radius:.6rem;
padding:.8rem;font-weight:600}
.note{background:#e6f4ea;border:2px solid #1f7a36;color:#14532a;border-radius:.6rem;padding:.8rem}
.code{font-size:2.3rem;font-weight:700;letter-spacing:.12em;text-align:center;color:#0b4f94;
margin:.2rem 0}
.qr{display:flex;justify-content:center}
.qr svg{width:15rem;height:15rem}
dl{display:grid;grid-template-columns:auto 1fr;gap:.4rem .9rem;margin:.8rem 0 0}
dt{color:#3d4f66}dd{margin:0;font-weight:600}
a{color:#0b4f94}
"""


def language(request: Request, lang: str | None) -> str:
    if lang in ("vi", "en"):
        return lang
    header = request.headers.get("accept-language", "").lower()
    return "en" if header.startswith("en") else "vi"


def _with_lang(url: str, lang: str) -> str:
    return url if lang == "vi" else f"{url}{'&' if '?' in url else '?'}lang=en"


def _page(request: Request, lang: str, title: str, body: str, status: int = 200) -> HTMLResponse:
    other = "en" if lang == "vi" else "vi"
    switch = f"{request.url.path}?lang={other}"
    day = request.query_params.get("day")
    if day and re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
        switch += f"&day={day}"
    html = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f'<header><div class="bar"><strong>{escape(text("title", lang))}</strong>'
        f'<a href="{escape(switch)}" lang="{other}">{escape(text("other", lang))}</a>'
        f"</div></header><main>{body}</main></body></html>"
    )
    return HTMLResponse(html, status_code=status)


def bookings_of(request: Request) -> Bookings:
    bookings: Bookings = request.app.state.bookings
    return bookings


def _name(vi: str, en: str, lang: str) -> str:
    return en if lang == "en" and en else vi


def _back(href: str, lang: str) -> str:
    return f'<p><a href="{escape(_with_lang(href, lang))}">← {escape(text("back", lang))}</a></p>'


# A booking's own pages come first: ``/book/b/{token}`` would else match
# ``/book/{site}/{service}``.


def _qr_svg(data: str) -> str:
    """The booking's link as a QR code, drawn inline (no file, no network)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode("utf-8")
    return svg[svg.index("<svg") :]


def _booking_body(booking: BookingOut, token: str, lang: str, note: str = "") -> str:
    rows = [
        (text("site", lang), _name(booking.site_name_vi, booking.site_name_en, lang)),
        (text("field", lang), _name(booking.service_name_vi, booking.service_name_en, lang)),
        (
            text("day", lang),
            f"{WEEKDAYS[booking.local_day.weekday()][1 if lang == 'en' else 0]}, "
            f"{booking.local_day:%d/%m/%Y}",
        ),
        (text("time", lang), booking.local_time),
        (text("status", lang), text(booking.status.value, lang)),
    ]
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    live = booking.status.value == "booked"
    code = f"{booking.code[:4]} {booking.code[4:]}"
    parts = [f"<h1>{escape(text('booked_title', lang))}</h1>"]
    if note:
        parts.append(f'<p class="note" role="status">{escape(note)}</p>')
    parts.append('<div class="card">')
    if live:
        parts.append(
            f'<div class="qr" role="img" aria-label="QR">{_qr_svg(booking.page_url)}</div>'
        )
    parts.append(
        f'<p class="code" aria-label="{escape(text("code", lang))}">{escape(code)}</p>'
        f"<dl>{items}</dl></div>"
    )
    if live:
        cancel = f"{BOOKING_PAGE}{token}/cancel"
        parts.append(
            f'<p class="card">{escape(_check_in_text(booking, lang))}<br>'
            f"<small>{escape(text('keep', lang))}</small></p>"
            f'<form method="post" action="{escape(_with_lang(cancel, lang))}">'
            f'<p class="help">{escape(text("cancel_confirm", lang))}</p>'
            f'<button class="danger" type="submit">{escape(text("cancel", lang))}</button></form>'
        )
    return "".join(parts)


def _check_in_text(booking: BookingOut, lang: str) -> str:
    return text(
        "check_in_help",
        lang,
        opens=booking.check_in_opens_local,
        closes=booking.check_in_closes_local,
    )


def _unknown(request: Request, lang: str) -> HTMLResponse:
    body = (
        f"<h1>{escape(text('unknown_title', lang))}</h1>"
        f"<p class='card'>{escape(text('unknown', lang))}</p>"
    )
    return _page(request, lang, text("unknown_title", lang), body, 404)


@router.get(BOOKING_PAGE + "{token}", response_class=HTMLResponse)
def booking_page(
    request: Request,
    token: Annotated[str, Path(max_length=64)],
    lang: Annotated[str | None, Query(max_length=8)] = None,
) -> Response:
    lang = language(request, lang)
    booking = bookings_of(request).by_token(token)
    if booking is None:
        return _unknown(request, lang)
    return _page(request, lang, text("booked_title", lang), _booking_body(booking, token, lang))


@router.post(BOOKING_PAGE + "{token}/cancel", response_class=HTMLResponse)
async def cancel_form(
    request: Request,
    token: Annotated[str, Path(max_length=64)],
    lang: Annotated[str | None, Query(max_length=8)] = None,
) -> Response:
    lang = language(request, lang)
    bookings = bookings_of(request)
    try:
        booking = await run_in_threadpool(bookings.cancel_by_token, token)
    except ServiceError as exc:
        if exc.status == 404:
            return _unknown(request, lang)
        found = await run_in_threadpool(bookings.by_token, token)
        assert found is not None
        error = exc.message_en if lang == "en" else exc.message_vi
        body = f'<p class="error" role="alert">{escape(error)}</p>' + _booking_body(
            found, token, lang
        )
        return _page(request, lang, text("booked_title", lang), body, exc.status)
    note = text("cancelled_note", lang)
    return _page(
        request, lang, text("booked_title", lang), _booking_body(booking, token, lang, note)
    )


@router.get("/book", response_class=HTMLResponse)
def sites_page(
    request: Request, lang: Annotated[str | None, Query(max_length=8)] = None
) -> Response:
    lang = language(request, lang)
    sites = bookings_of(request).sites()
    if not sites:
        items = f'<p class="card">{escape(text("no_sites", lang))}</p>'
    else:
        links = "".join(
            f'<li><a href="{escape(_with_lang(f"/book/{b.site.id}", lang))}">'
            f"{escape(_name(b.site.name, b.site.name_en, lang))}</a></li>"
            for b in sites
        )
        items = f'<ul class="links">{links}</ul>'
    body = f"<h1>{escape(text('choose_site', lang))}</h1>{items}"
    return _page(request, lang, text("title", lang), body)


@router.get("/book/{site}", response_class=HTMLResponse)
def fields_page(
    request: Request,
    site: Annotated[str, Path(max_length=64)],
    lang: Annotated[str | None, Query(max_length=8)] = None,
) -> Response:
    lang = language(request, lang)
    bundle, offered = bookings_of(request).offering(site)
    links = "".join(
        f'<li><a href="{escape(_with_lang(f"/book/{site}/{s.code}", lang))}">'
        f"{escape(_name(s.name_vi, s.name_en, lang))}"
        f"<small>{escape(_dept(bundle, s.department, lang))}</small></a></li>"
        for s in offered
    )
    site_name = _name(bundle.site.name, bundle.site.name_en, lang)
    body = (
        f"<h1>{escape(text('choose_field', lang))}</h1>"
        f'<p class="sub">{escape(site_name)}</p><ul class="links">{links}</ul>'
        + _back("/book", lang)
    )
    return _page(request, lang, f"{text('title', lang)} — {site_name}", body)


def _dept(bundle: SiteBundle, code: str, lang: str) -> str:
    dept = bundle.departments.get(code)
    return _name(dept.name_vi, dept.name_en, lang) if dept else ""


def _day_label(day: date, lang: str) -> str:
    weekday = WEEKDAYS[day.weekday()][1 if lang == "en" else 0]
    return f"{weekday}<br>{day:%d/%m}"


def _slots_body(
    slots: SlotsOut,
    names: tuple[str, str],
    lang: str,
    *,
    error: str = "",
    chosen: str = "",
    cccd: str = "",
) -> str:
    site, service = slots.site, slots.service
    base = f"/book/{site}/{service}"
    current = ' aria-current="date"'
    days = "".join(
        f'<a href="{escape(_with_lang(f"{base}?day={d.isoformat()}", lang))}"'
        f"{current if d == slots.day else ''}>{_day_label(d, lang)}</a>"
        for d in slots.days
    )
    if slots.slots:
        options = []
        for s in slots.slots:
            value = s.start.isoformat()
            state = text("free", lang, n=s.free) if s.free else text("full", lang)
            options.append(
                f'<label class="slot"><input type="radio" name="start" value="{escape(value)}"'
                f"{' checked' if value == chosen and s.free else ''}"
                f"{'' if s.free else ' disabled'}>"
                f"<span>{escape(s.local)}<small>{escape(state)}</small></span></label>"
            )
        form = (
            f'<form method="post" action="{escape(_with_lang(base, lang))}">'
            f'<input type="hidden" name="day" value="{slots.day.isoformat()}">'
            f'<input type="hidden" name="key" value="{secrets.token_urlsafe(18)}">'
            f'<fieldset class="slots"><legend>{escape(text("choose_slot", lang))}</legend>'
            f"{''.join(options)}</fieldset>"
            f'<label class="field" for="cccd">{escape(text("cccd", lang))}</label>'
            f'<input type="text" id="cccd" name="cccd" inputmode="numeric" autocomplete="off"'
            f' maxlength="12" pattern="[0-9]{{12}}" value="{escape(cccd)}"'
            f' aria-describedby="cccd-help">'
            f'<p class="help" id="cccd-help">{escape(text("cccd_help", lang))}</p>'
            f'<button class="primary" type="submit">{escape(text("submit", lang))}</button></form>'
        )
    else:
        form = f'<p class="card">{escape(text("no_slots", lang))}</p>'
    alert = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    return (
        f"<h1>{escape(names[1])}</h1><p class='sub'>{escape(names[0])}</p>{alert}"
        f"<h2>{escape(text('choose_day', lang))}</h2><nav class='days'>{days}</nav>"
        f"{form}" + _back(f"/book/{site}", lang)
    )


def _names(bookings: Bookings, site: str, service: str, lang: str) -> tuple[str, str]:
    bundle, _ = bookings.offering(site)
    svc = bundle.services[service]
    return (
        _name(bundle.site.name, bundle.site.name_en, lang),
        _name(svc.name_vi, svc.name_en, lang),
    )


@router.get("/book/{site}/{service}", response_class=HTMLResponse)
def slots_page(
    request: Request,
    site: Annotated[str, Path(max_length=64)],
    service: Annotated[str, Path(max_length=32)],
    day: Annotated[date | None, Query()] = None,
    lang: Annotated[str | None, Query(max_length=8)] = None,
) -> Response:
    lang = language(request, lang)
    bookings = bookings_of(request)
    slots = bookings.slots(site, service, day)
    names = _names(bookings, site, service, lang)
    return _page(
        request, lang, f"{names[1]} — {text('title', lang)}", _slots_body(slots, names, lang)
    )


@router.post("/book/{site}/{service}", response_class=HTMLResponse)
async def book_form(
    request: Request,
    site: Annotated[str, Path(max_length=64)],
    service: Annotated[str, Path(max_length=32)],
    lang: Annotated[str | None, Query(max_length=8)] = None,
) -> Response:
    lang = language(request, lang)
    form = await request.form()
    start = str(form.get("start", ""))[:64]
    cccd = "".join(str(form.get("cccd", "")).split())[:32]
    day_text = str(form.get("day", ""))[:10]
    key = str(form.get("key", ""))
    # A form drawn before keys (or a tampered one) books as before: without replay.
    command_key = key if FORM_KEY.fullmatch(key) else None
    bookings = bookings_of(request)
    error, status = "", 200
    if not start:
        error, status = text("pick_slot", lang), 422
    elif cccd and not re.fullmatch(r"\d{12}", cccd):
        error, status = text("cccd_invalid", lang), 422
    else:
        try:
            body = BookingIn(service=service, start=start, language=lang, cccd=cccd or None)  # type: ignore[arg-type]
            digest = bookings.fingerprint(request.method, request.url.path, body)
            result = await run_in_threadpool(bookings.book, site, body, WEB, command_key, digest)
            token = result.body["page_url"].rsplit(BOOKING_PAGE, 1)[1]
            return RedirectResponse(_with_lang(f"{BOOKING_PAGE}{token}", lang), status_code=303)
        except ServiceError as exc:
            if exc.code == "idempotency_key_reused":  # this form booked other details before
                error, status = text("form_used", lang), exc.status
            else:
                error, status = (exc.message_en if lang == "en" else exc.message_vi), exc.status
        except Refusal as exc:
            error, status = (exc.message_en if lang == "en" else exc.message_vi), 409
        except ValueError:
            error, status = text("pick_slot", lang), 422
    day = date.fromisoformat(day_text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", day_text) else None
    slots = await run_in_threadpool(bookings.slots, site, service, day)
    names = _names(bookings, site, service, lang)
    page_body = _slots_body(slots, names, lang, error=error, chosen=start, cccd=cccd)
    return _page(request, lang, f"{names[1]} — {text('title', lang)}", page_body, status)
