"""The kinds of events in a ticket's append-only log.

A ``StrEnum`` so storage can keep the plain string and reports can group by it.
``Event.data`` holds plain JSON values; every kind has ``number``, and:

    issued          service, seq, priority?, estimate_s?
    called          counter_number, call_count, from_status, reason? (a specific call)
    recalled        call_count
    no_show         call_count
    parked          from_status, note?
    cancelled       reason, from_status
    expired         from_status                      (actor "system")
    transferred     from_service, to_service, to_counter, keep_place, note?, to_ticket
    transferred_in  the same, with from_ticket instead of to_ticket
    moved           from_service, to_service, from_counter, to_counter   (a supervisor's)
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
    # A supervisor moved a waiting ticket to another field or counter: the same ticket
    # (number, issue time, place in line), so the citizen's wait is the one they lived.
    MOVED = "moved"
