"""``qms user add|passwd|pin|disable|enable|remove`` and ``qms device add|list|revoke``: the
staff accounts and the devices of an installation, from the command line.

Only argparse at import time: the handlers load SQLAlchemy and the rest when run.
"""

import argparse
import sys

from server.cli_support import admin, fail, guarded, settings_of, storage_options

ROLES = ("clerk", "supervisor", "admin")
KINDS = ("kiosk", "display", "counter", "led")


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    _register_users(sub)
    _register_devices(sub)


def _register_users(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    user = sub.add_parser("user", help="staff accounts")
    user_sub = user.add_subparsers(dest="user_command", metavar="ACTION")
    user_sub.required = True
    add_user = user_sub.add_parser("add", help="create an account (or reset its password)")
    add_user.add_argument("name", help="the login name")
    add_user.add_argument("--role", required=True, choices=ROLES)
    add_user.add_argument(
        "--password-stdin", action="store_true", required=True, help="read the password from stdin"
    )
    add_user.add_argument("--site", help="the account's site (required for clerks and supervisors)")
    add_user.add_argument("--display-name", default="", help="the name shown on screens")
    storage_options(add_user)
    add_user.set_defaults(func=run_user_add)
    passwd = user_sub.add_parser(
        "passwd", help="set a new password (from stdin); the account's sessions end at once"
    )
    passwd.add_argument("name", help="the login name")
    passwd.add_argument(
        "--password-stdin", action="store_true", required=True, help="read the password from stdin"
    )
    storage_options(passwd)
    passwd.set_defaults(func=run_user_passwd)
    for action, text in (
        ("disable", "stop an account from logging in; its sessions end at once"),
        ("enable", "let a disabled account log in again"),
        ("remove", "delete an account; its sessions end at once"),
    ):
        change = user_sub.add_parser(action, help=text)
        change.add_argument("name", help="the login name")
        storage_options(change)
        change.set_defaults(func=run_user_change, user_action=action)
    pin = user_sub.add_parser(
        "pin", help="set a clerk's counter PIN (4-8 digits, unique per site), or --clear it"
    )
    pin.add_argument("name", help="the login name of a clerk or supervisor")
    pin_action = pin.add_mutually_exclusive_group(required=True)
    pin_action.add_argument("--pin-stdin", action="store_true", help="read the PIN from stdin")
    pin_action.add_argument(
        "--clear", action="store_true", help="remove the PIN: PIN login stops for this account"
    )
    pin.add_argument("--site", help="check that the account belongs to this site")
    storage_options(pin)
    pin.set_defaults(func=run_user_pin)


def _register_devices(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    device = sub.add_parser("device", help="kiosks, displays, counter devices")
    device_sub = device.add_subparsers(dest="device_command", metavar="ACTION")
    device_sub.required = True
    add_device = device_sub.add_parser("add", help="register a device; prints its token last")
    add_device.add_argument("name", help="device id (letters, digits, - _ .)")
    add_device.add_argument("--kind", required=True, choices=KINDS)
    add_device.add_argument("--site", required=True)
    add_device.add_argument("--label", default="", help="a human-readable name")
    storage_options(add_device)
    add_device.set_defaults(func=run_device_add)
    list_devices = device_sub.add_parser("list", help="the registered devices")
    list_devices.add_argument("--site", help="only this site's")
    storage_options(list_devices)
    list_devices.set_defaults(func=run_device_list)
    revoke = device_sub.add_parser(
        "revoke", help="end a device's token at once (`device add` gives a new one)"
    )
    revoke.add_argument("name", help="device id")
    storage_options(revoke)
    revoke.set_defaults(func=run_device_revoke)


@guarded
def run_user_add(args: argparse.Namespace) -> int:
    from server.contract.vocab import Role

    password = _password_from_stdin()
    if not password:
        return fail("no password on stdin")
    service = admin(args)
    try:
        pin_cleared = service.accounts.add_user(
            args.name, password, Role(args.role), site=args.site, display_name=args.display_name
        )
    finally:
        service.db.dispose()
    print(f"user {args.name} ({args.role}) saved")
    if pin_cleared:
        print(
            f"its counter PIN was removed (new site or role); give a new one with "
            f"`qms user pin {args.name} --pin-stdin`"
        )
    return 0


def _password_from_stdin() -> str:
    return sys.stdin.readline().rstrip("\r\n")


@guarded
def run_user_passwd(args: argparse.Namespace) -> int:
    password = _password_from_stdin()
    if not password:
        return fail("no password on stdin")
    service = admin(args)
    try:
        service.accounts.change_password(args.name, password)
    finally:
        service.db.dispose()
    print(f"password of {args.name} changed; its sessions ended")
    return 0


@guarded
def run_user_change(args: argparse.Namespace) -> int:
    """``disable``, ``enable`` or ``remove``: say plainly what changed."""
    service = admin(args)
    try:
        if args.user_action == "remove":
            service.accounts.remove_user(args.name)
            said = "removed; its sessions ended"
        elif args.user_action == "disable":
            service.accounts.set_active(args.name, False)
            said = "disabled; its sessions ended"
        else:
            service.accounts.set_active(args.name, True)
            said = "enabled"
    finally:
        service.db.dispose()
    print(f"user {args.name} {said}")
    return 0


@guarded
def run_user_pin(args: argparse.Namespace) -> int:
    import re

    if args.clear:
        return _clear_pin(args)
    pin = sys.stdin.readline().strip()
    if not pin:
        return fail("no PIN on stdin")
    if re.fullmatch(r"[0-9]{4,8}", pin) is None:
        return fail("a PIN is 4 to 8 digits")
    service = admin(args)
    try:
        service.accounts.set_pin(args.name, pin, site=args.site)
    finally:
        service.db.dispose()
    print(f"PIN of {args.name} saved")
    return 0


def _clear_pin(args: argparse.Namespace) -> int:
    """Say plainly what changed: an operator clears a PIN when it may be known to others."""
    service = admin(args)
    try:
        removed = service.accounts.clear_pin(args.name, site=args.site)
    finally:
        service.db.dispose()
    if removed:
        print(
            f"PIN of {args.name} removed: PIN login no longer works for this account "
            "(password login does; sessions already open run until they expire)"
        )
    else:
        print(f"{args.name} had no PIN; nothing changed")
    return 0


@guarded
def run_device_add(args: argparse.Namespace) -> int:
    from server.contract.vocab import DeviceKind

    service = admin(args)
    try:
        token = service.devices.add(args.name, DeviceKind(args.kind), args.site, args.label)
    finally:
        service.db.dispose()
    from server.messaging.keys import load_or_create

    server_key = load_or_create(settings_of(args).signing_key_path).public
    print("the server's MQTT key (the device pins it; also at GET /api/v1/mqtt/server-key):")
    print(f"  {server_key.text}")
    print(f"device {args.name} ({args.kind}) registered at {args.site}; its token:")
    print(token)  # last, for scripts
    return 0


@guarded
def run_device_list(args: argparse.Namespace) -> int:
    service = admin(args)
    try:
        devices = service.devices.listed(args.site)
    finally:
        service.db.dispose()
    for d in devices:
        state = "active" if d.active else "revoked"
        seen = d.last_seen.isoformat(timespec="seconds") if d.last_seen else "-"
        print(f"{d.site}\t{d.id}\t{d.kind}\t{state}\t{seen}\t{d.name}")
    return 0


@guarded
def run_device_revoke(args: argparse.Namespace) -> int:
    service = admin(args)
    try:
        service.devices.revoke(args.name)
    finally:
        service.db.dispose()
    print(f"device {args.name} revoked: its token no longer works")
    return 0
