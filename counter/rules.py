"""Which of the clerk's actions make sense now, and how long an answer outranks snapshots.

Pure: no Qt, no I/O. The server stays the judge of every action (a site may allow
finishing a ticket that was only called); these rules only decide what the
screen offers, and keep an answer from being undone by older news.
"""

from collections.abc import Callable
from dataclasses import dataclass

from server.contract.messages import CounterView, TicketBrief
from server.contract.vocab import CounterState, TicketStatus

# Ticket states in which each action on the current ticket is offered.
NEEDS_STATUS: dict[str, frozenset[TicketStatus]] = {
    "recall": frozenset({TicketStatus.CALLED}),
    "start": frozenset({TicketStatus.CALLED}),
    "finish": frozenset({TicketStatus.CALLED, TicketStatus.SERVING}),
    "no-show": frozenset({TicketStatus.CALLED}),
    "transfer": frozenset({TicketStatus.CALLED, TicketStatus.SERVING}),
    "park": frozenset({TicketStatus.CALLED, TicketStatus.SERVING}),
}
# Actions that need the counter open (a paused or closed counter is resumed first).
NEEDS_OPEN = frozenset({"call-next", "call", "resume-parked", "pause"})
# Actions after which the clerk's day figures change.
DAY_CHANGING = frozenset({"finish", "no-show", "transfer", "rate"})
# How long an action's answer outranks snapshots that disagree with it.
ANSWER_HOLD_S = 3.0


def offered(
    action: str,
    counter: CounterView | None,
    current: TicketBrief | None,
    *,
    rating_open: bool = False,
) -> bool:
    """Whether the screen offers ``action`` (its button enabled) in this state."""
    if counter is None:
        return False
    paused = counter.state != CounterState.OPEN
    if action == "resume":
        return paused
    if action in NEEDS_OPEN:
        return not paused
    if action == "rate":
        return rating_open
    needed = NEEDS_STATUS.get(action)
    if needed is None:
        return True
    return current is not None and current.status in needed


def shown(counter: CounterView, current: TicketBrief | None) -> tuple[object, ...]:
    """What of the counter the clerk sees change: its state and the current ticket's call."""
    return (
        counter.state,
        current.id if current else None,
        current.status if current else None,
        current.call_count if current else 0,
    )


@dataclass(slots=True)
class AnswerHold:
    """Keeps an action's answer on screen against older snapshots arriving after it.

    The server answers the HTTP request before the broker delivers the snapshot of
    that change, and the snapshot of the change before may still be on its way:
    for a moment that older one must not take the ticket off the screen. The hold
    ends when a snapshot agrees with the answer, or after ``ANSWER_HOLD_S``.
    """

    clock: Callable[[], float]
    expected: tuple[object, ...] | None = None
    until: float = 0.0

    def start(self, answer: tuple[object, ...]) -> None:
        self.expected = answer
        self.until = self.clock() + ANSWER_HOLD_S

    def holds_back(self, snapshot: tuple[object, ...]) -> bool:
        """Whether a snapshot showing ``snapshot`` is older news than the answer."""
        if self.expected is None:
            return False
        if self.clock() > self.until or snapshot == self.expected:
            self.expected = None
            return False
        return True
