"""A ward reception point (phường Thủ Đức): one room, four counters, one kiosk, one display.

It shows that one installation serves many sites. Its ids are distinct from the main
centre's so nothing collides even where a store keys them across sites.
"""

from server.contract.vocab import DeviceKind, Role
from server.seed.files import site_file
from server.seed.types import DeviceSeed, SiteSeed, UserSeed

SITE_ID = "phuong-thu-duc"

# The configuration is data: server/seed/sites/phuong-thu-duc.toml.
CONFIG = site_file(SITE_ID)
SITE = CONFIG.site
COUNTERS = CONFIG.counters

# Demo passwords and PINs (0N0N) only, documented in docs.
USERS: tuple[UserSeed, ...] = (
    UserSeed("thuduc01", "Phạm Thị Ngọc Hân", Role.CLERK, "demo-td01", "td-1", "0101"),
    UserSeed("thuduc02", "Trần Minh Khoa", Role.CLERK, "demo-td02", "td-2", "0202"),
    UserSeed("thuduc03", "Nguyễn Thị Thu Trang", Role.CLERK, "demo-td03", "td-3", "0303"),
    UserSeed("thuduc04", "Võ Quốc Thịnh", Role.CLERK, "demo-td04", "td-4", "0404"),
    UserSeed("thuduc-supervisor", "Đỗ Thanh Bình", Role.SUPERVISOR, "demo-td-supervisor", None),
)

DEVICES: tuple[DeviceSeed, ...] = (
    DeviceSeed("thuduc-kiosk-1", DeviceKind.KIOSK, "Ki-ốt lấy số phường Thủ Đức", None),
    *(DeviceSeed(d.id, DeviceKind.DISPLAY, d.name, d.area) for d in CONFIG.displays),
    *(
        DeviceSeed(
            f"thuduc-counter-pc-{c.number}", DeviceKind.COUNTER, f"Máy quầy {c.number}", None
        )
        for c in COUNTERS
    ),
)


def ward_thu_duc() -> SiteSeed:
    return SiteSeed(
        site=SITE,
        areas=CONFIG.areas,
        departments=CONFIG.departments,
        services=CONFIG.services,
        counters=COUNTERS,
        users=USERS,
        devices=DEVICES,
        address="Phường Thủ Đức, Thành phố Hồ Chí Minh",
    )
