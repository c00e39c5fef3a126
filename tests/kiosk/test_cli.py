"""``qms kiosk``: flags, errors, and the one-shot screenshot against the real server."""

import pytest
from PIL import Image

from hardware.printer import VirtualPrinter
from hardware.registry import open_printer
from kiosk.cli import DEFAULT_PRINTER
from qms.cli import build_parser, main


def test_flags_parse_with_their_defaults():
    args = build_parser().parse_args(["kiosk"])
    assert args.printer == DEFAULT_PRINTER
    assert args.orientation == "portrait"
    assert args.fullscreen is False
    args = build_parser().parse_args(
        [
            "kiosk",
            "--server",
            "http://127.0.0.1:9",
            "--mqtt",
            "mqtt://127.0.0.1:1883",
            "--site",
            "hcm-main",
            "--kiosk-id",
            "kiosk-2",
            "--token",
            "t",
            "--printer",
            "virtual:///tmp/x",
            "--scanner",
            "sim://scanner",
            "--fullscreen",
            "--orientation",
            "landscape",
            "--screenshot",
            "shot.png",
        ]
    )
    assert (args.kiosk_id, args.orientation, args.fullscreen) == ("kiosk-2", "landscape", True)


def test_the_default_printer_folder_is_relative_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    printer = open_printer(DEFAULT_PRINTER)
    assert isinstance(printer, VirtualPrinter)
    assert printer.directory == tmp_path / "var" / "tickets"


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        (["--server", "ftp://x"], "must be an http(s) URL"),
        (["--site", "a/b"], "not a valid id"),
        (["--scanner", "sim://scanner"], "needs the site's ID key"),
        (["--idle-timeout", "0"], "positive"),
    ],
)
def test_bad_configuration_is_refused_clearly(extra, said, caplog, monkeypatch):
    monkeypatch.delenv("QMS_ID_KEY", raising=False)
    assert main(["kiosk", *extra]) == 2
    assert said in caplog.text


def test_screenshot_renders_the_first_screen_with_live_data(qapp, live_server, tmp_path):
    shot = tmp_path / "first.png"
    code = main(
        [
            "kiosk",
            "--server",
            live_server.base_url,
            "--mqtt",
            live_server.mqtt_url("kiosk-1"),
            "--site",
            live_server.site,
            "--token",
            live_server.kiosk_token,
            "--printer",
            f"virtual://{tmp_path / 'tickets'}",
            "--orientation",
            "landscape",
            "--screenshot",
            str(shot),
        ]
    )
    assert code == 0
    with Image.open(shot) as image:
        assert image.size == (1920, 1080)


def test_screenshot_without_a_server_saves_the_unavailable_screen_and_fails(qapp, tmp_path):
    shot = tmp_path / "down.png"
    code = main(
        [
            "kiosk",
            "--server",
            "http://127.0.0.1:9",
            "--printer",
            "none",
            "--screenshot",
            str(shot),
        ]
    )
    assert code == 1
    assert shot.exists()


def test_an_unknown_printer_scheme_is_a_clear_error(caplog):
    assert main(["kiosk", "--printer", "lpt://1", "--screenshot", "x.png"]) == 2
    assert "kiosk device configuration" in caplog.text


def test_a_scanner_that_is_not_a_scanner_url_is_a_clear_error(caplog, monkeypatch, tmp_path):
    monkeypatch.setenv("QMS_ID_KEY", "a-site-secret-of-enough-bytes")
    code = main(
        [
            "kiosk",
            "--server",
            "http://127.0.0.1:9",
            "--printer",
            "none",
            "--scanner",
            "sim://keypad",
            "--screenshot",
            str(tmp_path / "x.png"),
        ]
    )
    assert code == 2
    assert "is not a scanner" in caplog.text


def test_the_kiosk_does_not_load_the_servers_heavy_parts():
    import subprocess
    import sys

    code = (
        "import sys, kiosk.cli, kiosk.app; "
        "heavy = [m for m in ('sqlalchemy', 'fastapi', 'uvicorn', 'alembic') if m in sys.modules]; "
        "print(heavy); sys.exit(1 if heavy else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
