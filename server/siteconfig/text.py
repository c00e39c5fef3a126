"""Reading a site file with errors that name the line, and writing one the same way each time.

``render`` writes keys in schema order and leaves out what is empty, so export, import,
export gives the same bytes. ``parse`` refuses the whole file at the first kind of
problem (TOML syntax, then the schema, then the rules across parts), never a part of it.
"""

import json
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError

from server.siteconfig.checks import Loc, check
from server.siteconfig.convert import from_definition, to_definition
from server.siteconfig.definition import SiteDefinition
from server.siteconfig.schema import SiteFile

HEADER = "# qms-hall site file (schema: docs/configuration.md)\n"
_KEY = re.compile(r'^\s*("[^"]*"|[A-Za-z0-9_-]+)\s*=')
_LINE = re.compile(r"at line (\d+)")
WRAP = 96  # longer inline arrays go one item a line


@dataclass(frozen=True)
class Problem:
    """One reason a file was refused: where (line, key path) and why, in both languages."""

    line: int | None
    key: str
    reason_vi: str
    reason_en: str

    def describe(self, source: str = "") -> str:
        where = f"{source}:{self.line}" if self.line is not None else source or "?"
        key = f" {self.key}:" if self.key else ""
        return f"{where}:{key} {self.reason_vi} ({self.reason_en})"


class SiteFileError(ValueError):
    """A site file that does not fit; nothing of it was applied."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.describe() for p in problems))
        self.problems = problems


# ---- reading ---------------------------------------------------------------------


def parse(text: str) -> tuple[SiteFile, SiteDefinition]:
    """The document and the engine values it stands for, or a ``SiteFileError``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _LINE.search(str(exc))
        raise SiteFileError(
            [Problem(int(found.group(1)) if found else None, "", "sai cú pháp TOML", str(exc))]
        ) from None
    places = _places(text)
    try:
        doc = SiteFile.model_validate(data)
    except ValidationError as exc:
        raise SiteFileError([_from_pydantic(err, places) for err in exc.errors()]) from None
    return doc, validated(doc, places)


def validated(doc: SiteFile, places: dict[Loc, int] | None = None) -> SiteDefinition:
    """The definition of a document that also keeps the rules across its parts."""
    findings = check(doc)
    if findings:
        places = places if places is not None else _places(render_file(doc))
        raise SiteFileError(
            [Problem(_line(loc, places), _key(loc), vi, en) for loc, vi, en in findings]
        )
    return to_definition(doc)


def document(definition: SiteDefinition) -> SiteFile:
    """The file of a definition built in code (a console form): a value no file could hold
    is refused like a file's, by its key."""
    try:
        return from_definition(definition)
    except ValidationError as exc:
        raise SiteFileError([_from_pydantic(err, {}) for err in exc.errors()]) from None


def _places(text: str) -> dict[Loc, int]:
    """Each table and key of the text -> its line (1-based)."""
    places: dict[Loc, int] = {}
    current: Loc = ()
    counts: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("[["):
            name = stripped[2 : stripped.find("]]")].strip()
            counts[name] = counts.get(name, -1) + 1
            current = (name, counts[name])
            places.setdefault(current, number)
        elif stripped.startswith("["):
            current = (stripped[1 : stripped.find("]")].strip(),)
            places.setdefault(current, number)
        else:
            found = _KEY.match(line)
            if found:
                places.setdefault((*current, found.group(1).strip('"')), number)
    return places


def _line(loc: Loc, places: dict[Loc, int]) -> int | None:
    for end in range(len(loc), 0, -1):
        if loc[:end] in places:
            return places[loc[:end]]
    return None


def _key(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


_VI = {
    "extra_forbidden": "khóa không có trong lược đồ",
    "missing": "thiếu khóa bắt buộc",
    "string_pattern_mismatch": "giá trị không đúng dạng",
    "literal_error": "giá trị không được chấp nhận",
    "int_parsing": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "bool_type": "phải là true hoặc false",
    "string_type": "phải là chuỗi ký tự",
    "greater_than_equal": "giá trị quá nhỏ",
    "less_than_equal": "giá trị quá lớn",
    "too_short": "không được để trống",
    "string_too_short": "không được để trống",
    "date_type": "phải là ngày (YYYY-MM-DD)",
    "date_from_datetime_parsing": "phải là ngày (YYYY-MM-DD)",
}


def _from_pydantic(err: Any, places: dict[Loc, int]) -> Problem:
    loc: Loc = tuple(err["loc"])
    kind = err["type"]
    reason_en = "unknown key" if kind == "extra_forbidden" else err["msg"]
    return Problem(_line(loc, places), _key(loc), _VI.get(kind, "giá trị không hợp lệ"), reason_en)


# ---- writing ---------------------------------------------------------------------


def render(definition: SiteDefinition) -> str:
    return render_file(document(definition))


def render_file(doc: SiteFile) -> str:
    parts = [HEADER, f"schema_version = {doc.schema_version}\n"]
    for name in type(doc).model_fields:
        if name == "schema_version":
            continue
        value = getattr(doc, name)
        if isinstance(value, BaseModel):
            parts.append(f"\n[{name}]\n{_table(value)}")
        else:
            parts.extend(f"\n[[{name}]]\n{_table(item)}" for item in value)
    return "".join(parts)


def _table(model: BaseModel) -> str:
    lines = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        if value is None or value in ([], {}):
            continue
        lines.append(f"{_bare(name)} = {_value(value, multiline=True)}\n")
    return "".join(lines)


def _bare(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _string(key)


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _value(value: object, *, multiline: bool = False) -> str:  # noqa: PLR0911 - a branch a type
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, BaseModel):
        inner = ", ".join(
            f"{_bare(k)} = {_value(getattr(value, k))}"
            for k in type(value).model_fields
            if getattr(value, k) is not None
        )
        return f"{{ {inner} }}"
    if isinstance(value, dict):
        inner = ", ".join(f"{_bare(str(k))} = {_value(v)}" for k, v in value.items())
        return f"{{ {inner} }}"
    if isinstance(value, list | tuple):
        items = [_value(v) for v in value]
        inline = f"[{', '.join(items)}]"
        if not multiline or len(inline) <= WRAP:
            return inline
        return "[\n" + "".join(f"  {item},\n" for item in items) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to a site file")
