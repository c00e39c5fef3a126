"""The board's view-model: pure rules of issue 6, no broker, no Qt."""

from datetime import UTC, datetime, timedelta

from appkit.mqtt_state import ConnectionState
from display_board.viewmodel import BoardViewModel
from server.contract.messages import ServerStatus
from tests.display_board.samples import AREA, SITE, call, demo_snapshot, event, snapshot

LOST = datetime(2026, 11, 23, 3, 4, 5, tzinfo=UTC)


def board(**kw) -> tuple[BoardViewModel, list[str], list[int]]:
    vm = BoardViewModel(SITE, AREA, **kw)
    spoken: list[str] = []
    redraws: list[int] = []
    vm.announced.append(lambda c: spoken.append(c.call_id))
    vm.changed.append(lambda: redraws.append(1))
    return vm, spoken, redraws


def test_stale_and_duplicate_snapshots_are_dropped():
    vm, _, redraws = board()
    assert vm.apply_snapshot(snapshot(10, notice="ten"))
    assert not vm.apply_snapshot(snapshot(10, notice="ten again"))
    assert not vm.apply_snapshot(snapshot(9, notice="nine"))
    assert vm.apply_snapshot(snapshot(11, notice="eleven"))
    assert vm.notice == "eleven"
    assert vm.dropped_snapshots == 2
    assert len(redraws) == 2


def test_a_snapshot_of_another_area_is_ignored():
    vm, _, _ = board()
    other = snapshot(5).model_copy(update={"area": "B"})
    assert not vm.apply_snapshot(other)
    assert vm.snapshot is None


def test_retained_calls_are_shown_but_never_announced():
    vm, spoken, _ = board()
    vm.set_connection(ConnectionState(True, LOST))
    vm.apply_snapshot(demo_snapshot(120))
    assert vm.calling is not None and vm.calling.ticket_number == "1023"
    assert [c.ticket_number for c in vm.recent][:2] == ["1023", "1047"]
    assert spoken == []
    # A reconnect delivers the retained snapshot again: still nothing said.
    vm.set_connection(ConnectionState(False, LOST))
    vm.set_connection(ConnectionState(True, LOST + timedelta(seconds=30)))
    vm.apply_snapshot(demo_snapshot(120))
    vm.apply_snapshot(demo_snapshot(121))
    assert spoken == []


def test_each_call_id_is_announced_once_and_a_recall_again():
    vm, spoken, _ = board()
    flashed: list[str] = []
    vm.flashed.append(lambda c: flashed.append(c.ticket_number))
    vm.apply_snapshot(snapshot(10))
    first = call(1024, 3)
    assert vm.apply_call(event(first, seq=11))
    assert not vm.apply_call(event(first, seq=11))  # QoS 1 may deliver twice
    recall = call(1024, 3, recall=True)
    assert recall.call_id != first.call_id
    assert vm.apply_call(event(recall, seq=12))
    assert spoken == [first.call_id, recall.call_id]
    assert flashed == ["1024", "1024"]
    assert vm.duplicate_calls == 1


def test_calls_of_other_areas_are_not_announced():
    vm, spoken, _ = board()
    assert not vm.apply_call(event(call(7, 1, area="B"), seq=3))
    assert spoken == []


def test_a_live_call_is_shown_before_its_snapshot_arrives():
    vm, _, _ = board()
    vm.apply_snapshot(demo_snapshot(120))
    live = call(1030, 4, at=datetime(2026, 11, 23, 2, 20, tzinfo=UTC))
    vm.apply_call(event(live, seq=121))
    assert vm.calling == live
    assert vm.recent[0] == live
    q4 = next(c for c in vm.counters if c.number == 4)
    assert q4.current_ticket == "1030"
    # The snapshot that follows carries the same call: nothing doubled.
    confirmed = snapshot(122, calling=live, recent=[live, *demo_snapshot().recent])
    vm.apply_snapshot(confirmed)
    assert [c.call_id for c in vm.recent].count(live.call_id) == 1
    assert vm.calling == live


def test_an_older_snapshot_does_not_hide_a_newer_live_call():
    vm, _, _ = board()
    vm.apply_snapshot(snapshot(10))
    live = call(1031, 2)
    vm.apply_call(event(live, seq=12))
    vm.apply_snapshot(snapshot(11))  # published before the call was made
    assert vm.calling == live


def test_the_played_history_is_bounded():
    vm, spoken, _ = board(played_history=50)
    for i in range(500):
        vm.apply_call(event(call(i % 10000, 1 + i % 9, call_id=f"id-{i}"), seq=i + 1))
    assert len(spoken) == 500
    assert vm.played_count == 50
    assert len(vm.recent) == vm.recent_limit
    assert not vm.was_played("id-0") and vm.was_played("id-499")


def test_connection_lost_keeps_the_picture_with_a_mark_and_its_time():
    vm, _, _ = board()
    vm.set_connection(ConnectionState(True, LOST - timedelta(hours=1)))
    vm.apply_snapshot(demo_snapshot(120))
    assert vm.mark is None
    vm.set_connection(ConnectionState(False, LOST, "keepalive timeout"))
    vm.set_connection(ConnectionState(False, LOST + timedelta(seconds=9), "unreachable"))
    assert vm.mark is not None and (vm.mark.kind, vm.mark.since) == ("connection", LOST)
    assert vm.calling is not None and vm.calling.ticket_number == "1023"
    assert len(vm.counters) == 15
    vm.set_connection(ConnectionState(True, LOST + timedelta(seconds=20)))
    assert vm.mark is None


def test_a_board_that_never_connected_is_marked_from_its_first_attempt():
    vm, _, _ = board()
    assert not vm.has_picture
    vm.set_connection(ConnectionState(False, LOST, "broker unreachable"))
    assert vm.mark is not None and vm.mark.since == LOST


def test_server_offline_is_marked_and_a_restarted_sequence_is_accepted():
    vm, _, _ = board()
    t = datetime(2026, 11, 23, 1, tzinfo=UTC)
    vm.set_connection(ConnectionState(True, t))
    vm.apply_server_status(ServerStatus(state="online", at=t))
    vm.apply_snapshot(snapshot(900))
    vm.apply_server_status(ServerStatus(state="offline", at=t + timedelta(minutes=5)))
    assert vm.mark is not None and vm.mark.kind == "server"
    vm.apply_server_status(ServerStatus(state="online", at=t + timedelta(minutes=6)))
    assert vm.mark is None
    assert vm.apply_snapshot(snapshot(1, notice="fresh database"))
    assert vm.notice == "fresh database"


def test_handle_routes_by_message_type():
    vm, spoken, _ = board()
    vm.handle("t", demo_snapshot(5))
    vm.handle("t", event(call(1100, 2), seq=6))
    vm.handle("t", ServerStatus(state="online"))
    assert vm.snapshot is not None and spoken == [call(1100, 2).call_id]


def test_a_failing_listener_does_not_stop_the_board(caplog):
    vm, spoken, _ = board()
    vm.announced.insert(0, lambda c: 1 / 0)
    vm.apply_call(event(call(5, 1), seq=1))
    assert spoken == [call(5, 1).call_id]
    assert "a call listener failed" in caplog.text


def test_a_last_will_without_time_is_marked_with_the_time_it_arrived():
    heard = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)
    vm = BoardViewModel(SITE, AREA, clock=lambda: heard)
    vm.set_connection(ConnectionState(True, heard))
    vm.apply_server_status(ServerStatus(state="offline", at=None))
    assert vm.mark is not None and (vm.mark.kind, vm.mark.since) == ("server", heard)
