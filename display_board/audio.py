"""Audio sinks: where an announcement's clips go.

One small interface, ``play(clips)`` blocking until the clips have been heard,
and one class per way out (python-escpos habit): a recording sink for tests and
the bench, a silent sink when the machine has no sound, and a subprocess sink
that plays through ``paplay`` (PulseAudio/PipeWire) or ``aplay`` (ALSA).

Why a subprocess and not QtMultimedia: the announcer runs on its own thread so
a slow or stuck audio driver can never freeze the board's GUI thread, and
QSoundEffect/QMediaPlayer want the GUI thread's event loop. A player process
also survives an audio server restart, and a timeout ends one that hangs.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)


class AudioSink(Protocol):
    def play(self, clips: Sequence[Path]) -> None:
        """Play the clips one after the other; return when they have been played."""


class RecordingSink:
    """Records what would have been played (clip stems per announcement)."""

    def __init__(self, keep: bool = True) -> None:
        self.keep = keep
        self.played: list[list[str]] = []
        self.count = 0

    def play(self, clips: Sequence[Path]) -> None:
        self.count += 1
        if self.keep:
            self.played.append([_label(c) for c in clips])


class SilentSink:
    """No sound device: announcements are shown on screen only."""

    def play(self, clips: Sequence[Path]) -> None:
        log.debug("silent: would play %d clips", len(clips))


class SubprocessSink:
    """Joins clips of one format into a single WAV (no gaps) and plays it with a player."""

    def __init__(self, command: Sequence[str], timeout_s: float = 60.0) -> None:
        self.command = list(command)
        self.timeout_s = timeout_s
        self.failures = 0

    def play(self, clips: Sequence[Path]) -> None:
        for group in group_by_format(clips):
            with tempfile.TemporaryDirectory(prefix="qms-say-") as tmp:
                joined = Path(tmp) / "say.wav"
                try:
                    seconds = join_wavs(group, joined)
                except (OSError, wave.Error, EOFError) as exc:
                    log.warning("cannot read a voice clip (%s); skipping it", exc)
                    continue
                try:
                    subprocess.run(  # noqa: S603 - a fixed player and our own temp file
                        [*self.command, str(joined)],
                        check=True,
                        capture_output=True,
                        timeout=seconds + self.timeout_s,
                    )
                    self.failures = 0
                except (OSError, subprocess.SubprocessError) as exc:
                    self.failures += 1
                    log.warning("%s could not play the announcement: %s", self.command[0], exc)


def _label(path: Path) -> str:
    parent = path.parent.name
    return f"{parent}/{path.stem}" if parent in ("vi", "en") else path.stem


def _format(path: Path) -> tuple[int, int, int]:
    with wave.open(str(path), "rb") as w:
        return w.getnchannels(), w.getsampwidth(), w.getframerate()


def group_by_format(clips: Sequence[Path]) -> list[list[Path]]:
    """Consecutive clips sharing channels, sample width and rate (joinable as one WAV)."""
    groups: list[list[Path]] = []
    last: tuple[int, int, int] | None = None
    for clip in clips:
        try:
            fmt = _format(clip)
        except (OSError, wave.Error, EOFError) as exc:
            log.warning("skipping unreadable voice clip %s: %s", clip, exc)
            continue
        if groups and fmt == last:
            groups[-1].append(clip)
        else:
            groups.append([clip])
            last = fmt
    return groups


def join_wavs(clips: Sequence[Path], out: Path) -> float:
    """Write the clips (all of one format) into ``out``; returns its length in seconds."""
    frames = 0
    with wave.open(str(out), "wb") as dst:
        for i, clip in enumerate(clips):
            with wave.open(str(clip), "rb") as src:
                if i == 0:
                    dst.setnchannels(src.getnchannels())
                    dst.setsampwidth(src.getsampwidth())
                    dst.setframerate(src.getframerate())
                    rate = src.getframerate()
                data = src.readframes(src.getnframes())
                frames += src.getnframes()
                dst.writeframes(data)
    return frames / rate if clips else 0.0


def _has_pulse() -> bool:
    pactl = shutil.which("pactl")
    if not (shutil.which("paplay") and pactl):
        return False
    try:
        probe = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [pactl, "info"], check=False, capture_output=True, timeout=5
        )
        return probe.returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _has_alsa_card() -> bool:
    aplay = shutil.which("aplay")
    if not aplay:
        return False
    try:
        listing = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [aplay, "-l"], check=False, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return listing.returncode == 0 and "card " in listing.stdout


def choose_sink() -> AudioSink:
    """The best way out on this machine, or silence with a log line."""
    if _has_pulse():
        log.info("announcements play through paplay")
        return SubprocessSink(["paplay"])
    if _has_alsa_card():
        log.info("announcements play through aplay")
        return SubprocessSink(["aplay", "-q"])
    log.warning("no audio device found: calls are shown but not spoken")
    return SilentSink()
