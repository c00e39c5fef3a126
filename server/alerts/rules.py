"""The alert rules: which conditions hold in a hall now, given the site's thresholds.

A condition has a stable ``key`` (its kind and subject) so that the same trouble seen on
the next evaluation is the same alert, not a new one: the log raises it once and clears it
when the key is no longer among the conditions.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal

PaperRule = Literal["low", "out", "off"]

# Device kinds the hall's visitors look at: their silence is its own alert.
HALL_FACING = frozenset({"display", "led"})


class AlertKind(StrEnum):
    WAIT_OVER_TARGET = "wait_over_target"
    UNATTENDED = "unattended"  # people waiting in a field with no open counter
    PAPER = "paper"
    DEVICE_SILENT = "device_silent"
    COUNTER_PAUSED = "counter_paused"
    DISPLAY_DISCONNECTED = "display_disconnected"


@dataclass(frozen=True)
class AlertRules:
    """A site's thresholds (the ``[alerts]`` table of its file); each rule can be off."""

    wait_over_target: bool = True
    unattended: bool = True
    paper: PaperRule = "low"  # "low": low or out; "out": only out; "off"
    device_silent: bool = True
    # A paused counter whose fields have a queue, after this many minutes (0: off).
    paused_over_min: int = 15
    display_disconnected: bool = True


@dataclass(frozen=True)
class FieldLive:
    code: str
    name: str
    waiting: int
    longest_wait_s: int
    target_s: int | None
    counters_open: int
    name_en: str = ""

    @property
    def english(self) -> str:
        return self.name_en or self.name


@dataclass(frozen=True)
class CounterLive:
    id: str
    number: int
    state: str  # open, serving, paused, closed
    since: datetime | None  # when it came into this state, when known
    fields: tuple[str, ...]


@dataclass(frozen=True)
class DeviceLive:
    id: str
    kind: str
    name: str
    silent: bool
    printer: str | None


@dataclass(frozen=True)
class Condition:
    """One alert condition that holds now, worded for the supervisor (vi, en)."""

    kind: AlertKind
    subject: str
    vi: str
    en: str

    @property
    def key(self) -> str:
        return f"{self.kind.value}:{self.subject}"


def _minutes(seconds: float) -> int:
    return int(seconds // 60)


def evaluate(
    rules: AlertRules,
    fields: list[FieldLive],
    counters: list[CounterLive],
    devices: list[DeviceLive],
    now: datetime,
) -> list[Condition]:
    """Every condition that holds now, in a stable order (fields, counters, devices)."""
    out: list[Condition] = []
    waiting = {f.code: f.waiting for f in fields}
    for f in fields:
        if (
            rules.wait_over_target
            and f.waiting
            and f.target_s is not None
            and f.longest_wait_s > f.target_s
        ):
            m, target = _minutes(f.longest_wait_s), _minutes(f.target_s)
            out.append(
                Condition(
                    AlertKind.WAIT_OVER_TARGET,
                    f.code,
                    f"{f.name}: có người đã chờ {m} phút (mục tiêu {target} phút)",
                    f"{f.english}: someone has waited {m} min (target {target} min)",
                )
            )
        if rules.unattended and f.waiting and f.counters_open == 0:
            out.append(
                Condition(
                    AlertKind.UNATTENDED,
                    f.code,
                    f"{f.name}: {f.waiting} người đang chờ, không quầy nào mở",
                    f"{f.english}: {f.waiting} waiting, no counter open",
                )
            )
    if rules.paused_over_min:
        limit = rules.paused_over_min * 60
        for c in counters:
            if c.state != "paused" or c.since is None:
                continue
            paused_s = (now - c.since).total_seconds()
            queued = sum(waiting.get(code, 0) for code in c.fields)
            if paused_s > limit and queued:
                m = _minutes(paused_s)
                out.append(
                    Condition(
                        AlertKind.COUNTER_PAUSED,
                        c.id,
                        f"Quầy {c.number} tạm nghỉ {m} phút, {queued} người đang chờ",
                        f"Counter {c.number} paused for {m} min, {queued} waiting",
                    )
                )
    for d in devices:
        if d.silent:
            hall = d.kind in HALL_FACING
            if hall and rules.display_disconnected:
                out.append(
                    Condition(
                        AlertKind.DISPLAY_DISCONNECTED,
                        d.id,
                        f"Mất kết nối: {d.name}",
                        f"Disconnected: {d.name}",
                    )
                )
            elif not hall and rules.device_silent:
                out.append(
                    Condition(
                        AlertKind.DEVICE_SILENT,
                        d.id,
                        f"Thiết bị không phản hồi: {d.name}",
                        f"Device silent: {d.name}",
                    )
                )
            continue  # a silent device's last paper state is not live
        paper_alert = (d.printer == "paper_out" and rules.paper in ("low", "out")) or (
            d.printer == "paper_low" and rules.paper == "low"
        )
        if paper_alert:
            out_of = d.printer == "paper_out"
            out.append(
                Condition(
                    AlertKind.PAPER,
                    d.id,
                    f"{d.name}: {'hết giấy' if out_of else 'sắp hết giấy'}",
                    f"{d.name}: {'paper out' if out_of else 'paper low'}",
                )
            )
    return out
