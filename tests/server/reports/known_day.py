"""A known day at the tiny test site, played through the real commands with the
test's clock, and what its report must say (counted by hand, in the docstring)."""

from datetime import date, timedelta

from sqlalchemy import update

from server.contract.http import CallIn, RateIn, TicketIn, TransferIn
from server.contract.vocab import Rating
from server.storage.models import ServiceRow
from tests.server.backends import SITE, World

DAY = date(2026, 3, 2)  # a Monday; the clock starts at 09:00 local (02:00 UTC)
MIN = 60


def set_wait_targets(world: World, targets: dict[str, int | None]) -> None:
    with world.db.write() as session:
        for code, target in targets.items():
            session.execute(
                update(ServiceRow)
                .where(ServiceRow.site_id == SITE, ServiceRow.code == code)
                .values(wait_target_s=target)
            )


def play_known_day(world: World) -> dict[str, str]:
    """Six visits (minutes after 09:00):

    ====  =====  ===  =====================================================  =========
    no.   field  at   what happened                                          wait
    ====  =====  ===  =====================================================  =========
    1001  ht     0    called 10 at counter 2 (c2), served 11-21, very sat.   10
    1002  ht     0    called 40 at counter 2, recalled 42, no-show 45        40
    C001  ct     2    called 12 at counter 3 (c3), started, transferred to   10 + 11
                      ht at 20; called 31 at counter 1 (c1), served 31-41,
                      neutral
    1003  ht     4    elderly; called 25 at counter 1, served 26-30, sat.     21
    C002  ct     5    called 50 at counter 3, started, parked 55, called      45
                      again 60, served until 70, unsatisfied
    1004  ht     60   never called (open at closing)                         -
    ====  =====  ===  =====================================================  =========

    Wait targets (the site file's ``wait_target_s``): ht 20 minutes, ct 30.
    """
    clock = world.clock
    start = clock.now
    set_wait_targets(world, {"ht": 20 * MIN, "ct": 30 * MIN})
    c1, c2, c3 = (world.actor(f"c{i}", f"pw-c{i}") for i in (1, 2, 3))
    keys = iter(range(1_000_000))
    ids: dict[str, str] = {}

    def at(minute: int) -> None:
        clock.now = start + timedelta(minutes=minute)

    def issue(number: str, service: str, **extra: object) -> None:
        body = TicketIn(service=service, **extra)  # type: ignore[arg-type]
        out = world.service.tickets.issue(
            SITE, body, world.kiosk, f"i{next(keys)}", body.model_dump_json()
        ).body
        assert out["number"] == number
        ids[number] = out["id"]

    def act(actor: object, counter: str, action: str, body: object = None) -> None:
        world.service.counters.act(
            SITE,
            counter,
            action,
            actor,  # type: ignore[arg-type]
            key=f"a{next(keys)}",
            request_hash=f"{action}{body}",
            body=body,  # type: ignore[arg-type]
        )

    at(0)
    issue("1001", "ht")
    issue("1002", "ht")
    at(2)
    issue("C001", "ct")
    at(4)
    issue("1003", "ht", priority="elderly")
    at(5)
    issue("C002", "ct")
    at(10)
    act(c2, "2", "call", CallIn(ticket="1001"))
    at(11)
    act(c2, "2", "start")
    at(12)
    act(c3, "3", "call", CallIn(ticket="C001"))
    act(c3, "3", "start")
    at(20)
    act(c3, "3", "transfer", TransferIn(to_service="ht", keep_place=True))
    at(21)
    act(c2, "2", "finish")
    act(c2, "2", "rate", RateIn(rating=Rating.VERY_SATISFIED))
    at(25)
    act(c1, "1", "call", CallIn(ticket="1003"))
    at(26)
    act(c1, "1", "start")
    at(30)
    act(c1, "1", "finish")
    act(c1, "1", "rate", RateIn(rating=Rating.SATISFIED))
    at(31)
    act(c1, "1", "call", CallIn(ticket="C001"))
    act(c1, "1", "start")
    at(40)
    act(c2, "2", "call", CallIn(ticket="1002"))
    at(41)
    act(c1, "1", "finish")
    act(c1, "1", "rate", RateIn(rating=Rating.NEUTRAL))
    at(42)
    act(c2, "2", "recall")
    at(45)
    act(c2, "2", "no-show")
    at(50)
    act(c3, "3", "call", CallIn(ticket="C002"))
    act(c3, "3", "start")
    at(55)
    act(c3, "3", "park")
    at(60)
    issue("1004", "ht")
    act(c3, "3", "call", CallIn(ticket="C002"))
    act(c3, "3", "start")
    at(70)
    act(c3, "3", "finish")
    act(c3, "3", "rate", RateIn(rating=Rating.UNSATISFIED))
    at(75)
    return ids
