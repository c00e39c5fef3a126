"""The Qt binding keeps Python's reference counts right (PySide6 6.12.0 did not on 3.11).

A binding that drops references to ``True`` or ``None`` on each signal or void
call kills a long-running terminal with "Fatal Python error: bool_dealloc".
"""

import sys

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel


class _Emitter(QObject):
    fired = Signal(int)


def test_signals_and_void_calls_keep_refcounts(qapp):
    emitter = _Emitter()
    received: list[int] = []
    emitter.fired.connect(received.append)
    label = QLabel()
    timer = QTimer()
    true_before, none_before = sys.getrefcount(True), sys.getrefcount(None)
    for i in range(100):
        emitter.fired.emit(i)
        label.setText("1023")
        label.setEnabled(True)
        timer.start(1000)
    timer.stop()
    assert len(received) == 100
    # A few references may come and go with the interpreter's own work; a leak is 100+.
    assert abs(sys.getrefcount(True) - true_before) < 50
    assert abs(sys.getrefcount(None) - none_before) < 50
