"""The console's navigation, built from one list: a page family adds its entry here.

``path`` is formatted with the current site (``{site}``); ``roles`` are who sees it.
"""

from dataclasses import dataclass

from server.contract.vocab import Role

STAFF = frozenset({Role.SUPERVISOR.value, Role.ADMIN.value})
ADMINS = frozenset({Role.ADMIN.value})


@dataclass(frozen=True)
class NavEntry:
    key: str  # the page's id, also its text key "nav_<key>"
    path: str
    roles: frozenset[str] = STAFF
    needs_site: bool = True


NAV: list[NavEntry] = [
    NavEntry("home", "/console/", needs_site=False),
    NavEntry("installation", "/console/installation", needs_site=False),
    NavEntry("live", "/console/s/{site}/live"),
    NavEntry("alerts", "/console/s/{site}/alerts"),
    NavEntry("site", "/console/s/{site}/site"),
    NavEntry("waiting", "/console/s/{site}/control"),
    NavEntry("fields", "/console/s/{site}/fields"),
    NavEntry("counters", "/console/s/{site}/counters"),
    NavEntry("structure", "/console/s/{site}/structure"),
    NavEntry("calendar", "/console/s/{site}/calendar"),
    NavEntry("sitefile", "/console/s/{site}/file"),
    NavEntry("users", "/console/s/{site}/users", ADMINS),
    NavEntry("devices", "/console/s/{site}/devices", ADMINS),
    NavEntry("audit", "/console/s/{site}/audit"),
    NavEntry("reports", "/console/reports?site={site}"),
]


def entries_for(role: str, site: str | None) -> list[tuple[str, str]]:
    """(key, href) of the entries this role sees; site pages only once a site is chosen."""
    return [
        (e.key, e.path.format(site=site))
        for e in NAV
        if role in e.roles and (site is not None or not e.needs_site)
    ]
