"""The site's names for its fields and priority categories, in the clerk's language.

Read once from the kiosk menu (``GET /sites/{site}/services``); a field the menu does
not know (yet) is named from the live snapshot's waiting counts, else by its code, so
the screen never shows a blank.
"""

from collections.abc import Sequence

from counter.texts import text
from server.contract.http import MenuOut, PriorityCategory, ServiceOut
from server.contract.messages import ServiceWaiting
from server.contract.vocab import APPOINTMENT_PRIORITY


class SiteNames:
    def __init__(self, language: str = "vi") -> None:
        self.language = language
        self.services: dict[str, ServiceOut] = {}
        self.priorities: dict[str, PriorityCategory] = {}

    def load(self, menu: MenuOut) -> None:
        self.services = {s.code: s for d in menu.departments for s in d.services}
        self.priorities = {p.code: p for p in menu.priority_categories}

    def service(self, code: str, live: Sequence[ServiceWaiting] = ()) -> str:
        """A field's name from the menu, else from the live snapshot, else its code."""
        named: ServiceOut | ServiceWaiting | None = self.services.get(code)
        if named is None:
            named = next((w for w in live if w.code == code), None)
        if named is None:
            return code
        return named.name_en if self.language == "en" else named.name_vi

    def priority(self, code: str) -> str:
        """The priority category's name ("Người cao tuổi"), else its code. An appointment's
        ticket carries a priority no site lists among its categories: the counter names it."""
        category = self.priorities.get(code)
        if category is None:
            return text("appointment", self.language) if code == APPOINTMENT_PRIORITY else code
        return category.name_en if self.language == "en" else category.name_vi
