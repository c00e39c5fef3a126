"""The guard against PySide6's lost references to None (appkit/qt_guard.py)."""

import sys

from PySide6.QtGui import QFont

from appkit.qt_guard import none_refs_lost_per_void_call, protect_none


def test_after_the_guard_void_calls_can_run_for_days():
    protect_none()
    assert protect_none() in (True, False)  # idempotent
    font = QFont()
    for _ in range(200_000):  # several times None's whole count before the guard
        font.setBold(True)
    assert sys.getrefcount(None) > 1_000_000


def test_the_probe_measures_per_call_loss():
    lost = none_refs_lost_per_void_call()
    assert lost in (0.0, 1.0)
