"""The voice folder: recorded clips the announcer strings together.

A site may replace any clip with a professional recording of the same name; we
only ever generate clips that are missing. Layout (see docs/display.md)::

    voice/
      chime.wav              two-tone chime played before every call
      README.txt             every clip name and what it must say
      vi/invite.wav          "Mời công dân có số thứ tự"
      vi/to-counter.wav      "đến quầy số"
      vi/<word>.wav          one number word each: một.wav, mươi.wav, nghìn.wav, lẻ.wav ...
      vi/letter-A.wav        a letter's Vietnamese name ("a", "bê", "xê" ...)
      vi-central/, vi-south/ the same clips in the Central and Southern voices
      en/invite.wav          "Ticket number"
      en/to-counter.wav      "please go to counter"
      en/<word>.wav          zero.wav ... nineteen.wav, twenty.wav ... thousand.wav
      en/letter-A.wav        "A", "B" ...

``vi/`` is the Northern voice (and a site's own recordings, of any region, before
regions had folders); a board whose region is central or south speaks from
``vi-central/`` or ``vi-south/``, and from ``vi/`` for a call its region's folder cannot
say whole. File names are matched after Unicode NFC normalisation, so clips copied
from a machine that writes decomposed names (macOS) still match. The default clips
are made with espeak-ng on first start, in the region's voice (``-v vi``,
``vi-vn-x-central``, ``vi-vn-x-south``); with no espeak-ng the board falls back to
the chime alone.
"""

from __future__ import annotations

import array
import logging
import math
import shutil
import subprocess
import unicodedata
import wave
from collections.abc import Iterable
from pathlib import Path

from display_board import numbers_en
from display_board.numbers_vi import DIGITS, LETTER_NAMES_VI, Dialect

log = logging.getLogger(__name__)

CHIME = "chime"
LANGUAGES = ("vi", "en")
# A region's Vietnamese clips: its folder, and the espeak-ng voice that makes them.
REGION_FOLDERS: dict[Dialect, str] = {"north": "vi", "central": "vi-central", "south": "vi-south"}
ESPEAK_VOICES = {
    "vi": "vi",
    "vi-central": "vi-vn-x-central",
    "vi-south": "vi-vn-x-south",
    "en": "en",
}
FOLDERS = (*REGION_FOLDERS.values(), "en")
SAMPLE_RATE = 22050  # espeak-ng's rate, so generated clips join without resampling

PHRASES = {
    "vi": {"invite": "Mời công dân có số thứ tự", "to-counter": "đến quầy số"},
    "en": {"invite": "Ticket number", "to-counter": "please go to counter"},
}
VI_WORDS = (*DIGITS, "mười", "mươi", "mốt", "tư", "lăm", "linh", "lẻ", "trăm", "nghìn", "ngàn")
EN_WORDS = (*numbers_en.ONES, *numbers_en.TENS[2:], "hundred", "thousand")
LETTERS = tuple(LETTER_NAMES_VI)


def region_folder(dialect: Dialect) -> str:
    """The folder of a region's Vietnamese voice (``vi`` for the north)."""
    return REGION_FOLDERS[dialect]


def _language(folder: str) -> str:
    return "vi" if folder in REGION_FOLDERS.values() else folder


def clip_texts(language: str) -> dict[str, str]:
    """Every clip of a language or voice folder: file stem -> what it says."""
    language = _language(language)
    if language == "vi":
        texts = dict(PHRASES["vi"]) | {w: w for w in VI_WORDS}
        texts |= {f"letter-{k}": v for k, v in LETTER_NAMES_VI.items()}
    elif language == "en":
        texts = dict(PHRASES["en"]) | {w: w for w in EN_WORDS}
        texts |= {f"letter-{k}": k for k in LETTERS if k.isascii()}
    else:
        raise ValueError(f"no voice for language {language!r}")
    return texts


def token_stem(token: str) -> str:
    """``letter:A`` -> ``letter-A``; words stay as they are."""
    return token.replace("letter:", "letter-", 1)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


