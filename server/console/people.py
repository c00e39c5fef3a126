"""Users and devices of a site (administrators only): the service's account and device
functions, each change written to the audit log (never a password, PIN or token)."""

import io
from typing import Any

import qrcode
import qrcode.image.svg
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from server.console import forms
from server.console.forms import FormErrors
from server.console.session import Forbidden, Visitor, checked_form, page, service_of, to, visitor
from server.console.texts import text
from server.contract.vocab import DeviceKind, Role
from server.service import ServiceError
from server.service.directory import UserSummary

router = APIRouter()
MIN_PASSWORD = 8


def _admin(request: Request, site: str) -> Visitor:
    who = visitor(request)
    if not who.may_edit(site):
        raise Forbidden(text("read_only", who.lang))
    return who


def _message(exc: ServiceError, lang: str) -> str:
    return exc.message_en if lang == "en" else exc.message_vi


def _audit(
    request: Request, who: Visitor, site: str, action: str, target: str, **after: Any
) -> None:
    service_of(request).audit.record(
        actor=who.actor.name, site=site, action=action, target=target, after=after or None
    )


# ---- users ---------------------------------------------------------------------------


def _users(
    request: Request,
    who: Visitor,
    site: str,
    *,
    saved: int = 0,
    form: dict[str, Any] | None = None,
    errors: list[str] | None = None,
) -> Response:
    users = service_of(request).directory.users(site, with_global=who.actor.site is None)
    return page(
        request, "users.html", who, site=site, active="users", users=users, roles=list(Role),
        saved=saved, form=form or {}, errors=errors or [], status_code=400 if errors else 200,
    )  # fmt: skip


@router.get("/s/{site}/users", response_class=HTMLResponse)
def users_page(request: Request, site: str, saved: int = 0) -> Response:
    return _users(request, _admin(request, site), site, saved=saved)


@router.post("/s/{site}/users", response_class=HTMLResponse)
async def user_add(request: Request, site: str) -> Response:
    who = _admin(request, site)
    form = await checked_form(request, who)
    errors = FormErrors(who.lang)
    username = forms.string(form, "username", errors)
    password = str(form.get("password", ""))
    if len(password) < MIN_PASSWORD:
        errors.add("password", "err_password")
    role = Role(form.get("role", "clerk")) if form.get("role") in set(Role) else Role.CLERK
    if not errors:
        try:
            service_of(request).directory.user(username)
            errors.add("username", "err_exists")
        except ServiceError:
            pass
    if not errors:
        service_of(request).accounts.add_user(
            username,
            password,
            role,
            site=site,
            display_name=forms.string(form, "display_name", errors, required=False),
        )
        _audit(request, who, site, "user.add", username, role=role.value)
        return to(f"/console/s/{site}/users?saved=1")
    return _users(request, who, site, form=form, errors=errors.messages)


@router.get("/s/{site}/users/{username}", response_class=HTMLResponse)
def user_page(request: Request, site: str, username: str, saved: int = 0) -> Response:
    who = _admin(request, site)
    return _user(request, who, site, username, saved=saved)


def _user(
    request: Request,
    who: Visitor,
    site: str,
    username: str,
    *,
    saved: int = 0,
    errors: list[str] | None = None,
) -> Response:
    try:
        user = service_of(request).directory.user(username)
    except ServiceError:
        raise Forbidden from None
    if user.site not in (site, None) or (user.site is None and who.actor.site is not None):
        raise Forbidden
    sites = service_of(request).site_config.sites()
    return page(
        request, "user.html", who, site=site, active="users", user=user, roles=list(Role),
        sites=[s for s in sites if who.may_see(s.id)], saved=saved, errors=errors or [],
        status_code=400 if errors else 200,
    )  # fmt: skip


