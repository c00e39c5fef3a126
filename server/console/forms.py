"""Reading posted form values with messages in the visitor's language."""

from datetime import date, time
from typing import Any

from server.console.texts import text
from server.siteconfig import SiteFileError


class FormErrors:
    """Collects one message per bad value: "<label>: <reason>" in the visitor's language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.messages: list[str] = []

    def add(self, label_key: str, reason_key: str) -> None:
        self.messages.append(f"{text(label_key, self.lang)}: {text(reason_key, self.lang)}")

    def from_site_file(self, exc: SiteFileError) -> None:
        """The checks a site file gets, said in the visitor's language."""
        for p in exc.problems:
            reason = p.reason_en if self.lang == "en" else p.reason_vi
            self.messages.append(f"{p.key}: {reason}" if p.key else reason)

    def __bool__(self) -> bool:
        return bool(self.messages)


def string(form: dict[str, Any], name: str, errors: FormErrors, *, required: bool = True) -> str:
    value = str(form.get(name, "")).strip()
    if required and not value:
        errors.add(name, "err_required")
    return value


def integer(
    form: dict[str, Any],
    name: str,
    errors: FormErrors,
    *,
    low: int = 0,
    high: int = 1_000_000,
    optional: bool = False,
    label: str = "",
) -> int | None:
    raw = str(form.get(name, "")).strip()
    label = label or name
    if not raw:
        if not optional:
            errors.add(label, "err_required")
        return None
    try:
        value = int(raw)
    except ValueError:
        errors.add(label, "err_integer")
        return None
    if not low <= value <= high:
        errors.add(label, "err_range")
        return None
    return value


def day(form: dict[str, Any], name: str, errors: FormErrors) -> date | None:
    try:
        return date.fromisoformat(str(form.get(name, "")).strip())
    except ValueError:
        errors.add(name, "err_date")
        return None


def clock(form: dict[str, Any], name: str, errors: FormErrors, *, label: str = "") -> time | None:
    raw = str(form.get(name, "")).strip()
    if len(raw) == len("HH:MM"):
        try:
            return time.fromisoformat(raw)
        except ValueError:
            pass
    errors.add(label or name, "err_time")
    return None


def checked(form: dict[str, Any], name: str) -> bool:
    return name in form


def many(form: dict[str, Any], name: str) -> list[str]:
    value = form.get(name, [])
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]
