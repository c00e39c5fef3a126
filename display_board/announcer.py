"""The announcement queue: a chime, then "Mời công dân có số thứ tự ... đến quầy số ...".

Calls are queued and spoken one at a time by a single worker thread, so two
announcements never overlap, whatever the rate of calls. The queue is bounded:
when calls pile up faster than they can be said (a burst after an outage), the
oldest waiting ones are dropped with a log line; they are still on the screen.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from display_board import numbers_en, numbers_vi
from display_board.audio import AudioSink
from display_board.numbers_vi import Dialect
from display_board.voice import VoiceBank, clip_texts, region_folder
from server.contract.messages import CallInfo

log = logging.getLogger(__name__)

MAX_WAITING = 16


@dataclass(frozen=True, slots=True)
class Announcement:
    call_id: str
    text: str  # what is said, for the log and for subtitles
    clips: tuple[Path, ...]


def vietnamese_tokens(call: CallInfo, dialect: Dialect = "north") -> list[str]:
    return [
        "invite",
        *numbers_vi.ticket_tokens(call.ticket_number, dialect),
        "to-counter",
        *numbers_vi.words(call.counter_number, dialect),
    ]


def english_tokens(call: CallInfo) -> list[str]:
    return [
        "invite",
        *numbers_en.ticket_tokens(call.ticket_number),
        "to-counter",
        *numbers_en.words(call.counter_number),
    ]


def spoken_text(language: str, tokens: list[str]) -> str:
    texts = clip_texts(language)
    return " ".join(texts.get(t.replace("letter:", "letter-"), t) for t in tokens)


def _ready_folder(bank: VoiceBank, folder: str, tokens: list[str]) -> str:
    """``folder``, or ``vi`` when a region's folder lacks a clip of this call and ``vi`` has
    them all (the region's clips are still being made, or the site recorded in ``vi``)."""
    if folder in ("vi", "en") or not bank.missing(folder, tokens):
        return folder
    return "vi" if not bank.missing("vi", tokens) else folder


def compose(
    call: CallInfo,
    bank: VoiceBank,
    *,
    dialect: Dialect = "north",
    english: bool = False,
    repeat: int = 1,
) -> Announcement:
    """The clips for one call, the Vietnamese ones in the region's voice (``vi/`` when the
    region's folder cannot say this call whole); a language whose clips are incomplete
    is left out."""
    clips: list[Path] = []
    texts: list[str] = []
    chime = bank.chime()
    if chime is not None:
        clips.append(chime)
    parts: list[tuple[str, list[str]]] = []
    try:
        parts.append((region_folder(dialect), vietnamese_tokens(call, dialect)))
        if english:
            parts.append(("en", english_tokens(call)))
    except ValueError as exc:
        log.warning("cannot read ticket %r aloud: %s", call.ticket_number, exc)
        parts = []
    for wanted, tokens in parts:
        language = _ready_folder(bank, wanted, tokens)
        missing = bank.missing(language, tokens)
        if missing:
            log.info("no %s clips for %s: %s", language, call.ticket_number, missing[:5])
            continue
        language_clips = [p for p in (bank.clip(language, t) for t in tokens) if p is not None]
        for _ in range(repeat if language != "en" else 1):
            clips.extend(language_clips)
        texts.append(spoken_text(language, tokens))
    return Announcement(call.call_id, " / ".join(texts) or "(chime)", tuple(clips))


class Announcer:
    """Queues calls and speaks them in order through an ``AudioSink``, never overlapping."""

    def __init__(
        self,
        bank: VoiceBank,
        sink: AudioSink,
        *,
        dialect: Dialect = "north",
        english: bool = False,
        repeat: int = 1,
        max_waiting: int = MAX_WAITING,
    ) -> None:
        self.bank = bank
        self.sink = sink
        self.dialect: Dialect = dialect
        self.english = english
        self.repeat = repeat
        self._queue: deque[Announcement] = deque()
        self._max_waiting = max_waiting
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._busy = False
        self.spoken = 0
        self.dropped = 0

    def announce(self, call: CallInfo) -> None:
        """Queue a call; returns at once (safe from any thread)."""
        item = compose(
            call, self.bank, dialect=self.dialect, english=self.english, repeat=self.repeat
        )
        with self._cond:
            self._queue.append(item)
            while len(self._queue) > self._max_waiting:
                old = self._queue.popleft()
                self.dropped += 1
                log.warning("too many calls waiting to be spoken; dropping %s", old.text)
            self._cond.notify()

    @property
    def waiting(self) -> int:
        with self._cond:
            return len(self._queue)

    def run_pending(self) -> int:
        """Speak everything queued on the caller's thread (tests, the bench); returns how many."""
        done = 0
        while True:
            with self._cond:
                if not self._queue:
                    return done
                item = self._queue.popleft()
            self._speak(item)
            done += 1

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="announcer", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def wait_idle(self, timeout_s: float) -> bool:
        """True once nothing is queued or playing (for tests and a clean shutdown)."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._queue and not self._busy, timeout_s)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._queue or self._stopping)
                if self._stopping:
                    return
                item = self._queue.popleft()
                self._busy = True
            try:
                self._speak(item)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _speak(self, item: Announcement) -> None:
        log.info("announcing: %s", item.text)
        try:
            self.sink.play(item.clips)
        except Exception:
            log.exception("the audio sink failed on %s", item.call_id)
        self.spoken += 1
