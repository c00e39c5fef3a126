"""Alerts of a hall, as pure functions of its live state and the site's rules.

Nothing here reads a database or a clock: ``evaluate`` takes what the hall looks like now
and the thresholds the site file sets, and says which conditions hold. The service keeps
the log (raised, acknowledged, cleared) and the console shows them.
"""

from server.alerts.rules import (
    AlertKind,
    AlertRules,
    Condition,
    CounterLive,
    DeviceLive,
    FieldLive,
    evaluate,
)

__all__ = [
    "AlertKind",
    "AlertRules",
    "Condition",
    "CounterLive",
    "DeviceLive",
    "FieldLive",
    "evaluate",
]
