"""The alert rules, pure: which conditions hold for a hall, under each site threshold."""

from datetime import UTC, datetime, timedelta

from server.alerts import AlertKind, AlertRules, CounterLive, DeviceLive, FieldLive, evaluate
from server.alerts.liveness import is_silent, silent_after_s

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


def _field(waiting: int = 3, wait_s: int = 600, target_s: int | None = 900, open_: int = 1):
    return FieldLive("ht", "Hộ tịch", waiting, wait_s, target_s, open_, "Civil status")


def _kinds(rules: AlertRules, **parts) -> list[AlertKind]:
    found = evaluate(
        rules, parts.get("fields", []), parts.get("counters", []), parts.get("devices", []), NOW
    )
    return [c.kind for c in found]


def test_a_wait_over_the_fields_target_and_only_then() -> None:
    rules = AlertRules()
    assert _kinds(rules, fields=[_field(wait_s=600)]) == []
    assert _kinds(rules, fields=[_field(wait_s=901)]) == [AlertKind.WAIT_OVER_TARGET]
    assert _kinds(rules, fields=[_field(wait_s=5000, target_s=None)]) == []  # no target
    assert _kinds(rules, fields=[_field(waiting=0, wait_s=5000)]) == []  # nobody waits
    off = AlertRules(wait_over_target=False)
    assert _kinds(off, fields=[_field(wait_s=901)]) == []


def test_people_waiting_with_no_open_counter() -> None:
    assert _kinds(AlertRules(), fields=[_field(open_=0)]) == [AlertKind.UNATTENDED]
    assert _kinds(AlertRules(), fields=[_field(waiting=0, open_=0)]) == []
    assert _kinds(AlertRules(unattended=False), fields=[_field(open_=0)]) == []


def test_a_counter_paused_too_long_while_its_fields_have_a_queue() -> None:
    paused = CounterLive("2", 2, "paused", NOW - timedelta(minutes=16), ("ht",))
    rules = AlertRules(paused_over_min=15)
    assert _kinds(rules, fields=[_field()], counters=[paused]) == [AlertKind.COUNTER_PAUSED]
    assert _kinds(rules, fields=[_field(waiting=0)], counters=[paused]) == []  # no queue
    short = CounterLive("2", 2, "paused", NOW - timedelta(minutes=14), ("ht",))
    assert _kinds(rules, fields=[_field()], counters=[short]) == []
    assert _kinds(AlertRules(paused_over_min=0), fields=[_field()], counters=[paused]) == []
    other = CounterLive("3", 3, "paused", NOW - timedelta(hours=1), ("ct",))
    assert _kinds(rules, fields=[_field()], counters=[other]) == []  # its field has no queue


def test_paper_low_or_out_by_the_sites_rule() -> None:
    low = DeviceLive("k1", "kiosk", "Ki-ốt 1", False, "paper_low")
    out = DeviceLive("k1", "kiosk", "Ki-ốt 1", False, "paper_out")
    assert _kinds(AlertRules(paper="low"), devices=[low]) == [AlertKind.PAPER]
    assert _kinds(AlertRules(paper="out"), devices=[low]) == []
    assert _kinds(AlertRules(paper="out"), devices=[out]) == [AlertKind.PAPER]
    assert _kinds(AlertRules(paper="off"), devices=[out]) == []


def test_a_silent_device_is_its_own_alert_and_its_paper_state_is_not_live() -> None:
    kiosk = DeviceLive("k1", "kiosk", "Ki-ốt 1", True, "paper_out")
    board = DeviceLive("b1", "display", "Màn hình", True, None)
    bridge = DeviceLive("l1", "led", "Cầu nối LED", True, None)
    rules = AlertRules()
    assert _kinds(rules, devices=[kiosk, board, bridge]) == [
        AlertKind.DEVICE_SILENT,
        AlertKind.DISPLAY_DISCONNECTED,
        AlertKind.DISPLAY_DISCONNECTED,
    ]
    assert _kinds(AlertRules(device_silent=False), devices=[kiosk]) == []
    assert _kinds(AlertRules(display_disconnected=False), devices=[board]) == []


def test_the_same_trouble_keeps_its_key_and_is_worded_in_both_languages() -> None:
    first = evaluate(AlertRules(), [_field(wait_s=901)], [], [], NOW)
    later = evaluate(AlertRules(), [_field(wait_s=1500)], [], [], NOW)
    assert first[0].key == later[0].key == "wait_over_target:ht"
    assert first[0].vi.startswith("Hộ tịch:") and "15 phút" in first[0].vi
    assert first[0].en.startswith("Civil status:") and "15 min" in first[0].en


def test_a_device_is_silent_after_two_missed_heartbeats() -> None:
    assert silent_after_s(30) > 60
    last = NOW - timedelta(seconds=60)
    assert not is_silent(last, 30, NOW)
    assert is_silent(NOW - timedelta(seconds=silent_after_s(30) + 1), 30, NOW)
