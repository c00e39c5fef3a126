"""What the terminal remembers between starts: the server, site, counter and last user.

A small JSON file under the data directory (``$QMS_DATA_DIR`` or the XDG data
home), so a counter PC comes back to its own counter after a reboot. A damaged
file is logged and ignored, never a reason not to start.
"""

import json
import logging
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FILE_NAME = "counter-terminal.json"
TOKEN_ENV = "QMS_COUNTER_TOKEN"  # noqa: S105 - the name of a variable, not a secret


def default_data_dir() -> Path:
    explicit = os.environ.get("QMS_DATA_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "qms"


@dataclass(frozen=True, slots=True)
class TerminalSettings:
    server: str = "http://127.0.0.1:8080"
    mqtt: str = "mqtt://127.0.0.1:1883"
    site: str = "hcm-main"
    counter: str | None = None
    username: str = ""
    language: str = "vi"


class SettingsStore:
    """Loads and saves ``TerminalSettings`` as JSON in one file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def in_dir(cls, data_dir: Path) -> "SettingsStore":
        return cls(data_dir / FILE_NAME)

    def load(self) -> TerminalSettings:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return TerminalSettings()
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable counter settings %s: %s", self.path, exc)
            return TerminalSettings()
        if not isinstance(raw, dict):
            log.warning("ignoring counter settings %s: not a JSON object", self.path)
            return TerminalSettings()
        known = {name: raw[name] for name in TerminalSettings.__dataclass_fields__ if name in raw}
        defaults = TerminalSettings()
        values: dict[str, Any] = {
            name: value
            for name, value in known.items()
            if isinstance(value, str) or (name == "counter" and value is None)
        }
        return replace(defaults, **values)

    def save(self, settings: TerminalSettings) -> None:
        """Write atomically (temp file then rename) so a power cut never leaves half a file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(settings), ensure_ascii=False, indent=2), encoding="utf-8")
        tmp.replace(self.path)
