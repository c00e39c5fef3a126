"""Real python-escpos transports against the printer simulator: TCP on 127.0.0.1, a pty, a file."""

import socket

import pytest

from hardware.ports import DeviceConfigError, PrintError, PrinterStatus
from hardware.printer import EscposPrinter, open_printer, render_ticket
from hardware.printer.escpos_output import ticket_bytes
from hardware.sim.escpos_printer import EscposPrinterSim, PtyPrinter, TcpPrinterServer
from tests.hardware.waiting import wait_until


@pytest.fixture
def tcp_printer():
    server = TcpPrinterServer().start()
    yield server
    server.stop()


def test_tcp_prints_after_asking_status(tcp_printer, ticket):
    printer = open_printer(tcp_printer.url)
    printer.print_ticket(ticket)
    assert wait_until(lambda: tcp_printer.sim.finished)
    assert tcp_printer.sim.queries == [1, 2, 3, 4]
    [paper] = tcp_printer.sim.finished
    assert paper.image().size == render_ticket(ticket).size


@pytest.mark.parametrize("fault", [PrinterStatus.PAPER_OUT, PrinterStatus.COVER_OPEN])
def test_tcp_refuses_when_the_printer_says_no(tcp_printer, ticket, fault):
    tcp_printer.sim.status = fault
    printer = open_printer(tcp_printer.url)
    assert printer.status() is fault
    with pytest.raises(PrintError) as err:
        printer.print_ticket(ticket)
    assert err.value.status is fault
    assert tcp_printer.sim.finished == []


def test_tcp_paper_low_still_prints(tcp_printer, ticket):
    tcp_printer.sim.status = PrinterStatus.PAPER_LOW
    printer = open_printer(tcp_printer.url)
    assert printer.status() is PrinterStatus.PAPER_LOW
    printer.print_ticket(ticket)
    assert wait_until(lambda: tcp_printer.sim.finished)


def test_silent_printer_is_offline_not_out_of_paper(tcp_printer, ticket):
    tcp_printer.sim.answers = False
    printer = open_printer(tcp_printer.url + "?timeout=2")
    assert printer.status() is PrinterStatus.OFFLINE
    with pytest.raises(PrintError, match="offline"):
        printer.print_ticket(ticket)


def test_nobody_listening_is_offline(ticket):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    printer = open_printer(f"tcp://127.0.0.1:{port}")
    assert printer.status() is PrinterStatus.OFFLINE
    with pytest.raises(PrintError) as err:
        printer.print_ticket(ticket)
    assert err.value.status is PrinterStatus.OFFLINE


def test_serial_printer_on_a_pty(ticket):
    device = PtyPrinter()
    try:
        printer = open_printer(device.url)
        assert printer.status() is PrinterStatus.OK
        printer.print_ticket(ticket)
        assert wait_until(lambda: device.sim.finished)
        assert len(device.sim.finished) == 1
        device.sim.status = PrinterStatus.PAPER_OUT
        assert printer.status() is PrinterStatus.PAPER_OUT
    finally:
        device.close()


def test_serial_port_missing_is_offline(tmp_path, ticket):
    printer = open_printer(f"serial://{tmp_path}/ttyNONE")
    assert printer.status() is PrinterStatus.OFFLINE
    with pytest.raises(PrintError):
        printer.print_ticket(ticket)


def test_file_printer_writes_the_bytes(tmp_path, ticket):
    target = tmp_path / "lp0"
    printer = open_printer(f"file://{target}?cut=full")
    assert isinstance(printer, EscposPrinter)
    assert printer.status() is PrinterStatus.OK
    printer.print_ticket(ticket)
    assert target.read_bytes() == ticket_bytes(render_ticket(ticket), cut="FULL")
    sim = EscposPrinterSim()
    sim.feed(target.read_bytes())
    assert len(sim.finished) == 1


