"""Idempotency keys of the clerk's presses, kept for retries of the same press.

A press of an action becomes an ``Intent`` with a fresh key. While it is in flight
the same action is refused (a double click never calls twice). If it got no answer
(server unreachable) its key is kept: pressing the same action again, or the retry
button, sends the same key, so the server applies it at most once. A kept key is
dropped as soon as the counter is seen in another state, because then the press
either happened or is no longer what the clerk meant.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from appkit.api_client import new_key
from server.contract.http import CallIn, RateIn, TransferIn

Body = CallIn | TransferIn | RateIn | None

# What the terminal knows of the counter when a press happens:
# (current ticket id, its status, times called, counter state).
Context = tuple[str | None, str | None, int, str | None]


@dataclass(frozen=True, slots=True)
class Intent:
    """One press of one action, with the key every retry of it reuses."""

    action: str
    body: Body
    key: str
    context: Context
    attempts: int = 1


@dataclass(slots=True)
class IntentBook:
    """The presses in flight and the ones still waiting for an answer."""

    make_key: Callable[[], str] = new_key
    in_flight: dict[str, Intent] = field(default_factory=dict)
    unanswered: dict[str, Intent] = field(default_factory=dict)

    def begin(self, action: str, body: Body, context: Context) -> Intent | None:
        """Start a press; ``None`` when the same action is already in flight."""
        if action in self.in_flight:
            return None
        kept = self.unanswered.pop(action, None)
        if kept is not None and kept.body == body and kept.context == context:
            intent = Intent(action, body, kept.key, context, kept.attempts + 1)
        else:
            intent = Intent(action, body, self.make_key(), context)
        self.in_flight[action] = intent
        return intent

    def retry(self, action: str) -> Intent | None:
        """Send a kept press again under its own key (the retry button)."""
        kept = self.unanswered.get(action)
        if kept is None:
            return None
        return self.begin(kept.action, kept.body, kept.context)

    def answered(self, intent: Intent) -> None:
        """The server answered (done or refused): the key is spent."""
        self.in_flight.pop(intent.action, None)
        self.unanswered.pop(intent.action, None)

    def no_answer(self, intent: Intent) -> None:
        """No answer came back: keep the key for a retry of the same press."""
        self.in_flight.pop(intent.action, None)
        self.unanswered[intent.action] = intent

    def observe(self, context: Context) -> None:
        """The counter was seen in ``context``: forget presses made in another state."""
        for action, kept in list(self.unanswered.items()):
            if kept.context != context:
                del self.unanswered[action]

    def busy(self, action: str) -> bool:
        return action in self.in_flight

    def first_unanswered(self) -> Intent | None:
        return next(iter(self.unanswered.values()), None)
