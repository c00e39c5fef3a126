"""The city's main centre at 43 Nguyễn Văn Bá, phường Thủ Đức: 67 counters in six zones.

Its configuration is the site file ``sites/hcm-main.toml``; this module adds the demo's
accounts (a clerk per counter, a supervisor, an admin) and devices.

Each zone (A, A1, A2, B, B1, B2) is an area with its own display board and groups the
reception desks of a few departments. The first counter of each zone is a priority
counter that serves every field of the zone; the others serve their department's
fields, the counter's main field first.
"""

from server.contract.vocab import DeviceKind, Role
from server.seed.common import clerk_name
from server.seed.files import site_file
from server.seed.types import DeviceSeed, SiteSeed, UserSeed

SITE_ID = "hcm-main"
ADDRESS = "43 Nguyễn Văn Bá, phường Thủ Đức, Thành phố Hồ Chí Minh"

# The configuration (zones, departments, fields, counters, hours, holidays) is data:
# server/seed/sites/hcm-main.toml. What follows are the demo's accounts and devices.
CONFIG = site_file(SITE_ID)
SITE = CONFIG.site
AREAS = CONFIG.areas
COUNTERS = CONFIG.counters

# Demo passwords only, documented in docs: clerkNN / demoNN (PIN NNNN), supervisor, admin.
USERS: tuple[UserSeed, ...] = (
    *(
        UserSeed(
            f"clerk{c.number:02d}",
            clerk_name(c.number - 1),
            Role.CLERK,
            f"demo{c.number:02d}",
            c.id,
            f"{c.number:02d}" * 2,
        )
        for c in COUNTERS
    ),
    UserSeed("supervisor", "Lê Hoàng Phương", Role.SUPERVISOR, "demo-supervisor", None),
    UserSeed("admin", "Quản trị hệ thống", Role.ADMIN, "demo-admin", None),
)

DEVICES: tuple[DeviceSeed, ...] = (
    *(
        DeviceSeed(f"kiosk-{n}", DeviceKind.KIOSK, f"Ki-ốt lấy số {n} - sảnh chính", None)
        for n in range(1, 5)
    ),
    *(DeviceSeed(d.id, DeviceKind.DISPLAY, d.name, d.area) for d in CONFIG.displays),
    # The PC at each counter: its token lets clerks log in there by PIN.
    *(
        DeviceSeed(f"counter-pc-{c.number}", DeviceKind.COUNTER, f"Máy tính quầy {c.number}", None)
        for c in COUNTERS
    ),
)


def hcm_main() -> SiteSeed:
    return SiteSeed(
        site=SITE,
        areas=AREAS,
        departments=CONFIG.departments,
        services=CONFIG.services,
        counters=COUNTERS,
        users=USERS,
        devices=DEVICES,
        address=ADDRESS,
    )
