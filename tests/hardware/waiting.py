"""Poll for a condition set by another thread, with a generous deadline (no timing asserts)."""

import time
from collections.abc import Callable


def wait_until(condition: Callable[[], object], timeout: float = 10.0) -> bool:
    """True as soon as ``condition()`` is truthy; False if the deadline passes first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return bool(condition())
