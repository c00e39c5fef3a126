"""A scanned link: a QR code holding a web address, such as a booking's page.

A booking's QR code holds the link of its page (``https://…/book/b/<token>``), so a phone
opens the page and the kiosk's scanner reads the same text. The scanner passes such a
text on as a ``LinkScan``; any other text is read as an ID card (``hardware.cccd``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from hardware.cccd import CccdScan, ScanRejected, read_scan

# Printable ASCII without spaces after the scheme: what a QR code of a URL holds.
_LINK = re.compile(r"https?://[\x21-\x7e]{1,300}")


@dataclass(frozen=True, slots=True)
class LinkScan:
    """A scanned web address (no personal data: a booking's link holds a random token)."""

    url: str


def read_any(text: str, *, today: date | None = None) -> CccdScan | ScanRejected | LinkScan:
    """A scan as a link when it is one, else as an ID card (never raises)."""
    stripped = text.strip()
    if _LINK.fullmatch(stripped):
        return LinkScan(stripped)
    return read_scan(text, today=today)
