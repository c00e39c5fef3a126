"""A centre's day as a file: who comes when, for what, how long they take, how clerks work.

The file is TOML (``server/simulation/days/*.toml``); ``load_day`` reads and checks it.
Fields the file does not list come at ``[arrivals] default_per_day`` a day and take their
``default_service_s`` on average, so a day file stays short for a centre of fifty fields.
"""

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from server.engine.model import ServiceConfig

DAYS_DIR = Path(__file__).parent / "days"

Distribution = Literal["lognormal", "exponential"]


@dataclass(frozen=True)
class FieldLoad:
    """One field's citizens: how many a day, and their service times (seconds)."""

    per_day: float
    mean_s: float
    sigma: float = 0.6  # of the lognormal's log: the long tail
    transfer_to: tuple[str, ...] = ()  # fields a transferred visit goes on to


@dataclass(frozen=True)
class Clerks:
    """How clerks work: the walk to the counter, recalls and no-shows, breaks."""

    walk_s: float = 30.0  # from the call to the citizen at the counter
    recall_after_s: float = 60.0
    no_show_after_s: float = 120.0  # from the first call
    break_s: float = 15 * 60.0
    breaks_per_session: int = 1
    # After a session's end, a counter keeps calling its line for this long.
    grace_s: float = 30 * 60.0


@dataclass(frozen=True)
class Day:
    """A simulated day's description (see ``server/simulation/days/hcm-main.toml``)."""

    site: str
    first_date: date
    # Local hour -> share of a field's day that comes in that hour (normalised).
    profile: Mapping[int, float]
    fields: Mapping[str, FieldLoad]
    default_per_day: float = 10.0
    priority_share: float = 0.06
    no_show_share: float = 0.05
    park_share: float = 0.02
    park_away_s: tuple[float, float] = (300.0, 900.0)
    transfer_share: float = 0.03
    distribution: Distribution = "lognormal"
    sla_s: float = 30 * 60.0  # the target wait the staffing figures count against
    clerks: Clerks = field(default_factory=Clerks)

    def load_of(self, service: ServiceConfig) -> FieldLoad:
        return self.fields.get(
            service.code, FieldLoad(self.default_per_day, float(service.default_service_s))
        )


class DayFileError(ValueError):
    """The day file is not valid; the message names what is wrong."""


def _share(value: object, name: str) -> float:
    if not isinstance(value, int | float) or not 0 <= value <= 1:
        raise DayFileError(f"{name} must be a number from 0 to 1, got {value!r}")
    return float(value)


def _positive(value: object, name: str) -> float:
    if not isinstance(value, int | float) or value < 0:
        raise DayFileError(f"{name} must be a number >= 0, got {value!r}")
    return float(value)


def parse_day(data: Mapping[str, Any]) -> Day:
    """A ``Day`` from a parsed TOML document; raises ``DayFileError``."""
    try:
        site = str(data["site"])
        arrivals = dict(data.get("arrivals", {}))
        raw_profile = dict(arrivals.pop("profile"))
    except KeyError as missing:
        raise DayFileError(f"missing key {missing}") from None
    profile = {int(h): _positive(v, f"profile.{h}") for h, v in raw_profile.items()}
    total = sum(profile.values())
    if total <= 0 or any(not 0 <= h <= 23 for h in profile):
        raise DayFileError("arrivals.profile needs hours 0-23 with a positive total")
    fields = {}
    for code, spec in dict(data.get("fields", {})).items():
        fields[code] = FieldLoad(
            per_day=_positive(spec.get("per_day", 0), f"fields.{code}.per_day"),
            mean_s=_positive(spec["mean_s"], f"fields.{code}.mean_s"),
            sigma=_positive(spec.get("sigma", 0.6), f"fields.{code}.sigma"),
            transfer_to=tuple(spec.get("transfer_to", ())),
        )
    clerks = dict(data.get("clerks", {}))
    distribution = str(data.get("distribution", "lognormal"))
    if distribution not in ("lognormal", "exponential"):
        raise DayFileError(f"distribution must be lognormal or exponential, not {distribution!r}")
    away = arrivals.get("park_away_s", (300, 900))
    return Day(
        site=site,
        first_date=date.fromisoformat(str(data.get("date", "2026-03-02"))),
        profile={h: v / total for h, v in profile.items()},
        fields=fields,
        default_per_day=_positive(arrivals.get("default_per_day", 10), "default_per_day"),
        priority_share=_share(arrivals.get("priority_share", 0.06), "priority_share"),
        no_show_share=_share(arrivals.get("no_show_share", 0.05), "no_show_share"),
        park_share=_share(arrivals.get("park_share", 0.02), "park_share"),
        park_away_s=(_positive(away[0], "park_away_s"), _positive(away[1], "park_away_s")),
        transfer_share=_share(arrivals.get("transfer_share", 0.03), "transfer_share"),
        distribution="exponential" if distribution == "exponential" else "lognormal",
        sla_s=60 * _positive(data.get("sla_min", 30), "sla_min"),
        clerks=Clerks(
            walk_s=_positive(clerks.get("walk_s", 30), "walk_s"),
            recall_after_s=_positive(clerks.get("recall_after_s", 60), "recall_after_s"),
            no_show_after_s=_positive(clerks.get("no_show_after_s", 120), "no_show_after_s"),
            break_s=60 * _positive(clerks.get("break_min", 15), "break_min"),
            breaks_per_session=int(clerks.get("breaks_per_session", 1)),
            grace_s=60 * _positive(clerks.get("grace_min", 30), "grace_min"),
        ),
    )


def load_day(path: Path) -> Day:
    with path.open("rb") as f:
        return parse_day(tomllib.load(f))


def default_day_file(site: str) -> Path:
    """The day file shipped for a site (``days/<site>.toml``)."""
    return DAYS_DIR / f"{site}.toml"
