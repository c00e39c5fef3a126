"""A ward reception point (phường Thủ Đức): one room, four counters, one kiosk, one display.

It shows that one installation serves many sites. Its ids are distinct from the main
centre's so nothing collides even where a store keys them across sites.
"""

from server.contract.vocab import DeviceKind, Role
from server.engine.model import Area, CounterConfig, Department, ServiceConfig, SiteConfig
from server.seed.common import OFFICE_HOURS, PRIORITY_CATEGORIES, block
from server.seed.types import DeviceSeed, SiteSeed, UserSeed

SITE_ID = "phuong-thu-duc"

SITE = SiteConfig(
    id=SITE_ID,
    name="Điểm tiếp nhận hồ sơ phường Thủ Đức",
    name_en="Thu Duc Ward Reception Point",
    hours=OFFICE_HOURS,
    priority_categories=PRIORITY_CATEGORIES,
    call_policy="default",  # or "first-come-first-served" (server.engine.policy)
)

AREAS: tuple[Area, ...] = (Area("TD", "Phòng tiếp nhận", "Reception room"),)

DEPARTMENTS: tuple[Department, ...] = (
    Department("td-vanphong", "Văn phòng HĐND và UBND phường", "Ward People's Committee Office"),
    Department(
        "td-kinhte",
        "Phòng Kinh tế, Hạ tầng và Đô thị",
        "Economy, Infrastructure and Urban Affairs Office",
    ),
    Department("td-vhxh", "Phòng Văn hóa - Xã hội", "Culture and Social Affairs Office"),
)

SERVICES: tuple[ServiceConfig, ...] = (
    ServiceConfig(
        "td-hotich", "td-vanphong", "Hộ tịch, chứng thực", "Civil status and certified copies",
        block(1), default_service_s=420,
    ),
    ServiceConfig(
        "td-datdai", "td-kinhte", "Đất đai, xây dựng", "Land and building",
        block(2), daily_quota=60, default_service_s=900,
    ),
    ServiceConfig(
        "td-hkd", "td-kinhte", "Đăng ký hộ kinh doanh", "Household business registration",
        block(3), default_service_s=600,
    ),
    ServiceConfig(
        "td-ansinh", "td-vhxh", "Chính sách, an sinh xã hội", "Social policy and welfare",
        block(4), default_service_s=600,
    ),
)  # fmt: skip

COUNTERS: tuple[CounterConfig, ...] = (
    CounterConfig(
        "td-1", 1, "Quầy 1 - Ưu tiên", "TD", ("td-hotich", "td-ansinh"), priority_counter=True
    ),
    CounterConfig("td-2", 2, "Quầy 2", "TD", ("td-hotich", "td-ansinh")),
    CounterConfig("td-3", 3, "Quầy 3", "TD", ("td-datdai", "td-hkd")),
    CounterConfig("td-4", 4, "Quầy 4", "TD", ("td-hkd", "td-datdai")),
)

# Demo passwords and PINs (0N0N) only, documented in docs.
USERS: tuple[UserSeed, ...] = (
    UserSeed("thuduc01", "Phạm Thị Ngọc Hân", Role.CLERK, "demo-td-quay-1", "td-1", "0101"),
    UserSeed("thuduc02", "Trần Minh Khoa", Role.CLERK, "demo-td-quay-2", "td-2", "0202"),
    UserSeed("thuduc03", "Nguyễn Thị Thu Trang", Role.CLERK, "demo-td-quay-3", "td-3", "0303"),
    UserSeed("thuduc04", "Võ Quốc Thịnh", Role.CLERK, "demo-td-quay-4", "td-4", "0404"),
    UserSeed("thuduc-supervisor", "Đỗ Thanh Bình", Role.SUPERVISOR, "demo-td-supervisor", None),
)

DEVICES: tuple[DeviceSeed, ...] = (
    DeviceSeed("thuduc-kiosk-1", DeviceKind.KIOSK, "Ki-ốt lấy số phường Thủ Đức", None),
    DeviceSeed("thuduc-display", DeviceKind.DISPLAY, "Màn hình phòng tiếp nhận", "TD"),
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
        areas=AREAS,
        departments=DEPARTMENTS,
        services=SERVICES,
        counters=COUNTERS,
        users=USERS,
        devices=DEVICES,
        address="Phường Thủ Đức, Thành phố Hồ Chí Minh",
    )
