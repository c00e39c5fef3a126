"""When a device counts as silent: two of its own heartbeats missed.

A small grace covers a report that was sent on time and spent a moment on the network or
waiting for the site's write lock; without it, a device reporting exactly on its interval
would flicker to silent and back.
"""

from datetime import datetime

GRACE_S = 5


def silent_after_s(heartbeat_s: int) -> int:
    return 2 * heartbeat_s + GRACE_S


def is_silent(last_seen: datetime, heartbeat_s: int, now: datetime) -> bool:
    return (now - last_seen).total_seconds() > silent_after_s(heartbeat_s)
