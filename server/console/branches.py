"""The line that says whether a site's branch server reaches the city (``server.upstream``),
for the home page's tiles and the site page."""

from zoneinfo import ZoneInfo

from fastapi import Request

from server.console.session import service_of
from server.console.texts import text
from server.upstream.central import Branches

# The city's clock, for when a branch was last heard.
CITY_TIME = ZoneInfo("Asia/Ho_Chi_Minh")


def branch_lines(request: Request, lang: str) -> dict[str, tuple[bool, str]]:
    """Site -> (quiet, the line saying when its branch was last heard), for the sites
    branch servers serve; a site served here has none."""
    out: dict[str, tuple[bool, str]] = {}
    for status in Branches(service_of(request).core).statuses():
        if status.last_heard_at is None:
            line = text("branch_never", lang).format(branch=status.branch)
        elif status.quiet:
            at = status.last_heard_at.astimezone(CITY_TIME)
            line = text("branch_quiet", lang).format(
                branch=status.branch, at=at.strftime("%H:%M %d/%m/%Y")
            )
        else:
            line = text("branch_live", lang).format(branch=status.branch)
        out[status.site] = (status.quiet, line)
    return out
