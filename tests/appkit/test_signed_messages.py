"""The apps use only what the server signed, in its time (issue 14): the real message path
(``StateSubscriber.feed``, the LED bridge's ``handle_message``) with real Ed25519 keys."""

import logging
from datetime import UTC, datetime, timedelta

import pytest

from appkit.mqtt_state import StateSubscriber, Subscription
from appkit.server_key import KeyChanged, pinned_key
from appkit.trust import Verifier
from hardware.led_bridge import LED_IDLE, LedBridge
from server.contract import topics
from server.contract.messages import CallEvent, DisplaySnapshot, ServerStatus
from server.contract.signing import Origin, SigningKey, open_sealed
from server.messaging import examples
from server.messaging.keys import Signer, load_or_create

SITE = "hcm-main"
DISPLAY_A = topics.display(SITE, "A")
CALLS = topics.calls(SITE)
STATUS = topics.server_status()
T0 = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


def body(message) -> bytes:
    return message.model_dump_json().encode()


def snapshot(seq: int, at: datetime = T0) -> DisplaySnapshot:
    return examples.display_snapshot().model_copy(update={"seq": seq, "generated_at": at})


def subscriber(key) -> tuple[StateSubscriber, list]:
    got: list = []
    sub = StateSubscriber(
        "mqtt://127.0.0.1:1",
        [
            Subscription(DISPLAY_A, DisplaySnapshot),
            Subscription(CALLS, CallEvent, ordered=False),
        ],
        lambda topic, message: got.append((topic, message)),
        server_key=key,
    )
    return sub, got


@pytest.fixture
def signer() -> Signer:
    return Signer(SigningKey.generate(), boot="b1", booted_at=T0)


def test_the_envelope_round_trips_and_binds_the_topic(signer) -> None:
    payload = signer.seal(DISPLAY_A, body(snapshot(7)), at=T0)
    origin, signed = open_sealed(signer.key.public, DISPLAY_A, payload)
    assert origin == Origin(DISPLAY_A, "b1", T0, T0)
    assert DisplaySnapshot.model_validate_json(signed).seq == 7
    # A reader that checks nothing still parses the payload as the contract message.
    assert DisplaySnapshot.model_validate_json(payload).seq == 7
    with pytest.raises(ValueError, match="another topic"):
        open_sealed(signer.key.public, topics.display(SITE, "B"), payload)
    with pytest.raises(ValueError, match="bad signature"):
        open_sealed(signer.key.public, DISPLAY_A, payload.replace(b'"seq":7', b'"seq":8'))
    with pytest.raises(ValueError, match="bad signature"):
        open_sealed(SigningKey.generate().public, DISPLAY_A, payload)
    with pytest.raises(ValueError, match="unsigned"):
        open_sealed(signer.key.public, DISPLAY_A, body(snapshot(7)))


def test_forged_and_tampered_messages_never_move_the_high_water_mark(signer, caplog) -> None:
    sub, got = subscriber(signer.key.public)
    forger = Signer(SigningKey.generate(), boot="evil", booted_at=T0)
    caplog.set_level(logging.WARNING, "appkit.trust")
    assert sub.feed(DISPLAY_A, signer.seal(DISPLAY_A, body(snapshot(5)), at=T0)) is not None
    for _ in range(3):  # a flood: dropped every time, logged once
        assert sub.feed(DISPLAY_A, body(snapshot(10**9))) is None
    assert sub.feed(DISPLAY_A, forger.seal(DISPLAY_A, body(snapshot(2**80)), at=T0)) is None
    event = examples.call_event()
    assert sub.feed(CALLS, body(event)) is None
    assert sub.dropped_unverified == 5
    unsigned = [r for r in caplog.records if "unsigned" in r.getMessage()]
    assert len(unsigned) == 2  # once for the display kind, once for the calls kind
    # The real next snapshot is still taken: seq 6 was not overtaken by a forged 10^9.
    later = T0 + timedelta(seconds=1)
    assert sub.feed(DISPLAY_A, signer.seal(DISPLAY_A, body(snapshot(6)), at=later)) is not None
    assert [m.seq for _t, m in got] == [5, 6]