@pytest.mark.parametrize("url", ["file://./lp0", "file:///./lp0", "file://lp0"])
def test_a_relative_file_printer_is_under_the_working_directory(url, tmp_path, ticket, monkeypatch):
    """``file://./lp0`` once wrote to ``/lp0``: the parser read ``.`` as a host name."""
    monkeypatch.chdir(tmp_path)
    printer = open_printer(url)
    monkeypatch.chdir("/")  # fixed when the URL was read
    printer.print_ticket(ticket)
    assert (tmp_path / "lp0").read_bytes() == ticket_bytes(render_ticket(ticket), cut="PART")


def test_file_printer_in_a_missing_folder_is_offline(tmp_path, ticket):
    printer = open_printer(f"file://{tmp_path}/no/such/dir/lp0")
    assert printer.status() is PrinterStatus.OFFLINE
    with pytest.raises(PrintError):
        printer.print_ticket(ticket)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("lpt://1", "unknown printer URL"),
        ("tcp://:9100", "needs a host"),
        ("tcp://10.0.0.5?timeout=soon", "not a number"),
        ("serial://", "needs a device path"),
        ("serial:///dev/ttyUSB0?baudrate=-5", "negative"),
        ("usb://zz:01", "VID:PID"),
        ("usb://04b8", "VID:PID"),
        ("file://", "needs a path"),
        ("cups://", "queue name"),
        ("tcp://10.0.0.5?cut=half", "cut must be"),
    ],
)
def test_bad_urls_are_refused_at_once(url, message):
    with pytest.raises(DeviceConfigError, match=message):
        open_printer(url)


FAKE_LPSTAT = """#!/bin/sh
case "$1" in
  -e) echo kiosk1 ;;
  -v) echo "device for kiosk1: usb://EPSON/TM-T20" ;;
  -d) echo "system default destination: kiosk1" ;;
  -p) [ "$2" = kiosk1 ] || exit 1
      if [ -f "$QMS_FAKE_CUPS/disabled" ]; then echo "printer kiosk1 disabled since today"
      else echo "printer kiosk1 is idle.  enabled since today"; fi ;;
esac
"""
FAKE_LP = """#!/bin/sh
cat > "$QMS_FAKE_CUPS/job-$$.bin"
"""


@pytest.fixture
def fake_cups(tmp_path, monkeypatch):
    """``lp`` and ``lpstat`` stand-ins that keep jobs as files, first on PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in (("lpstat", FAKE_LPSTAT), ("lp", FAKE_LP)):
        script = bin_dir / name
        script.write_text(text)
        script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setenv("QMS_FAKE_CUPS", str(tmp_path))
    return tmp_path


def test_cups_queue_prints_and_reports_disabled(fake_cups, ticket):
    printer = open_printer("cups://kiosk1")
    assert printer.status() is PrinterStatus.OK
    assert not list(fake_cups.glob("job-*"))  # asking status printed nothing
    printer.print_ticket(ticket)
    [job] = fake_cups.glob("job-*.bin")
    assert job.read_bytes().startswith(ticket_bytes(render_ticket(ticket)))
    (fake_cups / "disabled").touch()
    assert printer.status() is PrinterStatus.OFFLINE
    with pytest.raises(PrintError):
        printer.print_ticket(ticket)
    assert open_printer("cups://no-such-queue").status() is PrinterStatus.OFFLINE


def test_any_driver_failure_to_open_is_offline(ticket):
    def broken_driver():
        raise ValueError("No backend available")  # what pyusb says without libusb

    printer = EscposPrinter("usb://04b8:0202", broken_driver)
    assert printer.status() is PrinterStatus.OFFLINE
    with pytest.raises(PrintError, match="No backend"):
        printer.print_ticket(ticket)


def test_a_usb_printer_that_is_not_plugged_in_is_offline(ticket):
    """The real python-escpos + pyusb path: no such device on this machine."""
    printer = open_printer("usb://04b8:0e15")
    assert printer.status() is PrinterStatus.OFFLINE
    with pytest.raises(PrintError):
        printer.print_ticket(ticket)
