"""Site configuration through the service: export, import, the audit, the republished
snapshots, and the kiosk on a holiday, after the cut-off and on a Saturday morning."""

from dataclasses import replace
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select

from server.contract import topics
from server.contract.http import TicketIn
from server.contract.messages import DisplaySnapshot
from server.engine.errors import Refusal
from server.engine.model import Holiday, OpeningHours
from server.siteconfig import SiteFileError
from server.storage.models import TicketRow
from tests.server.backends import SITE

WEEK = OpeningHours(
    windows=((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0))),
    weekdays=frozenset(range(5)),
    day_windows={5: ((time(7, 30), time(11, 30)),)},
)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """A Ho Chi Minh City wall-clock time (UTC+7) as aware UTC."""
    return datetime(day.year, day.month, day.day, hour - 7, minute, tzinfo=UTC)


def issue(world, service: str = "ht"):
    body = TicketIn(service=service)
    return world.service.tickets.issue(SITE, body, world.kiosk, None, body.model_dump_json())


def tickets(world) -> int:
    with world.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(TicketRow)) or 0)


def reconfigure(world, **site_changes: object) -> None:
    configs = world.service.site_config
    definition = configs.definition(SITE)
    site = replace(definition.site, **site_changes)
    configs.apply(replace(definition, site=site), actor="test", action="site.edit")


def menu_entry(world, code: str = "ht"):
    menu = world.service.reads.menu(SITE)
    return next(s for d in menu.departments for s in d.services if s.code == code)


def test_export_import_export_gives_the_same_file(world) -> None:
    configs = world.service.site_config
    text = configs.export(SITE)
    assert not configs.plan(text).changes
    renamed = text.replace('name_vi = "Hộ tịch"', 'name_vi = "Hộ tịch - khai sinh"')
    plan, _version = configs.import_text(renamed, actor="test")
    assert '+name_vi = "Hộ tịch - khai sinh"' in plan.diff
    assert configs.export(SITE) == renamed


def test_a_change_is_audited_and_reaches_menus_and_boards(world) -> None:
    configs = world.service.site_config
    definition = configs.definition(SITE)
    services = tuple(
        replace(s, name_vi="Hộ tịch (mới)") if s.code == "ht" else s for s in definition.services
    )
    configs.apply(replace(definition, services=services), actor="admin", action="field.edit")
    world.service.flush()
    assert menu_entry(world).name_vi == "Hộ tịch (mới)"
    board = world.publisher.snapshots[topics.display(SITE, "A")]
    assert isinstance(board, DisplaySnapshot)
    assert [w.name_vi for w in board.waiting if w.code == "ht"] == ["Hộ tịch (mới)"]
    [entry] = world.service.audit.entries(site=SITE)
    assert (entry.actor, entry.action) == ("admin", "field.edit")
    assert entry.before["fields/ht"]["name_vi"] == "Hộ tịch"
    assert entry.after["fields/ht"]["name_vi"] == "Hộ tịch (mới)"


def test_a_bad_change_writes_nothing(world) -> None:
    configs = world.service.site_config
    before = configs.export(SITE)
    definition = configs.definition(SITE)
    counters = (*definition.counters, replace(definition.counters[0], id="9", area="Z", number=9))
    with pytest.raises(SiteFileError) as caught:
        configs.apply(replace(definition, counters=counters), actor="x", action="counter.add")
    assert [p.reason_en for p in caught.value.problems] == ["no area Z"]
    assert configs.export(SITE) == before
    assert world.service.audit.entries(site=SITE) == []


def test_on_a_holiday_the_kiosk_says_so_and_issues_nothing(world) -> None:
    monday = date(2026, 3, 2)
    world.clock.now = local(monday, 9)
    reconfigure(world, hours=WEEK, holidays=(Holiday(monday, "Nghỉ bù", "Day off"),))
    entry = menu_entry(world)
    assert (entry.open, entry.closed_reason) == (False, "holiday")
    assert entry.closed_message_vi == "Hôm nay nghỉ lễ"
    with pytest.raises(Refusal) as caught:
        issue(world)
    assert caught.value.code == "holiday"
    assert tickets(world) == 0


def test_after_the_cut_off_the_kiosk_says_so_and_issues_nothing(world) -> None:
    monday = date(2026, 3, 2)
    reconfigure(world, hours=WEEK, stop_issuing_before_close_min=15)
    world.clock.now = local(monday, 11, 10)
    assert issue(world).status == 201
    world.clock.now = local(monday, 11, 20)
    entry = menu_entry(world)
    assert (entry.open, entry.closed_reason) == (False, "cutoff")
    with pytest.raises(Refusal) as caught:
        issue(world)
    assert caught.value.code == "issuing_stopped"
    assert tickets(world) == 1


def test_a_saturday_morning_session_issues_and_the_afternoon_does_not(world) -> None:
    saturday = date(2026, 3, 7)
    reconfigure(world, hours=WEEK)
    world.clock.now = local(saturday, 9)
    assert menu_entry(world).open
    assert issue(world).body["number"] == "1001"
    world.clock.now = local(saturday, 14)
    with pytest.raises(Refusal) as caught:
        issue(world)
    assert caught.value.code == "outside_hours"
