"""Site configuration as a whole: export, import with a diff first, and the one way every
change (a file, a console form) is applied: checked, written in one transaction with its
audit record, then republished so kiosks, boards and counters show it at once."""

import difflib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from server.projection.effects import Effects
from server.service import errors
from server.service.core import ServiceCore
from server.siteconfig import SiteDefinition, SiteFileError, parse, render
from server.siteconfig.convert import from_definition
from server.siteconfig.schema import SiteFile
from server.siteconfig.text import document, validated
from server.storage import audit
from server.storage.models import SiteRow
from server.storage.site_store import read_definition, write_definition


@dataclass(frozen=True)
class Plan:
    """What an import would do: the site, whether it is new, and the diff to show."""

    site: str
    new: bool
    diff: str
    definition: SiteDefinition

    @property
    def changes(self) -> bool:
        return bool(self.diff)


@dataclass(frozen=True)
class SiteSummary:
    id: str
    name: str
    name_en: str
    config_version: int


# The parts of a file whose items have a key, and that key.
_KEYS = {
    "priority_categories": "code",
    "sessions": None,
    "holidays": "date",
    "special_days": "date",
    "areas": "id",
    "departments": "code",
    "fields": "code",
    "counters": "id",
}


def changes(old: SiteFile | None, new: SiteFile) -> tuple[dict[str, Any], dict[str, Any]]:
    """The items that differ, as ``part/key -> item`` before and after (for the audit)."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    old_data = old.model_dump(mode="json") if old is not None else {}
    new_data = new.model_dump(mode="json")
    for part in ("site", "rules"):
        a, b = old_data.get(part, {}), new_data[part]
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                before[f"{part}/{key}"], after[f"{part}/{key}"] = a.get(key), b.get(key)
    for part, key in _KEYS.items():
        a_items, b_items = old_data.get(part, []), new_data[part]
        if key is None:
            if a_items != b_items:
                before[part], after[part] = a_items, b_items
            continue
        a_by = {str(i[key]): i for i in a_items}
        b_by = {str(i[key]): i for i in b_items}
        for ident in [*a_by, *(k for k in b_by if k not in a_by)]:
            if a_by.get(ident) != b_by.get(ident):
                before[f"{part}/{ident}"] = a_by.get(ident)
                after[f"{part}/{ident}"] = b_by.get(ident)
    return before, after


class SiteConfigs:
    """Read, check and apply whole site configurations."""

    def __init__(self, core: ServiceCore) -> None:
        self.core = core

    def sites(self) -> list[SiteSummary]:
        """Every site, by id, with its names and configuration version."""
        with self.core.db.read() as session:
            rows = session.scalars(select(SiteRow).order_by(SiteRow.id))
            return [SiteSummary(r.id, r.name, r.name_en, r.config_version) for r in rows]

    def definition(self, site_id: str) -> SiteDefinition:
        with self.core.db.read() as session:
            found = read_definition(session, site_id)
        if found is None:
            raise errors.unknown_site(site_id)
        return found

    def export(self, site_id: str) -> str:
        return render(self.definition(site_id))

    def plan(self, text: str) -> Plan:
        """Check a file (``SiteFileError`` names each problem) and diff it with the site."""
        _doc, definition = parse(text)
        site_id = definition.site.id
        with self.core.db.read() as session:
            current = read_definition(session, site_id)
        old = render(current).splitlines(keepends=True) if current is not None else []
        new = render(definition).splitlines(keepends=True)
        diff = "".join(difflib.unified_diff(old, new, f"{site_id} (now)", f"{site_id} (file)", n=2))
        return Plan(site_id, current is None, diff, definition)

    def apply(
        self, definition: SiteDefinition, *, actor: str, action: str, target: str = ""
    ) -> int:
        """Check ``definition`` as a file would be checked, write it and its audit record
        in one transaction, then republish the site; returns the new config version.
        Nothing is written when a check fails (``SiteFileError``)."""
        doc = document(definition)
        definition = validated(doc)
        site_id = definition.site.id
        now = self.core.clock()
        with self.core.db.write() as session:
            current = read_definition(session, site_id)
            old = from_definition(current) if current is not None else None
            before, after = changes(old, doc)
            if old is not None and not after and not before:
                return self._version(session, site_id)
            version = write_definition(session, definition, now=now)
            audit.record(
                session,
                at=now,
                actor=actor,
                site=site_id,
                action=action,
                target=target or site_id,
                before=before,
                after=after,
            )
        self.core.projector.publish(site_id, Effects(everything=True))
        return version

    def import_text(self, text: str, *, actor: str) -> tuple[Plan, int]:
        plan = self.plan(text)
        return plan, self.apply(plan.definition, actor=actor, action="site.import")

    @staticmethod
    def _version(session: Any, site_id: str) -> int:
        row = session.get(SiteRow, site_id)
        return int(row.config_version) if row is not None else 0


__all__ = ["Plan", "SiteConfigs", "SiteFileError", "changes"]
