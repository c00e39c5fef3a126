"""The framed bus protocol: exact bytes, round trips, garbage and torn frames."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hardware import framing
from hardware.framing import Command, Frame, FrameDecoder, FrameError, crc8
from hardware.ports import KeypadAction, KeypadEvent, RatingEvent


def test_crc8_check_value():
    assert crc8(b"123456789") == 0xF4  # the published check value of CRC-8/SMBUS


def test_documented_example_bytes():
    # docs/hardware.md shows these exact bytes
    assert framing.led_show(5, "1023").encode() == bytes.fromhex("02 05 10 04 31 30 32 33 af")
    assert framing.led_blink(5, 3).encode() == bytes.fromhex("02 05 11 01 03 9b")
    assert framing.key_frame(5, "call_next").encode() == bytes.fromhex("02 05 20 01 01 1f")
    assert framing.rating_frame(5, "satisfied").encode() == bytes.fromhex("02 05 30 01 02 b4")


frames = st.builds(
    Frame,
    address=st.integers(0, 255),
    command=st.integers(0, 255),
    payload=st.binary(max_size=framing.MAX_PAYLOAD),
)


@given(st.lists(frames, max_size=8), st.data())
def test_any_frames_in_any_chunks_round_trip(sent, data):
    stream = b"".join(f.encode() for f in sent)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=6)))
    decoder = FrameDecoder()
    got = []
    for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True):
        got += decoder.feed(stream[a:b])
    assert got == sent
    assert decoder.garbage_bytes == decoder.bad_frames == 0


@given(st.binary(max_size=200), st.lists(frames, min_size=1, max_size=4))
def test_garbage_before_a_frame_costs_nothing_after_a_quiet_gap(noise, sent):
    decoder = FrameDecoder()
    got = decoder.feed(noise)
    got += decoder.idle()  # the line went quiet after the noise
    got = decoder.feed(b"".join(f.encode() for f in sent))
    assert got == sent


def test_garbage_containing_stx_is_skipped():
    good = framing.key_frame(3, "recall")
    decoder = FrameDecoder()
    # A stray STX just before the frame makes the decoder wait for a long "frame"...
    got = decoder.feed(b"\x02\x99\x10\x01" + b"xx" + b"\xff\x02" + good.encode())
    # ...until the line goes quiet; then it finds the real frame behind it.
    got += decoder.idle()
    assert got == [good]
    assert decoder.bad_frames >= 1


def test_torn_frame_followed_by_a_good_one():
    good = framing.rating_frame(7, "neutral")
    torn = framing.led_show(7, "1023").encode()[:5]
    decoder = FrameDecoder()
    got = decoder.feed(torn + good.encode())
    got += decoder.idle()
    assert got == [good]
    assert decoder.pending == 0


def test_torn_frame_with_a_long_length_is_dropped_when_the_line_goes_quiet():
    decoder = FrameDecoder()
    assert decoder.feed(b"\x02\x01\x10\x40abc") == []  # claims 64 bytes, sends 3
    assert decoder.idle() == []
    assert decoder.torn_frames >= 1 and decoder.pending == 0
    good = framing.key_frame(1, "pause")
    assert decoder.feed(good.encode()) == [good]


def test_bad_crc_is_dropped():
    data = bytearray(framing.key_frame(1, "no_show").encode())
    data[-1] ^= 0xFF
    decoder = FrameDecoder()
    assert decoder.feed(bytes(data)) == []
    assert decoder.bad_frames == 1


def test_length_over_the_limit_is_rejected_at_once():
    decoder = FrameDecoder()
    good = framing.key_frame(1, "finish")
    assert decoder.feed(b"\x02\x01\x10\xff" + good.encode()) == [good]


@pytest.mark.parametrize("action", list(KeypadAction))
def test_every_key_is_an_event(action):
    assert framing.to_event(framing.key_frame(4, action)) == KeypadEvent(4, action)


@pytest.mark.parametrize("rating", ["very_satisfied", "satisfied", "neutral", "unsatisfied"])
def test_every_rating_is_an_event(rating):
    from server.contract.vocab import Rating

    event = framing.to_event(framing.rating_frame(9, rating))
    assert event == RatingEvent(9, rating)
    assert Rating(event.rating) == rating


def test_rating_codes_match_the_server_vocabulary():
    from server.contract.vocab import Rating

    assert set(framing.RATING_CODES) == {r.value for r in Rating}


@pytest.mark.parametrize(
    "frame",
    [
        Frame(1, Command.KEY, b"\x63"),
        Frame(1, Command.KEY, b""),
        Frame(1, 0x55, b"\x01"),
        Frame(1, Command.RATE, b"\x09"),
    ],
)
def test_unknown_codes_are_not_events(frame):
    assert framing.to_event(frame) is None


def test_led_text_is_made_ascii():
    assert framing.led_text("Tạm nghỉ") == b"TAM NGHI"
    assert framing.led_text("Đóng") == b"DONG"
    assert framing.led_text("a1023") == b"A1023"


@pytest.mark.parametrize(
    "make",
    [
        lambda: framing.led_show(0, "1"),
        lambda: framing.led_show(255 + 1, "1"),
        lambda: framing.led_show(1, "x" * 17),
        lambda: framing.led_blink(1, 0),
        lambda: framing.key_frame(255, "recall"),
        lambda: framing.rating_frame(1, "happy"),
        lambda: Frame(1, 1, b"x" * 65),
        lambda: Frame(-1, 1),
    ],
)
def test_bad_frames_are_refused(make):
    with pytest.raises((FrameError, ValueError)):
        make()


def test_unknown_keypad_action_is_refused():
    with pytest.raises(ValueError):
        framing.key_frame(1, "dance")