def test_a_new_server_life_is_taken_and_the_old_one_cannot_be_replayed(signer) -> None:
    """A new database starts seq again low: the board follows the new boot at once, and a
    replay of the old life's higher seq after that is refused."""
    sub, got = subscriber(signer.key.public)
    old = signer.seal(DISPLAY_A, body(snapshot(900, T0)), at=T0)
    assert sub.feed(DISPLAY_A, old) is not None
    reboot = T0 + timedelta(minutes=1)
    again = Signer(signer.key, boot="b2", booted_at=reboot)
    online = ServerStatus(state="online", at=reboot)
    assert sub.feed(STATUS, again.seal(STATUS, body(online), at=reboot)) is not None
    fresh = again.seal(DISPLAY_A, body(snapshot(3, reboot)), at=reboot + timedelta(seconds=1))
    assert sub.feed(DISPLAY_A, fresh) is not None
    replayed = signer.seal(DISPLAY_A, body(snapshot(901, T0)), at=T0 + timedelta(seconds=30))
    assert sub.feed(DISPLAY_A, replayed) is None
    assert [m.seq for _t, m in got if isinstance(m, DisplaySnapshot)] == [900, 3]


def test_an_offline_of_an_earlier_connection_and_an_old_online_are_ignored(signer) -> None:
    sub, got = subscriber(signer.key.public)
    offline = ServerStatus(state="offline")
    first = T0 + timedelta(seconds=1)
    will_1 = signer.seal(STATUS, body(offline), conn="c1", at=first)
    online_1 = signer.seal(STATUS, body(ServerStatus(state="online", at=T0)), conn="c1", at=first)
    second = T0 + timedelta(seconds=5)
    online_2 = signer.seal(STATUS, body(ServerStatus(state="online", at=T0)), conn="c2", at=second)
    assert sub.feed(STATUS, online_1) is not None
    assert sub.feed(STATUS, online_2) is not None
    assert sub.feed(STATUS, will_1) is None  # today's displays stay on
    assert sub.feed(STATUS, online_1) is None  # an older online cannot bring c1 back
    will_2 = signer.seal(STATUS, body(offline), conn="c2", at=second)
    assert sub.feed(STATUS, will_2) is not None  # this connection's own will counts
    states = [m.state for _t, m in got]
    assert states == ["online", "online", "offline"]


def test_an_old_call_event_replayed_is_not_announced(signer) -> None:
    sub, got = subscriber(signer.key.public)
    event = examples.call_event()
    first = signer.seal(CALLS, body(event), at=T0)
    assert sub.feed(CALLS, first) is not None
    later = event.model_copy(update={"seq": event.seq + 1})
    assert sub.feed(CALLS, signer.seal(CALLS, body(later), at=T0 + timedelta(minutes=5)))
    assert sub.feed(CALLS, first) is None
    assert len(got) == 2


def test_the_led_bridge_ignores_a_fake_offline_and_fake_numbers(signer, led_bus) -> None:
    bridge = LedBridge(SITE, led_bus, verifier=Verifier(signer.key.public))
    real = examples.counter_snapshot()
    topic = topics.counter(SITE, real.counter.id)
    bridge.handle_message(topic, signer.seal(topic, body(real), at=T0))
    shown = dict(led_bus.shown)
    assert shown == {real.counter.number: real.counter.current_ticket}
    fake = real.model_copy(update={"seq": real.seq + 10**9})
    bridge.handle_message(topic, body(fake))
    bridge.handle_message(STATUS, body(ServerStatus(state="offline")))
    bridge.handle_message(topic, b"")  # an unsigned "clear"
    assert not bridge.server_offline and dict(led_bus.shown) == shown
    assert LED_IDLE not in led_bus.shown.values()
    assert bridge.verifier is not None and bridge.verifier.dropped == 3


def test_the_key_is_pinned_and_a_changed_one_refused(tmp_path) -> None:
    pin = tmp_path / "pin"
    key = SigningKey.generate().public
    assert pinned_key(pin) is None and not pin.exists()
    assert pinned_key(pin, fetch=lambda: key.text) == key
    assert pinned_key(pin) == key
    assert pinned_key(pin, given=key.text) == key
    with pytest.raises(KeyChanged, match="delete"):
        pinned_key(pin, given=SigningKey.generate().public.text)
    with pytest.raises(KeyChanged):
        pinned_key(pin, fetch=lambda: SigningKey.generate().public.text)


def test_the_server_key_file_is_private_and_kept(tmp_path) -> None:
    path = tmp_path / "data" / "key.pem"
    key = load_or_create(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_or_create(path).public == key.public


class _Bus:
    def __init__(self) -> None:
        self.shown: dict[int, str] = {}

    def show(self, address: int, text: str, *, blink: bool = False) -> None:
        self.shown[address] = text


@pytest.fixture
def led_bus() -> _Bus:
    return _Bus()
