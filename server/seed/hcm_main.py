"""The city's main centre at 43 Nguyễn Văn Bá, phường Thủ Đức: 67 counters in six zones.

Each zone (A, A1, A2, B, B1, B2) is an area with its own display board and groups the
reception desks of a few departments. The first counter of each zone is a priority
counter that serves every field of the zone; the others serve their department's
fields, the counter's main field first.
"""

from server.contract.vocab import DeviceKind, Role
from server.engine.model import Area, CounterConfig, SiteConfig
from server.seed.common import OFFICE_HOURS, PRIORITY_CATEGORIES, clerk_name
from server.seed.hcm_services import DEPARTMENTS, SERVICES
from server.seed.types import DeviceSeed, SiteSeed, UserSeed

SITE_ID = "hcm-main"
ADDRESS = "43 Nguyễn Văn Bá, phường Thủ Đức, Thành phố Hồ Chí Minh"

SITE = SiteConfig(
    id=SITE_ID,
    name="Trung tâm Phục vụ hành chính công TP. Hồ Chí Minh",
    name_en="Ho Chi Minh City Public Administrative Service Centre",
    hours=OFFICE_HOURS,
    priority_categories=PRIORITY_CATEGORIES,
    priority_ratio=3,
    aging_after_s=45 * 60,
    call_policy="default",  # or "first-come-first-served" (server.engine.policy)
)

AREAS: tuple[Area, ...] = (
    Area("A", "Khu A", "Zone A"),
    Area("A1", "Khu A1", "Zone A1"),
    Area("A2", "Khu A2", "Zone A2"),
    Area("B", "Khu B", "Zone B"),
    Area("B1", "Khu B1", "Zone B1"),
    Area("B2", "Khu B2", "Zone B2"),
)

# Per zone, in counter-number order: (department, the main field of each of its counters).
# The zone's priority counter comes before these.
Layout = tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...]

_LAYOUT: Layout = (
    (
        "A",
        (
            ("tu-phap", ("tp-hotich", "tp-hotich", "tp-lltp", "tp-chungthuc", "tp-quoctich")),
            ("cong-an", ("ca-cutru", "ca-cutru", "ca-cancuoc", "ca-cancuoc", "ca-xnc")),
            ("bhxh", ("bhxh-thu", "bhxh-thu", "bhxh-chedo", "bhxh-chedo")),
        ),
    ),
    (
        "A1",
        (
            ("tai-chinh", ("tc-dkdn",) * 4 + ("tc-dautu", "tc-taisan")),
            ("thue", ("thue-dangky", "thue-dangky", "thue-hoadon", "thue-hoadon")),
            ("hepza", ("kcn-dautu", "kcn-laodong")),
        ),
    ),
    (
        "A2",
        (
            (
                "xay-dung",
                ("xd-cpxd", "xd-cpxd", "xd-nhao", "xd-gplx", "xd-gplx", "xd-gplx", "xd-vantai"),
            ),
            ("qhkt", ("qhkt-quyhoach", "qhkt-kientruc")),
        ),
    ),
    (
        "B",
        (
            (
                "nnmt",
                ("nnmt-datdai",) * 4 + ("nnmt-moitruong", "nnmt-nongnghiep", "nnmt-datdai"),
            ),
            ("noi-vu", ("nv-laodong", "nv-laodong", "nv-nguoicocong", "nv-congvu")),
        ),
    ),
    (
        "B1",
        (
            ("y-te", ("yt-hanhnghe", "yt-duoc", "yt-baotro")),
            ("gddt", ("gd-vanbang", "gd-vanbang", "gd-cosogd")),
            ("vhtt", ("vhtt-vanhoa", "vhtt-thethao")),
        ),
    ),
    (
        "B2",
        (
            ("cong-thuong", ("ct-thuongmai", "ct-nangluong", "ct-attp")),
            ("khcn", ("khcn-tcdlcl", "khcn-baochi")),
            ("du-lich", ("dl-luhanh", "dl-luutru")),
        ),
    ),
)


def _fields(department: str) -> tuple[str, ...]:
    return tuple(s.code for s in SERVICES if s.department == department)


def _counters(layout: Layout) -> tuple[CounterConfig, ...]:
    counters: list[CounterConfig] = []
    number = 0
    for area, desks in layout:
        zone_fields = tuple(code for department, _ in desks for code in _fields(department))
        number += 1
        counters.append(
            CounterConfig(
                id=str(number),
                number=number,
                name=f"Quầy {number} - Ưu tiên",
                area=area,
                services=zone_fields,
                priority_counter=True,
            )
        )
        for department, mains in desks:
            fields = _fields(department)
            for main in mains:
                number += 1
                counters.append(
                    CounterConfig(
                        id=str(number),
                        number=number,
                        name=f"Quầy {number}",
                        area=area,
                        services=(main, *(f for f in fields if f != main)),
                    )
                )
    return tuple(counters)


COUNTERS: tuple[CounterConfig, ...] = _counters(_LAYOUT)

# Demo passwords only, documented in docs: clerkNN / demo-quay-NN (PIN NNNN), supervisor
# / demo-giam-sat, admin / demo-quan-tri. They pass the password policy.
USERS: tuple[UserSeed, ...] = (
    *(
        UserSeed(
            f"clerk{c.number:02d}",
            clerk_name(c.number - 1),
            Role.CLERK,
            f"demo-quay-{c.number:02d}",
            c.id,
            f"{c.number:02d}" * 2,
        )
        for c in COUNTERS
    ),
    UserSeed("supervisor", "Lê Hoàng Phương", Role.SUPERVISOR, "demo-giam-sat", None),
    UserSeed("admin", "Quản trị hệ thống", Role.ADMIN, "demo-quan-tri", None),
)

DEVICES: tuple[DeviceSeed, ...] = (
    *(
        DeviceSeed(f"kiosk-{n}", DeviceKind.KIOSK, f"Ki-ốt lấy số {n} - sảnh chính", None)
        for n in range(1, 5)
    ),
    *(
        DeviceSeed(f"display-{a.id}", DeviceKind.DISPLAY, f"Màn hình {a.name_vi}", a.id)
        for a in AREAS
    ),
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
        departments=DEPARTMENTS,
        services=SERVICES,
        counters=COUNTERS,
        users=USERS,
        devices=DEVICES,
        address=ADDRESS,
    )
