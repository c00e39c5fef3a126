"""The merged statements of the hot path give what the separate reads gave, on SQLite
and PostgreSQL: line heads with the transferred tickets, a counter with the ticket it
holds, the counts of an issue, and the events of one command in order."""

from server.contract.http import TicketIn, TransferIn
from server.storage.models import SiteRow, TicketEventRow
from server.storage.repository import Repository
from tests.server.backends import SITE


def issue(world, service="ht", **extra):
    body = TicketIn(service=service, **extra)
    return world.service.tickets.issue(SITE, body, world.kiosk, None, body.model_dump_json()).body


def act(world, actor, counter, action, body=None):
    return world.service.counters.act(
        SITE, counter, action, actor, key=None, request_hash=f"{action}{body}", body=body
    ).body


def ids(tickets):
    return sorted(t.id for t in tickets)


def test_heads_and_transferred_tickets_in_one_statement(world) -> None:
    clerk = world.actor("c1", "pw-c1")
    normal = [issue(world)["id"] for _ in range(4)]
    elderly = issue(world, priority="elderly")["id"]
    certified = [issue(world, "ct")["id"] for _ in range(2)]
    act(world, clerk, "1", "call-next")  # the priority ticket goes first
    moved = act(world, clerk, "1", "transfer", body=TransferIn(to_service="ct", to_counter="3"))
    to_3 = moved["ticket"]["id"]
    day = world.clock.now.date()
    with world.db.read() as s:
        repo = Repository(s)
        targeted, heads = repo.heads_and_targeted(
            SITE, day, ["ht", "ct"], limit=3, targeted=True, counter="3"
        )
        assert ids(targeted) == [to_3]
        assert ids(heads) == sorted(normal[:3] + certified)
        assert repo.heads_and_targeted(SITE, day, ["ht"], limit=2, targeted=True, counter="2") == (
            [],
            repo.line_heads(SITE, day, ["ht"], limit=2),
        )
        everywhere, none = repo.heads_and_targeted(SITE, day, [], limit=3, targeted=True)
        assert ids(everywhere) == [to_3] and none == []
        assert ids(repo.line_heads(SITE, day, ["ct"], limit=1)) == [certified[0]]
        assert elderly not in ids(repo.line_heads(SITE, day, ["ht", "ct"], limit=5))
    c3 = world.actor("c3", "pw-c3")
    assert act(world, c3, "3", "call-next")["ticket"]["id"] == to_3


def test_counter_and_the_ticket_it_holds(world) -> None:
    clerk = world.actor("c2", "pw-c2")
    first = issue(world)["id"]
    with world.db.read() as s:
        counter, held = Repository(s).counter_and_held(SITE, "2")
        assert counter is not None and counter.id == "2" and held is None
        assert Repository(s).counter_and_held(SITE, "nope") == (None, None)
    act(world, clerk, "2", "call-next")
    with world.db.read() as s:
        counter, held = Repository(s).counter_and_held(SITE, "2")
        assert counter is not None and counter.state == "open" and counter.clerk == "c2"
        assert held is not None and held.id == first and held.status == "called"
        assert held.clerk == "c2"


def test_one_commands_events_are_written_in_order(world) -> None:
    clerk = world.actor("c2", "pw-c2")
    first, second = issue(world)["id"], issue(world)["id"]
    act(world, clerk, "2", "call-next")
    act(world, clerk, "2", "call-next")  # closes the first (no-show), calls the second
    with world.db.read() as s:
        rows = s.query(TicketEventRow).order_by(TicketEventRow.id).all()
        log = [(r.kind, r.ticket_id) for r in rows]
    assert log[:3] == [("issued", first), ("issued", second), ("called", first)]
    assert log[3][1] == first and log[3][0] != "called"
    assert log[4] == ("called", second)
    assert len(log) == 5
    assert world.service.tickets.get(SITE, first).status == "no_show"


def test_issue_counts_match_the_separate_counts(world) -> None:
    for _ in range(6):
        issue(world)
    issue(world, priority="elderly")
    clerk = world.actor("c2", "pw-c2")
    world.service.counters.act(SITE, "2", "resume", clerk, key="open-2", request_hash="h")
    day = world.clock.now.date()
    with world.db.read() as s:
        repo = Repository(s)
        for priority in (True, False):
            assert repo.issue_counts(SITE, day, "ht", priority) == (
                repo.issued_today(SITE, day, "ht"),
                repo.count_ahead_of_new(SITE, day, "ht", priority),
                repo.count_normal_line(SITE, day, "ht"),
                repo.count_open_for(SITE, "ht"),
            )
        assert repo.count_open_for(SITE, "ht") == 1  # counter 2 serves "ht"
        assert repo.issue_counts(SITE, day, "ct", False) == (0, 0, 0, 0)
    seventh = issue(world)
    assert seventh["people_ahead"] == 7 and seventh["number"] == "1008"


def test_a_keyed_command_stores_its_answer_and_bumps_seq_once(world) -> None:
    def seq() -> int:
        with world.db.read() as s:
            row = s.get(SiteRow, SITE)
            assert row is not None
            return row.seq

    body = TicketIn(service="ht")
    start = seq()
    first = world.service.tickets.issue(SITE, body, world.kiosk, "k-1", body.model_dump_json())
    assert seq() == start + 1
    again = world.service.tickets.issue(SITE, body, world.kiosk, "k-1", body.model_dump_json())
    assert again.replayed and again.body == first.body and seq() == start + 1
    clerk = world.actor("c2", "pw-c2")
    called = world.service.counters.act(
        SITE, "2", "call-next", clerk, key="c-1", request_hash="call-next"
    )
    assert seq() == start + 2
    replay = world.service.counters.act(
        SITE, "2", "call-next", clerk, key="c-1", request_hash="call-next"
    )
    assert replay.replayed and replay.body == called.body and seq() == start + 2
