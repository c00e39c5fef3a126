"""The demo data hangs together: ids unique, references resolve, numbers never collide."""

from collections import Counter

import pytest

from server.contract import topics
from server.contract.vocab import DeviceKind, Role
from server.engine.numbering import capacity, format_number
from server.seed import SiteSeed, demo_sites
from server.service.pins import valid_pin

SITES = demo_sites()
BY_ID = {s.site.id: s for s in SITES}


def _dupes(values: list[str]) -> list[str]:
    return [v for v, n in Counter(values).items() if n > 1]


def test_two_sites_main_centre_and_ward():
    assert list(BY_ID) == ["hcm-main", "phuong-thu-duc"]
    assert BY_ID["hcm-main"].site.name == "Trung tâm Phục vụ hành chính công TP. Hồ Chí Minh"
    assert "43 Nguyễn Văn Bá" in BY_ID["hcm-main"].address


@pytest.mark.parametrize(
    "key",
    [
        lambda s: [a.id for a in s.areas],
        lambda s: [d.code for d in s.departments],
        lambda s: [v.code for v in s.services],
        lambda s: [c.id for c in s.counters],
        lambda s: [u.username for u in s.users],
        lambda s: [d.id for d in s.devices],
    ],
    ids=["areas", "departments", "services", "counters", "users", "devices"],
)
def test_ids_unique_across_the_whole_installation(key):
    assert _dupes([v for s in SITES for v in key(s)]) == []


@pytest.mark.parametrize("seed", SITES, ids=lambda s: s.site.id)
def test_references_resolve(seed: SiteSeed):
    areas = {a.id for a in seed.areas}
    departments = {d.code for d in seed.departments}
    services = {s.code for s in seed.services}
    counters = {c.id for c in seed.counters}
    assert {s.department for s in seed.services} == departments  # and no empty department
    for c in seed.counters:
        assert c.area in areas, c
        assert c.services, c
        assert set(c.services) <= services, c
        assert len(set(c.services)) == len(c.services), c
    served = {code for c in seed.counters for code in c.services}
    assert served == services
    assert {c.area for c in seed.counters} == areas
    for u in seed.users:
        assert u.counter is None or u.counter in counters, u
    for d in seed.devices:
        assert d.area is None or d.area in areas, d


@pytest.mark.parametrize("seed", SITES, ids=lambda s: s.site.id)
def test_every_area_has_a_display_and_a_priority_counter(seed: SiteSeed):
    displays = {d.area for d in seed.devices if d.kind is DeviceKind.DISPLAY}
    assert displays == {a.id for a in seed.areas}
    assert {c.area for c in seed.counters if c.priority_counter} == {a.id for a in seed.areas}
    assert any(d.kind is DeviceKind.KIOSK for d in seed.devices)


def test_main_centre_counters_serve_their_department():
    seed = BY_ID["hcm-main"]
    department_of = {s.code: s.department for s in seed.services}
    for c in seed.counters:
        if not c.priority_counter:
            assert len({department_of[code] for code in c.services}) == 1, c
    # A priority counter serves only fields of departments that sit in its area.
    for c in (c for c in seed.counters if c.priority_counter):
        zone = {code for o in seed.counters if o.area == c.area for code in o.services}
        assert set(c.services) <= zone


@pytest.mark.parametrize("seed", SITES, ids=lambda s: s.site.id)
def test_ids_fit_in_a_topic_level(seed: SiteSeed):
    topics.check_slug(seed.site.id)
    for value in [a.id for a in seed.areas] + [c.id for c in seed.counters]:
        topics.check_slug(value)
    for d in seed.devices:
        topics.check_slug(d.id)


@pytest.mark.parametrize("seed", SITES, ids=lambda s: s.site.id)
def test_ticket_numbers_never_collide_between_fields(seed: SiteSeed):
    """A clerk may call a ticket by its number, so a number names one ticket in a day."""
    numbers: list[str] = []
    for s in seed.services:
        size = capacity(s.number_format) or 1200  # past a prefix's width, too
        if s.daily_quota is not None:
            assert s.daily_quota <= size, s.code
        numbers += [format_number(s.number_format, n) for n in range(1, size + 1)]
    assert _dupes(numbers) == []


def test_main_centre_shape():
    seed = BY_ID["hcm-main"]
    assert len(seed.departments) == 16
    assert [a.id for a in seed.areas] == ["A", "A1", "A2", "B", "B1", "B2"]
    assert [c.number for c in seed.counters] == list(range(1, 68))
    assert all(c.id == str(c.number) for c in seed.counters)
    assert sum(c.priority_counter for c in seed.counters) == 6
    kinds = Counter(s.number_format.kind for s in seed.services)
    assert kinds["block"] >= 5
    assert kinds["prefix"] >= 5
    assert sum(s.daily_quota is not None for s in seed.services) >= 3
    codes = {p.code for p in seed.site.priority_categories}
    assert {"elderly", "disabled", "pregnant", "merit"} <= codes
    assert {d.id for d in seed.devices} == (
        {f"kiosk-{n}" for n in range(1, 5)}
        | {f"display-{a}" for a in ("A", "A1", "A2", "B", "B1", "B2")}
        | {f"counter-pc-{n}" for n in range(1, 68)}  # the PC at each counter (PIN login)
    )


def test_main_centre_accounts():
    seed = BY_ID["hcm-main"]
    clerks = [u for u in seed.users if u.role is Role.CLERK]
    assert [(u.username, u.password, u.counter) for u in clerks] == [
        (f"clerk{n:02d}", f"demo-quay-{n:02d}", str(n)) for n in range(1, 68)
    ]
    assert len({u.display_name for u in clerks}) == 67
    others = {(u.username, u.role, u.password) for u in seed.users if u.role is not Role.CLERK}
    assert others == {
        ("supervisor", Role.SUPERVISOR, "demo-giam-sat"),
        ("admin", Role.ADMIN, "demo-quan-tri"),
    }


def test_ward_point_is_small():
    seed = BY_ID["phuong-thu-duc"]
    assert len(seed.counters) == 4
    assert len(seed.areas) == 1
    assert [d.kind for d in seed.devices].count(DeviceKind.KIOSK) == 1
    assert [d.kind for d in seed.devices].count(DeviceKind.DISPLAY) == 1
    assert [d.kind for d in seed.devices].count(DeviceKind.COUNTER) == 4


def test_office_hours_and_always_open():
    main = BY_ID["hcm-main"].site.hours
    assert 6 not in main.weekdays  # closed on Sunday
    assert [(a.hour, a.minute, b.hour, b.minute) for a, b in main.windows] == [
        (7, 30, 11, 30),
        (13, 0, 17, 0),
    ]
    for seed in demo_sites(always_open=True):
        assert seed.site.hours.weekdays == frozenset(range(7))
        assert all(s.hours is None for s in seed.services)
        assert [s.daily_quota for s in seed.services] == [
            s.daily_quota for s in BY_ID[seed.site.id].services
        ]


def test_repeatable():
    assert demo_sites() == demo_sites()


def test_demo_pins_are_digits_and_unique_per_site() -> None:
    for seed in demo_sites():
        pins = [u.pin for u in seed.users if u.pin is not None]
        assert pins and all(valid_pin(p) for p in pins)
        assert len(set(pins)) == len(pins)
    main = next(seed for seed in demo_sites() if seed.site.id == "hcm-main")
    assert {u.username: u.pin for u in main.users}["clerk67"] == "6767"


def test_every_demo_password_passes_the_password_policy() -> None:
    from server.service.passwords import check_password

    for seed in BY_ID.values():
        for user in seed.users:
            check_password(user.password, user.username)
