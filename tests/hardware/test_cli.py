"""``qms hw`` tools, run through their argparse handlers against simulators."""

import argparse
import threading

import pytest

from hardware import cli
from hardware.sim.devices import LedBusSim, ScannerSim
from tests.hardware.waiting import wait_until


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="qms")
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["hw", *argv])
    return args.func(args)


def test_cli_imports_nothing_heavy_at_module_level():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(cli))
    top = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    names = {a.name for n in top for a in n.names} | {
        n.module for n in top if isinstance(n, ast.ImportFrom)
    }
    assert names <= {"__future__", "annotations", "argparse", "sys", "typing", "Any"}


def test_print_test_on_the_virtual_printer(tmp_path, capsys):
    assert run("print-test", f"virtual://{tmp_path}") == 0
    out = capsys.readouterr().out
    assert "ok (Máy in sẵn sàng" in out
    assert len(list(tmp_path.glob("*-1023.png"))) == 1
    assert len(list(tmp_path.glob("*-1023.bin"))) == 1


def test_print_test_58mm(tmp_path):
    from PIL import Image

    assert run("print-test", f"virtual://{tmp_path}", "--width", "384") == 0
    [png] = tmp_path.glob("*.png")
    with Image.open(png) as image:
        assert image.width == 384


def test_print_test_reports_a_fault(tmp_path, capsys):
    assert run("print-test", f"virtual://{tmp_path}?fault=paper_out") == 1
    captured = capsys.readouterr()
    assert "paper_out" in captured.out
    assert "Máy in hết giấy" in captured.err


@pytest.mark.parametrize("url", ["lpt://x", "virtual://"])
def test_print_test_bad_url(url, capsys):
    assert run("print-test", url) == 2
    assert "error:" in capsys.readouterr().err


def test_led_sends_to_the_display():
    sim = LedBusSim()
    try:
        assert run("led", sim.port_path, "7", "1023", "--blink", "2") == 0
        assert wait_until(lambda: sim.panel(7).text == "1023" and sim.panel(7).blinks == 2)
    finally:
        sim.close()


@pytest.mark.parametrize(("addr", "text"), [("0", "1"), ("7", "x" * 20)])
def test_led_bad_arguments(addr, text, capsys):
    assert run("led", "loop://", addr, text) == 2
    assert "error:" in capsys.readouterr().err


def test_led_on_a_missing_port(tmp_path, capsys):
    assert run("led", str(tmp_path / "ttyNONE"), "1", "1", "--wait", "0.3") == 1
    assert "cannot open" in capsys.readouterr().err


def test_listen_scanner_prints_name_and_masked_id_or_why(capsys):
    sim = ScannerSim()
    result: list[int] = []
    worker = threading.Thread(
        target=lambda: result.append(run("listen-scanner", sim.port_path, "--count", "2")),
        daemon=True,
    )
    seen: list[str] = []

    def output() -> str:
        seen.append(capsys.readouterr().out)
        return "".join(seen)

    try:
        worker.start()
        # pyserial empties the input buffer on open: scan only once it listens
        assert wait_until(lambda: "scan an ID card" in output())
        sim.scan("079090001234|025123456|Nguyễn Văn An|15031990|Nam|HCM|20042021")
        sim.scan("hello")
        worker.join(timeout=20)
        assert result == [0]
    finally:
        sim.close()
    out = output()
    assert "OK  Nguyễn Văn An  0790******34" in out
    assert "079090001234" not in out
    assert "REJECTED  Đây không phải mã QR" in out


def test_led_bridge_rejects_bad_options(capsys):
    assert run("led-bridge", "--site", "s", "--port", "loop://", "--map", "quay-1") == 2
    assert run("led-bridge", "--site", "s", "--port", "loop://", "--mqtt", "http://x") == 2
    assert run("led-bridge", "--site", "bad/site", "--port", "loop://") == 2
