"""The rules across a site file's parts, which no single key can break alone."""

from collections.abc import Iterable
from datetime import time
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from server.siteconfig.schema import WEEKDAYS, Session, SiteFile

Loc = tuple[str | int, ...]
# Where, then the reason in Vietnamese and in English.
Finding = tuple[Loc, str, str]


def check(doc: SiteFile) -> list[Finding]:
    """Every problem found, in file order of the parts; empty when the file holds."""
    out: list[Finding] = []
    try:
        ZoneInfo(doc.site.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        out.append((("site", "time_zone"), "múi giờ không tồn tại", "unknown time zone"))
    out += _unique("priority_categories", "code", [c.code for c in doc.priority_categories])
    out += _sessions(("sessions",), doc.sessions)
    out += _unique("holidays", "date", [h.date for h in doc.holidays])
    out += _unique("special_days", "date", [d.date for d in doc.special_days])
    holidays = {h.date for h in doc.holidays}
    for i, day in enumerate(doc.special_days):
        if day.date in holidays:
            out.append(
                (("special_days", i, "date"), "trùng với một ngày nghỉ", "is also a holiday")
            )
        out += _windows(("special_days", i, "sessions"), [(a, b) for a, b in day.sessions])
    out += _unique("areas", "id", [a.id for a in doc.areas])
    displays = [(i, j, d.id) for i, a in enumerate(doc.areas) for j, d in enumerate(a.displays)]
    seen_display: set[str] = set()
    for i, j, ident in displays:
        if ident in seen_display:
            out.append(
                (("areas", i, "displays", j, "id"), f"màn hình {ident} lặp lại",
                 f"display {ident} listed twice")
            )  # fmt: skip
        seen_display.add(ident)
    out += _unique("departments", "code", [d.code for d in doc.departments])
    out += _unique("fields", "code", [f.code for f in doc.fields])
    out += _fields(doc)
    out += _unique("counters", "id", [c.id for c in doc.counters])
    out += _unique("counters", "number", [c.number for c in doc.counters])
    out += _counters(doc)
    return out


def _unique(part: str, key: str, values: Iterable[object]) -> list[Finding]:
    seen: set[object] = set()
    out: list[Finding] = []
    for i, value in enumerate(values):
        if value in seen:
            out.append(((part, i, key), f"{value} lặp lại", f"{value} appears twice"))
        seen.add(value)
    return out


def _windows(loc: Loc, windows: list[tuple[str, str]]) -> list[Finding]:
    out: list[Finding] = []
    spans = sorted((time.fromisoformat(a), time.fromisoformat(b)) for a, b in windows)
    for a, b in spans:
        if a >= b:
            out.append((loc, f"buổi {a:%H:%M}-{b:%H:%M} kết thúc trước khi bắt đầu",
                        f"session {a:%H:%M}-{b:%H:%M} ends before it starts"))  # fmt: skip
    for (a1, b1), (a2, b2) in pairwise(spans):
        if a2 < b1:
            first, second = f"{a1:%H:%M}-{b1:%H:%M}", f"{a2:%H:%M}-{b2:%H:%M}"
            out.append((loc, f"buổi {first} chồng lên buổi {second}",
                        f"session {first} overlaps {second}"))  # fmt: skip
    return out


def _sessions(loc: Loc, sessions: list[Session]) -> list[Finding]:
    """Two sessions of one weekday must not overlap; named at the later session."""
    out: list[Finding] = []
    for i, session in enumerate(sessions):
        start, end = time.fromisoformat(session.start), time.fromisoformat(session.end)
        if start >= end:
            out.append(((*loc, i, "end"), "giờ kết thúc phải sau giờ bắt đầu",
                        "the end must come after the start"))  # fmt: skip
            continue
        for j, other in enumerate(sessions[:i]):
            o_start, o_end = time.fromisoformat(other.start), time.fromisoformat(other.end)
            shared = [d for d in session.days if d in other.days]
            if shared and start < o_end and o_start < end:
                day = shared[0]
                out.append(
                    ((*loc, i, "start"),
                     f"chồng lên buổi thứ {j + 1} ({other.start}-{other.end}) vào {_day_vi(day)}",
                     f"overlaps session {j + 1} ({other.start}-{other.end}) on {day}")
                )  # fmt: skip
    return out


def _day_vi(day: str) -> str:
    index = WEEKDAYS.index(day)
    return "Chủ nhật" if index == 6 else f"thứ {index + 2}"


def _fields(doc: SiteFile) -> list[Finding]:
    out: list[Finding] = []
    departments = {d.code for d in doc.departments}
    prefixes: dict[str, str] = {}
    blocks: list[tuple[int, int, str]] = []
    for i, f in enumerate(doc.fields):
        if f.department not in departments:
            out.append((("fields", i, "department"), f"không có phòng ban {f.department}",
                        f"no department {f.department}"))  # fmt: skip
        if f.numbers == "prefix":
            if f.prefix is None:
                out.append((("fields", i, "prefix"), "cần tiền tố số", "a prefix is needed"))
            elif f.prefix in prefixes:
                other = prefixes[f.prefix]
                out.append((("fields", i, "prefix"),
                            f"tiền tố {f.prefix} đã dùng cho lĩnh vực {other}",
                            f"prefix {f.prefix} is already used by field {other}"))  # fmt: skip
            else:
                prefixes[f.prefix] = f.code
        else:
            start = f.start if f.start is not None else 1001
            end = f.end if f.end is not None else start + 998
            if end < start:
                out.append((("fields", i, "end"), "số cuối nhỏ hơn số đầu",
                            "the last number is below the first"))  # fmt: skip
            for b_start, b_end, code in blocks:
                if start <= b_end and b_start <= end:
                    mine, theirs = f"{start}-{end}", f"{code} ({b_start}-{b_end})"
                    out.append((("fields", i, "start"),
                                f"dãy số {mine} trùng với lĩnh vực {theirs}",
                                f"numbers {mine} overlap field {theirs}"))  # fmt: skip
            blocks.append((start, end, f.code))
        if f.sessions is not None:
            out += _sessions(("fields", i, "sessions"), f.sessions)
    return out


def _counters(doc: SiteFile) -> list[Finding]:
    out: list[Finding] = []
    areas = {a.id for a in doc.areas}
    fields = {f.code for f in doc.fields}
    for i, c in enumerate(doc.counters):
        if c.area not in areas:
            out.append((("counters", i, "area"), f"không có khu {c.area}", f"no area {c.area}"))
        for code in c.fields:
            if code not in fields:
                out.append((("counters", i, "fields"), f"không có lĩnh vực {code}",
                            f"no field {code}"))  # fmt: skip
        if len(set(c.fields)) != len(c.fields):
            out.append((("counters", i, "fields"), "một lĩnh vực ghi hai lần",
                        "a field is listed twice"))  # fmt: skip
        for code in c.weights:
            if code not in c.fields:
                out.append((("counters", i, "weights"),
                            f"trọng số cho lĩnh vực {code} mà quầy không phục vụ",
                            f"a weight for field {code}, not served here"))  # fmt: skip
    return out
