"""The virtual printer: PNG + .bin per ticket, faults from the URL and at run time."""

import threading

import pytest
from PIL import Image, ImageChops

from hardware.ports import DeviceConfigError, PrintError, PrinterStatus, TicketPrinter
from hardware.printer import VirtualPrinter, open_printer, render_ticket
from hardware.sim.escpos_printer import EscposPrinterSim


def test_saves_png_and_the_exact_bytes(ticket, tmp_path):
    printer = open_printer(f"virtual://{tmp_path}")
    assert isinstance(printer, TicketPrinter)
    assert printer.status() is PrinterStatus.OK
    printer.print_ticket(ticket)
    [png] = sorted(tmp_path.glob("*.png"))
    [binary] = sorted(tmp_path.glob("*.bin"))
    assert png.stem == binary.stem and png.stem.endswith("-1023")
    with Image.open(png) as saved:
        assert (
            ImageChops.difference(saved.convert("L"), render_ticket(ticket).convert("L")).getbbox()
            is None
        )
    sim = EscposPrinterSim()
    sim.feed(binary.read_bytes())
    assert len(sim.finished) == 1
    assert not list(tmp_path.glob("*.part"))


def test_images_print_too_and_names_never_collide(ticket, tmp_path):
    printer = VirtualPrinter(tmp_path)
    threads = [threading.Thread(target=printer.print_ticket, args=(ticket,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    printer.print_ticket(Image.new("1", (576, 40), 1))
    assert len(set(tmp_path.glob("*.png"))) == 5
    assert printer.printed[-1].stem.endswith("-image")


@pytest.mark.parametrize("fault", ["paper_out", "cover_open", "offline"])
def test_fault_from_url_refuses_to_print(ticket, tmp_path, fault):
    printer = open_printer(f"virtual://{tmp_path}?fault={fault}")
    assert printer.status() == fault
    with pytest.raises(PrintError) as err:
        printer.print_ticket(ticket)
    assert err.value.status == fault
    assert err.value.message_vi.startswith("Máy in") or "Nắp" in err.value.message_vi
    assert not list(tmp_path.glob("*.png"))


def test_fault_flips_at_run_time_and_recovers(ticket, tmp_path):
    printer = VirtualPrinter(tmp_path)
    printer.set_fault("paper_low")
    printer.print_ticket(ticket)  # paper low still prints
    assert printer.status() is PrinterStatus.PAPER_LOW
    printer.set_fault(PrinterStatus.PAPER_OUT)
    with pytest.raises(PrintError, match="out of paper"):
        printer.print_ticket(ticket)
    printer.set_fault("ok")
    printer.print_ticket(ticket)
    assert len(printer.printed) == 2


def test_delay_makes_the_print_wait(ticket, tmp_path, monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr("hardware.printer.virtual.time.sleep", slept.append)
    printer = open_printer(f"virtual://{tmp_path}?delay=0.25")
    printer.print_ticket(ticket)
    assert slept == [0.25]
    with pytest.raises(ValueError):
        printer.set_delay(-1)


def test_unwritable_folder_is_offline(ticket, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    printer = VirtualPrinter(blocker / "sub")
    assert printer.status() is PrinterStatus.OFFLINE
    with pytest.raises(PrintError):
        printer.print_ticket(ticket)


@pytest.mark.parametrize(
    "url",
    [
        "virtual://",
        "virtual:///tmp/x?fault=jammed",
        "virtual:///tmp/x?delay=soon",
        "virtual:///tmp/x?delay=-1",
    ],
)
def test_bad_virtual_urls(url):
    with pytest.raises(DeviceConfigError):
        open_printer(url)


def test_a_printer_without_a_vietnamese_font_is_refused_at_start(tmp_path, monkeypatch):
    from hardware.printer import fonts

    monkeypatch.setattr(fonts, "font_dirs", lambda: [tmp_path])
    fonts.find_fonts.cache_clear()
    try:
        with pytest.raises(DeviceConfigError, match="Vietnamese"):
            open_printer(f"virtual://{tmp_path}/out")
    finally:
        fonts.find_fonts.cache_clear()


@pytest.mark.parametrize(
    ("url", "under_cwd"),
    [
        ("virtual://./var/tickets", "var/tickets"),
        ("virtual:///./var/tickets", "var/tickets"),
        ("virtual:///./var/tickets?fault=paper_low", "var/tickets"),
        ("virtual://var/tickets", "var/tickets"),
        ("virtual:///../out", "../out"),
        ("virtual://./my%20tickets", "my tickets"),
    ],
)
def test_relative_folders_are_under_the_working_directory(url, under_cwd, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    printer = open_printer(url)
    assert isinstance(printer, VirtualPrinter)
    assert printer.directory == tmp_path / under_cwd
    assert printer.directory.is_absolute()


def test_a_relative_folder_is_fixed_when_the_url_is_read(ticket, tmp_path, monkeypatch):
    (tmp_path / "start").mkdir()
    monkeypatch.chdir(tmp_path / "start")
    printer = open_printer("virtual:///./var/tickets")
    monkeypatch.chdir(tmp_path)
    printer.print_ticket(ticket)
    assert len(list((tmp_path / "start" / "var" / "tickets").glob("*.png"))) == 1
    assert printer.url == f"virtual://{tmp_path / 'start' / 'var' / 'tickets'}"


@pytest.mark.parametrize("url", ["virtual:///srv/qms/tickets", "virtual:///.hidden/tickets"])
def test_absolute_folders_stay_absolute(url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    printer = open_printer(url)
    assert isinstance(printer, VirtualPrinter)
    assert str(printer.directory) == url.removeprefix("virtual://")