@router.post("/s/{site}/users/{username}/{what}", response_class=HTMLResponse)
async def user_change(request: Request, site: str, username: str, what: str) -> Response:
    """One form per change: details (role, site, name), password, pin, clear-pin, active."""
    who = _admin(request, site)
    form = await checked_form(request, who)
    service = service_of(request)
    errors = FormErrors(who.lang)
    try:
        user = service.directory.user(username)
        if user.site not in (site, None):
            raise Forbidden
        if what == "details":
            _edit_details(request, who, site, user, form)
        elif what == "password":
            password = str(form.get("password", ""))
            if len(password) < MIN_PASSWORD:
                errors.add("new_password", "err_password")
            else:
                role = Role(user.role)
                service.accounts.add_user(
                    username, password, role, site=user.site, display_name=user.display_name
                )
                _audit(request, who, site, "user.password", username)
        elif what == "pin":
            service.accounts.set_pin(username, str(form.get("pin", "")).strip(), site=user.site)
            _audit(request, who, site, "user.pin.set", username)
        elif what == "clear-pin":
            service.accounts.clear_pin(username, site=user.site)
            _audit(request, who, site, "user.pin.clear", username)
        elif what in {"disable", "enable"}:
            if username == who.actor.name:
                raise Forbidden
            service.directory.set_active(username, what == "enable")
            _audit(request, who, site, f"user.{what}", username)
        else:
            raise Forbidden
    except ServiceError as exc:
        errors.messages.append(_message(exc, who.lang))
    if errors:
        return _user(request, who, site, username, errors=errors.messages)
    return to(f"/console/s/{site}/users/{username}?saved=1")


def _edit_details(
    request: Request, who: Visitor, site: str, user: UserSummary, form: dict[str, Any]
) -> None:
    service = service_of(request)
    role = Role(str(form.get("role", user.role)))
    new_site = str(form.get("site", "")) or None
    if new_site is not None and not who.may_see(new_site):
        raise Forbidden
    if new_site is None and who.actor.site is not None:
        raise Forbidden  # only an administrator of every site makes one
    service.directory.update_user(
        user.username,
        role=role,
        site=new_site,
        display_name=str(form.get("display_name", "")).strip(),
    )
    service.audit.record(
        actor=who.actor.name, site=site, action="user.edit", target=user.username,
        before={"role": user.role, "site": user.site}, after={"role": role.value, "site": new_site},
    )  # fmt: skip


# ---- devices -------------------------------------------------------------------------


def _qr_svg(data: str) -> Markup:
    """The token as a QR code, drawn inline (no file, no network)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode("utf-8")
    return Markup(svg[svg.index("<svg") :])  # noqa: S704 - our own generated SVG


def _devices(
    request: Request,
    who: Visitor,
    site: str,
    *,
    saved: int = 0,
    token: str = "",
    device: str = "",
    errors: list[str] | None = None,
) -> Response:
    devices = service_of(request).directory.devices(site)
    return page(
        request, "devices.html", who, site=site, active="devices", devices=devices,
        kinds=list(DeviceKind), saved=saved, token=token, device=device,
        qr=_qr_svg(token) if token else "", errors=errors or [],
        status_code=400 if errors else 200,
    )  # fmt: skip


@router.get("/s/{site}/devices", response_class=HTMLResponse)
def devices_page(request: Request, site: str, saved: int = 0) -> Response:
    return _devices(request, _admin(request, site), site, saved=saved)


@router.post("/s/{site}/devices", response_class=HTMLResponse)
async def device_enrol(request: Request, site: str) -> Response:
    """A new device, or a new token for one (rotate): the token is shown this once."""
    who = _admin(request, site)
    form = await checked_form(request, who)
    errors = FormErrors(who.lang)
    device_id = forms.string(form, "device_id", errors)
    kind = str(form.get("kind", ""))
    if kind not in set(DeviceKind):
        errors.add("kind", "err_required")
    if device_id and service_of(request).directory.device_site(device_id) not in (None, site):
        errors.add("device_id", "err_exists")
    if errors:
        return _devices(request, who, site, errors=errors.messages)
    service = service_of(request)
    existing = {d.id: d for d in service.directory.devices(site)}
    try:
        token = service.devices.add(
            device_id, DeviceKind(kind), site, str(form.get("name", "")).strip()
        )
    except (ServiceError, ValueError) as exc:
        message = _message(exc, who.lang) if isinstance(exc, ServiceError) else str(exc)
        return _devices(request, who, site, errors=[message])
    action = "device.rotate" if device_id in existing else "device.enrol"
    _audit(request, who, site, action, device_id, kind=kind)
    return _devices(request, who, site, token=token, device=device_id)


@router.post("/s/{site}/devices/{device_id}/revoke", response_class=HTMLResponse)
async def device_revoke(request: Request, site: str, device_id: str) -> Response:
    who = _admin(request, site)
    await checked_form(request, who)
    try:
        service_of(request).directory.revoke_device(device_id, site)
    except ServiceError as exc:
        return _devices(request, who, site, errors=[_message(exc, who.lang)])
    _audit(request, who, site, "device.revoke", device_id)
    return to(f"/console/s/{site}/devices?saved=1")
