"""The admin commands of ``qms``: db upgrade, seed demo, user add, user pin, device add."""

import io
import json

import pytest

from qms.cli import main
from server.messaging.publisher import RecordingPublisher
from server.security.secret import load_secret
from server.service import QueueService, ServiceError
from server.storage.db import Database, sqlite_url


def service_for(data_dir) -> QueueService:
    service = QueueService(Database(sqlite_url(data_dir)), RecordingPublisher())
    service.accounts.pin_key = load_secret(data_dir)  # as the server and the CLI have it
    return service


def pin_login(data_dir, site: str, counter: str, pin: str):
    """A PIN login from the site's first demo counter PC (its device token)."""
    service = service_for(data_dir)
    creds = json.loads((data_dir / "demo-credentials.json").read_text())
    pc = "counter-pc-1" if site == "hcm-main" else "thuduc-counter-pc-1"
    terminal = service.accounts.authenticate(creds["devices"][pc])
    return service.accounts.pin_login(site, counter, pin, terminal=terminal)


def test_user_add_reads_the_password_from_stdin(tmp_path, monkeypatch, capsys) -> None:
    data = tmp_path / "var"
    assert main(["db", "upgrade", "--data-dir", str(data)]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-pass\n"))
    at = ["--data-dir", str(data)]
    assert main(["user", "add", "admin1", "--role", "admin", "--password-stdin", *at]) == 0
    assert "s3cret" not in capsys.readouterr().out
    login = service_for(data).accounts.login("admin1", "s3cret-pass")
    assert login.role == "admin" and login.site is None
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["user", "add", "x", "--role", "clerk", "--password-stdin", *at]) == 2


