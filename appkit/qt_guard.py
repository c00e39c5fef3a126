"""Keep a PySide6 reference-count bug from killing a long-running app on Python 3.11.

PySide6/shiboken6 6.12.0 on CPython 3.11 drops one reference to ``None`` every
time a method returning ``void`` is called (``QFont.setBold``, ``QWidget.update``,
``QPainter.drawText`` ...). Since Python 3.12 ``None`` is immortal and nothing
happens, but on 3.11 its count reaches zero after that many calls and the
interpreter aborts with "none_dealloc: deallocating None": a board repainting its
ticker soon, a kiosk or counter after hours of use.

``protect_none()`` measures the loss with a harmless void call and, only when
there is one, raises ``None``'s reference count by 2**60 once, which makes
``None`` as good as immortal (no process lives long enough to lose that many).
It does nothing on 3.12+, on debug builds, or when the installed PySide6 is fixed.
Call it once, after importing PySide6, before the event loop starts; it is
idempotent and thread-safe (it runs under the GIL).
The proper fix is a PySide6 release without the bug (or Python 3.12+): the project
pins PySide6 below 6.12 (docs/dependencies.md), so with the pinned binding this
guard measures no loss and does nothing. It stays as a safety net for ``None``
only; 6.12.0 also drops references to ``True`` on every signal, which it does not
cover.
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)

_BALLAST = 1 << 60
_PROBES = 64
_protected = False


def none_refs_lost_per_void_call() -> float:
    """How many references to None one void PySide6 call loses (0 when healthy)."""
    from PySide6.QtGui import QFont

    font = QFont()
    font.setBold(False)
    before = sys.getrefcount(None)
    for _ in range(_PROBES):
        font.setBold(False)
    return (before - sys.getrefcount(None)) / _PROBES


def protect_none() -> bool:
    """Make None immortal if this PySide6 leaks its references; True if it was needed."""
    global _protected  # noqa: PLW0603 - one process-wide fix, applied once
    if _protected or sys.version_info >= (3, 12) or hasattr(sys, "gettotalrefcount"):
        return _protected
    lost = none_refs_lost_per_void_call()
    if lost <= 0:
        return False
    # CPython 3.11 release build: ob_refcnt is the first field of every object.
    ctypes.c_ssize_t.from_address(id(None)).value += _BALLAST
    _protected = True
    log.warning(
        "PySide6 drops %.0f reference(s) to None per void call on this Python; "
        "None made immortal to keep the app alive (see appkit/qt_guard.py)",
        lost,
    )
    return True
