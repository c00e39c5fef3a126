"""The announcement queue with a recording sink, and the voice folder."""

import shutil
import threading
import wave
from pathlib import Path

from display_board.announcer import Announcer, compose
from display_board.audio import RecordingSink, SubprocessSink, group_by_format, join_wavs
from display_board.voice import VoiceBank, clip_texts, ensure_voice, write_chime
from tests.display_board.samples import call


def fake_voice(root: Path, languages=("vi", "en")) -> VoiceBank:
    """A complete voice folder of short silent clips (the real generator is tested below)."""
    write_chime(root / "chime.wav")
    for language in languages:
        (root / language).mkdir(parents=True, exist_ok=True)
        for stem in clip_texts(language):
            with wave.open(str(root / language / f"{stem}.wav"), "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(22050)
                w.writeframes(b"\0\0" * 220)
    return VoiceBank(root)


def test_a_call_is_chime_then_the_vietnamese_sentence(tmp_path):
    bank = fake_voice(tmp_path)
    item = compose(call(1023, 5), bank)
    assert item.text == "Mời công dân có số thứ tự một nghìn không trăm hai mươi ba đến quầy số năm"
    sink = RecordingSink()
    sink.play(item.clips)
    assert sink.played[0] == [
        "chime",
        "vi/invite",
        "vi/một",
        "vi/nghìn",
        "vi/không",
        "vi/trăm",
        "vi/hai",
        "vi/mươi",
        "vi/ba",
        "vi/to-counter",
        "vi/năm",
    ]


def test_english_repetition_and_southern_reading(tmp_path):
    bank = fake_voice(tmp_path)
    item = compose(call(12, 14, prefix="A"), bank, english=True, dialect="south")
    assert item.text == (
        "Mời công dân có số thứ tự a mười hai đến quầy số mười bốn"
        " / Ticket number A twelve please go to counter fourteen"
    )
    labels = [c.parent.name + "/" + c.stem for c in item.clips]
    assert labels[1:4] == ["vi/invite", "vi/letter-A", "vi/mười"]
    assert labels[-2:] == ["en/to-counter", "en/fourteen"]


def test_chime_only_when_the_voice_is_missing(tmp_path, caplog):
    write_chime(tmp_path / "chime.wav")
    bank = VoiceBank(tmp_path)
    item = compose(call(1023, 5), bank, english=True)
    assert [c.stem for c in item.clips] == ["chime"]
    assert item.text == "(chime)"


def test_an_unreadable_ticket_still_gets_the_chime(tmp_path):
    bank = fake_voice(tmp_path)
    odd = call(5, 1).model_copy(update={"ticket_number": "12-A"})
    assert [c.stem for c in compose(odd, bank).clips] == ["chime"]


def test_queue_plays_in_order_without_overlap(tmp_path):
    bank = fake_voice(tmp_path)

    class SlowSink:
        def __init__(self):
            self.active = 0
            self.max_active = 0
            self.order: list[str] = []
            self.gate = threading.Event()
            self.lock = threading.Lock()

        def play(self, clips):
            with self.lock:
                self.active += 1
                self.max_active = max(self.max_active, self.active)
            self.gate.wait(10)
            with self.lock:
                self.order.append(clips[2].stem)  # after the chime and "Mời công dân ..."
                self.active -= 1

    sink = SlowSink()
    announcer = Announcer(bank, sink)
    announcer.start()
    try:
        for n in (1100, 2200, 3300, 4400):
            announcer.announce(call(n, 1))
        sink.gate.set()
        assert announcer.wait_idle(10)
    finally:
        announcer.stop()
    assert sink.max_active == 1
    assert sink.order == ["một", "hai", "ba", "bốn"]
    assert announcer.spoken == 4


def test_queue_order_with_the_recording_sink(tmp_path):
    bank = fake_voice(tmp_path)
    sink = RecordingSink()
    announcer = Announcer(bank, sink)
    for n, counter in ((1, 2), (3, 4), (5, 6)):
        announcer.announce(call(n, counter))
    assert announcer.run_pending() == 3
    assert [p[2] for p in sink.played] == ["vi/một", "vi/ba", "vi/năm"]
    assert [p[-1] for p in sink.played] == ["vi/hai", "vi/bốn", "vi/sáu"]


def test_a_burst_is_bounded_oldest_dropped(tmp_path, caplog):
    bank = fake_voice(tmp_path)
    sink = RecordingSink()
    announcer = Announcer(bank, sink, max_waiting=3)
    for n in range(1, 7):
        announcer.announce(call(n, 1))
    announcer.run_pending()
    assert [p[2] for p in sink.played] == ["vi/bốn", "vi/năm", "vi/sáu"]
    assert announcer.dropped == 3
    assert "dropping" in caplog.text


def test_a_failing_sink_does_not_stop_the_queue(tmp_path, caplog):
    bank = fake_voice(tmp_path)

    class Broken:
        def play(self, clips):
            raise OSError("device gone")

    announcer = Announcer(bank, Broken())
    announcer.announce(call(1, 1))
    announcer.announce(call(2, 1))
    assert announcer.run_pending() == 2
    assert "the audio sink failed" in caplog.text


def test_subprocess_sink_joins_clips_and_runs_the_player(tmp_path):
    bank = fake_voice(tmp_path)
    clips = list(compose(call(7, 2), bank).clips)
    assert len(group_by_format(clips)) == 1
    seconds = join_wavs(clips, tmp_path / "joined.wav")
    assert seconds > 1.0  # the chime alone lasts 1.6 s
    # `true` stands in for a player: the sink must run it once per format group.
    sink = SubprocessSink([shutil.which("true") or "/bin/true"])
    sink.play(clips)
    assert sink.failures == 0
    sink = SubprocessSink(["/nonexistent/player"])
    sink.play(clips)
    assert sink.failures == 1


def test_espeak_generates_the_default_clips_and_keeps_site_recordings(tmp_path):
    (tmp_path / "vi").mkdir()
    site_clip = tmp_path / "vi" / "invite.wav"
    write_chime(site_clip)  # the site's own recording
    before = site_clip.read_bytes()
    stems = ["invite", "to-counter", "một", "nghìn", "không", "trăm", "hai", "mươi", "ba", "năm"]
    bank = ensure_voice(tmp_path, ["vi"], only=stems)
    assert site_clip.read_bytes() == before
    item = compose(call(1023, 5), bank)
    assert len(item.clips) == 11
    with wave.open(str(bank.clip("vi", "mươi")), "rb") as w:
        assert w.getframerate() == 22050 and w.getnframes() > 1000
    assert "vi/nghìn.wav\tnghìn" in (tmp_path / "README.txt").read_text(encoding="utf-8")


def test_no_espeak_means_chime_only(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr("display_board.voice.espeak_binary", lambda: None)
    bank = ensure_voice(tmp_path)
    assert bank.chime() is not None
    assert not bank.has_language("vi")
    assert "chime only" in caplog.text


def test_decomposed_file_names_still_match(tmp_path):
    import unicodedata

    fake_voice(tmp_path, languages=("vi",))
    nfc = tmp_path / "vi" / "mươi.wav"
    nfc.rename(tmp_path / "vi" / (unicodedata.normalize("NFD", "mươi") + ".wav"))
    bank = VoiceBank(tmp_path)
    assert bank.clip("vi", "mươi") is not None


def test_the_vietnamese_sentence_can_be_said_twice(tmp_path):
    bank = fake_voice(tmp_path)
    once = compose(call(7, 2), bank)
    twice = compose(call(7, 2), bank, repeat=2)
    assert len(twice.clips) == 1 + 2 * (len(once.clips) - 1)


def test_generated_words_lose_espeaks_trailing_silence(tmp_path):
    bank = ensure_voice(tmp_path, ["vi"], only=["mươi"])
    with wave.open(str(bank.clip("vi", "mươi")), "rb") as w:
        seconds = w.getnframes() / w.getframerate()
        samples = w.readframes(w.getnframes())
    assert 0.1 < seconds < 0.6  # espeak alone writes ~0.7 s, 0.43 s of it silence
    tail = samples[-int(0.1 * 22050) * 2 :]
    assert any(tail)  # the word's ink reaches into the last 0.1 s