class VoiceBank:
    """Looks clips up by language and token in a voice folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._index: dict[tuple[str, str], Path] = {}
        self.reload()

    def reload(self) -> None:
        index: dict[tuple[str, str], Path] = {}
        chime = self.root / f"{CHIME}.wav"
        if chime.is_file():
            index[("", CHIME)] = chime
        for language in FOLDERS:
            folder = self.root / language
            if folder.is_dir():
                for path in folder.glob("*.wav"):
                    index[(language, _nfc(path.stem))] = path
        self._index = index

    def chime(self) -> Path | None:
        return self._index.get(("", CHIME))

    def clip(self, language: str, token: str) -> Path | None:
        return self._index.get((language, _nfc(token_stem(token))))

    def has_language(self, language: str) -> bool:
        """True when the phrases of ``language`` (or a voice folder) exist (a board may still
        lack a word)."""
        return all(self.clip(language, stem) for stem in PHRASES[_language(language)])

    def missing(self, language: str, tokens: Iterable[str]) -> list[str]:
        return [t for t in tokens if self.clip(language, t) is None]


# ---- generating the default clips ------------------------------------------------------


def write_chime(path: Path, rate: int = SAMPLE_RATE) -> None:
    """A soft two-tone "ding-dong" (G5 then E5 with a decaying tail), 16-bit mono."""
    samples = array.array("h")
    for freq, length_s in ((784.0, 0.55), (659.25, 0.9)):
        n = int(rate * length_s)
        for i in range(n):
            t = i / rate
            envelope = math.exp(-3.2 * t) * min(1.0, i / (0.01 * rate))
            value = math.sin(2 * math.pi * freq * t) + 0.3 * math.sin(4 * math.pi * freq * t)
            samples.append(int(0.42 * 32767 * envelope * value / 1.3))
    samples.extend([0] * int(rate * 0.15))
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())


def espeak_binary() -> str | None:
    return shutil.which("espeak-ng") or shutil.which("espeak")


def speak_to_file(binary: str, language: str, text: str, path: Path) -> bool:
    """One clip with espeak-ng in the folder's voice; False (and a log line) if it failed."""
    voice = ESPEAK_VOICES.get(language, "en")
    speed = "140" if _language(language) == "vi" else "150"
    tmp = path.with_name(path.name + ".part")
    try:
        subprocess.run(  # noqa: S603 - the text is an argument, never a shell
            [binary, "-v", voice, "-s", speed, "-w", str(tmp), text],
            check=True,
            capture_output=True,
            timeout=30,
        )
        tmp.replace(path)
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("espeak-ng could not say %r (%s): %s", text, language, exc)
        tmp.unlink(missing_ok=True)
        return False
    return True


def trim_silence(path: Path, keep_s: float = 0.06, threshold: int = 300) -> None:
    """Cut the silence espeak-ng leaves around each word.

    Words are strung together, so without this "một nghìn không trăm hai mươi ba"
    would carry long pauses. Only our generated clips are trimmed; a
    site's recordings are played as they are.
    """
    with wave.open(str(path), "rb") as src:
        params = src.getparams()
        frames = src.readframes(src.getnframes())
    if params.sampwidth != 2 or params.nchannels != 1:
        return
    samples = array.array("h", frames)
    loud = [i for i, v in enumerate(samples) if abs(v) > threshold]
    if not loud:
        return
    keep = int(keep_s * params.framerate)
    start = max(0, loud[0] - keep)
    end = min(len(samples), loud[-1] + keep)
    with wave.open(str(path), "wb") as dst:
        dst.setnchannels(1)
        dst.setsampwidth(2)
        dst.setframerate(params.framerate)
        dst.writeframes(samples[start:end].tobytes())


def ensure_voice(
    root: Path,
    languages: Iterable[str] = LANGUAGES,
    *,
    only: Iterable[str] | None = None,
) -> VoiceBank:
    """Create the missing clips of ``root`` (never overwrite a site's recording).

    ``only`` limits generation to some stems (tests, a quick start). Without
    espeak-ng only the chime is made, and the board announces with the chime alone.
    """
    root.mkdir(parents=True, exist_ok=True)
    if not (root / f"{CHIME}.wav").exists():
        write_chime(root / f"{CHIME}.wav")
    wanted = {_nfc(s) for s in only} if only is not None else None
    binary = espeak_binary()
    readme = ["Voice clips of the hall display board. Replace any file with a recording", ""]
    readme.append("chime.wav\tthe chime before every call")
    made = 0
    for language in languages:
        folder = root / language
        folder.mkdir(exist_ok=True)
        existing = {_nfc(p.stem) for p in folder.glob("*.wav")}
        for stem, text in clip_texts(language).items():
            readme.append(f"{language}/{stem}.wav\t{text}")
            if _nfc(stem) in existing or (wanted is not None and _nfc(stem) not in wanted):
                continue
            if binary is None:
                continue
            if speak_to_file(binary, language, text, folder / f"{stem}.wav"):
                phrases = PHRASES[_language(language)]
                trim_silence(folder / f"{stem}.wav", keep_s=0.15 if stem in phrases else 0.06)
                made += 1
    readme_path = root / "README.txt"
    if not readme_path.exists():
        readme_path.write_text("\n".join(readme) + "\n", encoding="utf-8")
    if binary is None:
        log.warning("espeak-ng is not installed: calls are announced with the chime only")
    elif made:
        log.info("generated %d voice clips in %s", made, root)
    return VoiceBank(root)


def default_voice_dir() -> Path:
    """``$QMS_DATA_DIR/voice``, else ``~/.local/share/qms/voice``."""
    import os

    base = os.environ.get("QMS_DATA_DIR")
    root = Path(base) if base else Path.home() / ".local" / "share" / "qms"
    return root / "voice"
