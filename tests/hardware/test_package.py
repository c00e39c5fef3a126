"""Package-wide rules: no Qt anywhere in hardware/, and no escpos import until a printer is used."""

import ast
import subprocess
import sys
from pathlib import Path

import hardware

ROOT = Path(hardware.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_qt_in_the_hardware_layer():
    for path in ROOT.rglob("*.py"):
        assert not {m for m in imported_modules(path) if m.split(".")[0] == "PySide6"}, path


def test_only_the_contract_of_the_server():
    for path in ROOT.rglob("*.py"):
        server = {m for m in imported_modules(path) if m.split(".")[0] == "server"}
        assert all(m.startswith("server.contract") for m in server), path


def test_importing_drivers_does_not_load_escpos():
    """escpos calls logging.basicConfig() on import: it must not pre-empt the app's logging."""
    code = (
        "import sys, hardware.printer, hardware.registry, hardware.cli, hardware.led_bridge, "
        "hardware.bus, hardware.scanner; "
        "assert 'escpos' not in sys.modules, 'escpos loaded'; "
        "assert 'PySide6' not in sys.modules, 'Qt loaded'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
