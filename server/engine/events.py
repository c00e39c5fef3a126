"""The kinds of events in a ticket's append-only log.

A ``StrEnum`` so storage can keep the plain string and reports can group by it.
"""

from enum import StrEnum


class EventKind(StrEnum):
    ISSUED = "issued"
    CALLED = "called"
    RECALLED = "recalled"
    STARTED = "started"
    FINISHED = "finished"
    NO_SHOW = "no_show"
    PARKED = "parked"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    # A transfer closes the old ticket (TRANSFERRED) and opens a new one
    # (TRANSFERRED_IN), so "issued" still counts citizens' visits only once.
    TRANSFERRED = "transferred"
    TRANSFERRED_IN = "transferred_in"
