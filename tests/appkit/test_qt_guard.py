"""The guard against PySide6's lost references to None (appkit/qt_guard.py)."""

import sys

from PySide6.QtGui import QFont

from appkit.qt_guard import none_refs_lost_per_void_call, protect_none


def test_after_the_guard_void_calls_can_run_for_days():
    needed = protect_none()
    assert protect_none() == needed  # idempotent
    font = QFont()
    before = sys.getrefcount(None)
    for _ in range(200_000):  # several times None's whole count without the guard
        font.setBold(True)
    after = sys.getrefcount(None)
    if needed:
        assert after > 1_000_000  # made immortal
    else:
        assert abs(after - before) < 1000  # a healthy binding loses nothing


def test_the_probe_measures_per_call_loss():
    lost = none_refs_lost_per_void_call()
    assert lost in (0.0, 1.0)