def test_seed_demo_then_device_add_prints_the_token_last(tmp_path, capsys) -> None:
    data = tmp_path / "var"
    assert main(["seed", "demo", "--data-dir", str(data)]) == 0
    creds = json.loads((data / "demo-credentials.json").read_text())
    assert "kiosk-1" in creds["devices"]
    assert main(["seed", "demo", "--data-dir", str(data)]) == 0  # idempotent, same tokens
    assert json.loads((data / "demo-credentials.json").read_text())["devices"] == creds["devices"]
    capsys.readouterr()
    args = ["device", "add", "kiosk-new", "--kind", "kiosk", "--site", "hcm-main"]
    assert main([*args, "--data-dir", str(data)]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    actor = service_for(data).accounts.authenticate(token)
    assert (actor.kind, actor.name, actor.role, actor.site) == (
        "device",
        "kiosk-new",
        "kiosk",
        "hcm-main",
    )
    at = ["--data-dir", str(data)]
    assert main(["device", "add", "k2", "--kind", "kiosk", "--site", "nowhere", *at]) == 2
    assert main(["device", "add", "a/b", "--kind", "kiosk", "--site", "hcm-main", *at]) == 2


def test_bad_settings_are_refused_with_a_message(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("QMS_HTTP", "nonsense")
    assert main(["server", "--data-dir", str(tmp_path)]) == 2
    assert "HOST:PORT" in capsys.readouterr().err


def test_user_pin_reads_the_pin_from_stdin(tmp_path, monkeypatch, capsys) -> None:
    data = tmp_path / "var"
    at = ["--data-dir", str(data)]
    assert main(["seed", "demo", *at]) == 0
    creds = json.loads((data / "demo-credentials.json").read_text())
    clerk = next(u for u in creds["users"] if u["username"] == "clerk05")
    assert clerk["pin"] == "0505" and clerk["site"] == "hcm-main"
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", io.StringIO("480516\n"))
    assert main(["user", "pin", "clerk05", "--pin-stdin", "--site", "hcm-main", *at]) == 0
    assert "480516" not in capsys.readouterr().out
    assert pin_login(data, "hcm-main", "5", "480516").username == "clerk05"
    for stdin, name, why in [
        ("12\n", "clerk05", "4 to 8 digits"),
        ("\n", "clerk05", "no PIN"),
        ("0606\n", "clerk05", "already uses this PIN"),  # clerk06's demo PIN
        ("480517\n", "admin", "may not have a PIN"),
        ("480517\n", "clerk05", "belongs to site hcm-main"),
    ]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        extra = ["--site", "phuong-thu-duc"] if why.startswith("belongs") else []
        assert main(["user", "pin", name, "--pin-stdin", *extra, *at]) == 2
        assert why in capsys.readouterr().err


def test_user_pin_clear_stops_pin_login(tmp_path, monkeypatch, capsys) -> None:
    data = tmp_path / "var"
    at = ["--data-dir", str(data)]
    assert main(["seed", "demo", *at]) == 0
    assert pin_login(data, "hcm-main", "5", "0505").username == "clerk05"
    capsys.readouterr()
    assert main(["user", "pin", "clerk05", "--clear", "--site", "hcm-main", *at]) == 0
    said = capsys.readouterr().out
    assert "PIN of clerk05 removed" in said and "no longer works" in said
    service = service_for(data)
    with pytest.raises(ServiceError) as refused:
        pin_login(data, "hcm-main", "5", "0505")
    assert refused.value.code == "bad_pin"
    assert (
        service.accounts.login("clerk05", "demo-quay-05").username == "clerk05"
    )  # the password still works
    assert main(["user", "pin", "clerk05", "--clear", *at]) == 0
    assert "clerk05 had no PIN; nothing changed" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("0505\n"))
    assert main(["user", "pin", "clerk05", "--pin-stdin", *at]) == 0  # a new PIN can follow
    assert pin_login(data, "hcm-main", "5", "0505").username == "clerk05"
    monkeypatch.setattr("sys.stdin", io.StringIO("long-enough-pass\n"))
    assert main(["user", "add", "root", "--role", "admin", "--password-stdin", *at]) == 0
    capsys.readouterr()
    for name, extra, why in [
        ("nobody", [], "Unknown account nobody"),
        ("clerk06", ["--site", "phuong-thu-duc"], "belongs to site hcm-main"),
        ("root", ["--site", "hcm-main"], "belongs to no site"),
    ]:
        assert main(["user", "pin", name, "--clear", *extra, *at]) == 2
        assert why in capsys.readouterr().err
    assert pin_login(data, "hcm-main", "6", "0606").username == "clerk06"


def test_user_pin_wants_exactly_one_of_a_new_pin_or_clear(tmp_path, capsys) -> None:
    at = ["--data-dir", str(tmp_path)]
    for args in (["clerk05"], ["clerk05", "--pin-stdin", "--clear"]):
        with pytest.raises(SystemExit) as usage:
            main(["user", "pin", *args, *at])
        assert usage.value.code == 2
        assert "--pin-stdin" in capsys.readouterr().err


def test_user_add_moving_a_clerk_to_another_site_removes_the_pin(
    tmp_path, monkeypatch, capsys
) -> None:
    """A PIN is unique among one site's clerks only: one carried to another site could
    be a clerk's PIN there."""
    data = tmp_path / "var"
    at = ["--data-dir", str(data)]
    assert main(["seed", "demo", *at]) == 0
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", io.StringIO("demo-quay-05\n"))
    same = ["user", "add", "clerk05", "--role", "clerk", "--password-stdin", *at]
    assert main([*same, "--site", "hcm-main"]) == 0  # same site and role: PIN kept
    assert "PIN was removed" not in capsys.readouterr().out
    assert pin_login(data, "hcm-main", "5", "0505").username == "clerk05"
    monkeypatch.setattr("sys.stdin", io.StringIO("demo-quay-05\n"))
    assert main([*same, "--site", "phuong-thu-duc"]) == 0
    assert "its counter PIN was removed" in capsys.readouterr().out
    service = service_for(data)
    for site, counter in (("hcm-main", "5"), ("phuong-thu-duc", "td-1")):
        with pytest.raises(ServiceError) as refused:
            pin_login(data, site, counter, "0505")
        assert refused.value.code == "bad_pin"
    assert service.accounts.login("clerk05", "demo-quay-05").site == "phuong-thu-duc"


def test_device_add_prints_the_servers_mqtt_key(tmp_path, capsys) -> None:
    from server.messaging.keys import load_or_create

    data = tmp_path / "var"
    assert main(["seed", "demo", "--data-dir", str(data)]) == 0
    capsys.readouterr()
    args = ["device", "add", "display-new", "--kind", "display", "--site", "hcm-main"]
    assert main([*args, "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    key = load_or_create(data / "mqtt-signing-key.pem").public
    assert key.text in out
    assert (data / "mqtt-signing-key.pem").stat().st_mode & 0o777 == 0o600
