"""The departments and fields of the city's main centre (hcm-main).

Department names are those in use after the 2025 merger of city departments (Finance
took over Planning and Investment, Construction took over Transport, Agriculture and
Environment replaced Natural Resources and Environment, Home Affairs took over Labour,
Science and Technology took over Information and Communications, Health took over social
protection). Busy fields get numeric blocks (1001-1999, 2001-2999, ...); the others get a
two-letter prefix (``VB001``), so every number is unique in the hall on a given day.
"""

from server.engine.model import Department, ServiceConfig
from server.seed.common import MORNING_HOURS, block, letters

DEPARTMENTS: tuple[Department, ...] = (
    Department("tu-phap", "Sở Tư pháp", "Department of Justice"),
    Department("cong-an", "Công an Thành phố", "City Police"),
    Department("bhxh", "Bảo hiểm xã hội Thành phố", "City Social Insurance"),
    Department("tai-chinh", "Sở Tài chính", "Department of Finance"),
    Department("thue", "Thuế Thành phố", "City Tax Office"),
    Department(
        "hepza",
        "Ban Quản lý các khu chế xuất và công nghiệp",
        "Export Processing and Industrial Zones Authority",
    ),
    Department("xay-dung", "Sở Xây dựng", "Department of Construction"),
    Department("qhkt", "Sở Quy hoạch - Kiến trúc", "Department of Planning and Architecture"),
    Department("nnmt", "Sở Nông nghiệp và Môi trường", "Department of Agriculture and Environment"),
    Department("noi-vu", "Sở Nội vụ", "Department of Home Affairs"),
    Department("y-te", "Sở Y tế", "Department of Health"),
    Department("gddt", "Sở Giáo dục và Đào tạo", "Department of Education and Training"),
    Department("vhtt", "Sở Văn hóa và Thể thao", "Department of Culture and Sports"),
    Department("cong-thuong", "Sở Công Thương", "Department of Industry and Trade"),
    Department("khcn", "Sở Khoa học và Công nghệ", "Department of Science and Technology"),
    Department("du-lich", "Sở Du lịch", "Department of Tourism"),
)


def _svc(  # noqa: PLR0917 - one table row per field reads best positionally
    code: str,
    department: str,
    name_vi: str,
    name_en: str,
    number: str | int,
    service_s: int,
    quota: int | None = None,
    *,
    mornings_only: bool = False,
) -> ServiceConfig:
    return ServiceConfig(
        code=code,
        department=department,
        name_vi=name_vi,
        name_en=name_en,
        number_format=block(number) if isinstance(number, int) else letters(number),
        daily_quota=quota,
        hours=MORNING_HOURS if mornings_only else None,
        default_service_s=service_s,
    )


SERVICES: tuple[ServiceConfig, ...] = (
    # Sở Tư pháp
    _svc("tp-hotich", "tu-phap", "Hộ tịch", "Civil status registration", 1, 600),
    _svc("tp-lltp", "tu-phap", "Lý lịch tư pháp", "Criminal record certificates", 2, 420, 400),
    _svc("tp-chungthuc", "tu-phap", "Chứng thực", "Certified copies and signatures", 3, 300),
    _svc("tp-quoctich", "tu-phap", "Quốc tịch", "Nationality", "QT", 900),
    _svc(
        "tp-botro",
        "tu-phap",
        "Luật sư, công chứng, bổ trợ tư pháp",
        "Lawyers, notaries and judicial support",
        "BT",
        900,
    ),
    # Công an Thành phố
    _svc("ca-cutru", "cong-an", "Cư trú", "Residence registration", 4, 600),
    _svc("ca-cancuoc", "cong-an", "Căn cước", "Identity cards", 5, 480, 300),
    _svc("ca-xnc", "cong-an", "Xuất nhập cảnh", "Passports and immigration", "XC", 720, 200),
    # Bảo hiểm xã hội
    _svc(
        "bhxh-thu",
        "bhxh",
        "Thu, cấp sổ bảo hiểm xã hội, thẻ bảo hiểm y tế",
        "Contributions, social insurance books, health insurance cards",
        "BH",
        540,
    ),
    _svc("bhxh-chedo", "bhxh", "Giải quyết chế độ bảo hiểm", "Insurance benefits", "CD", 720),
    # Sở Tài chính (formerly also Planning and Investment)
    _svc("tc-dkdn", "tai-chinh", "Đăng ký doanh nghiệp", "Business registration", 6, 900),
    _svc("tc-dautu", "tai-chinh", "Đầu tư", "Investment registration", "DT", 1200),
    _svc(
        "tc-taisan", "tai-chinh", "Ngân sách, tài sản công", "Budget and public assets", "NS", 900
    ),
    # Thuế Thành phố
    _svc("thue-dangky", "thue", "Đăng ký, kê khai thuế", "Tax registration and returns", "TH", 600),
    _svc("thue-hoadon", "thue", "Hóa đơn, hoàn thuế", "Invoices and tax refunds", "HD", 720),
    # Ban Quản lý các khu chế xuất và công nghiệp
    _svc(
        "kcn-dautu",
        "hepza",
        "Đầu tư vào khu chế xuất, khu công nghiệp",
        "Investment in export processing and industrial zones",
        "KC",
        1200,
    ),
    _svc(
        "kcn-laodong",
        "hepza",
        "Lao động trong khu chế xuất, khu công nghiệp",
        "Labour in export processing and industrial zones",
        "KL",
        600,
    ),
    # Sở Xây dựng (formerly also Transport)
    _svc("xd-cpxd", "xay-dung", "Cấp phép xây dựng", "Construction permits", 7, 1200),
    _svc("xd-nhao", "xay-dung", "Nhà ở, bất động sản", "Housing and real estate", "NO", 900),
    _svc("xd-gplx", "xay-dung", "Giấy phép lái xe", "Driving licences", 8, 420, 400),
    _svc(
        "xd-vantai",
        "xay-dung",
        "Phương tiện, vận tải",
        "Vehicles and transport permits",
        "VT",
        600,
    ),
    # Sở Quy hoạch - Kiến trúc
    _svc("qhkt-quyhoach", "qhkt", "Thông tin quy hoạch", "Zoning information", "QH", 900),
    _svc(
        "qhkt-kientruc",
        "qhkt",
        "Chứng chỉ hành nghề kiến trúc",
        "Architecture practice certificates",
        "KT",
        600,
    ),
    # Sở Nông nghiệp và Môi trường (land is the busiest field of the hall)
    _svc("nnmt-datdai", "nnmt", "Đất đai", "Land", 9, 1200, 250, mornings_only=True),
    _svc("nnmt-moitruong", "nnmt", "Môi trường", "Environmental permits", "MT", 900),
    _svc(
        "nnmt-nongnghiep",
        "nnmt",
        "Nông nghiệp, thú y, thủy sản",
        "Agriculture, veterinary and fisheries",
        "NN",
        600,
    ),
    # Sở Nội vụ (formerly also Labour, Invalids and Social Affairs)
    _svc("nv-laodong", "noi-vu", "Lao động, việc làm", "Labour and employment", "LD", 600),
    _svc(
        "nv-nguoicocong",
        "noi-vu",
        "Người có công",
        "Persons with meritorious service",
        "NC",
        720,
    ),
    _svc(
        "nv-congvu",
        "noi-vu",
        "Tổ chức, công vụ, thi đua khen thưởng",
        "Organisation, civil service and awards",
        "TD",
        600,
    ),
    # Sở Y tế (formerly social protection came from Labour)
    _svc(
        "yt-hanhnghe",
        "y-te",
        "Hành nghề khám bệnh, chữa bệnh",
        "Medical practice licences",
        "YT",
        720,
    ),
    _svc("yt-duoc", "y-te", "Dược, mỹ phẩm", "Pharmaceuticals and cosmetics", "DC", 720),
    _svc(
        "yt-baotro",
        "y-te",
        "Bảo trợ xã hội, trẻ em",
        "Social protection and children",
        "BX",
        600,
    ),
    # Sở Giáo dục và Đào tạo
    _svc("gd-vanbang", "gddt", "Văn bằng, chứng chỉ", "Diplomas and certificates", "VB", 420),
    _svc(
        "gd-cosogd",
        "gddt",
        "Cấp phép cơ sở giáo dục",
        "Licensing of schools and education centres",
        "GD",
        900,
    ),
    # Sở Văn hóa và Thể thao
    _svc(
        "vhtt-vanhoa",
        "vhtt",
        "Văn hóa, nghệ thuật biểu diễn, quảng cáo",
        "Culture, performing arts and advertising",
        "VH",
        600,
    ),
    _svc("vhtt-thethao", "vhtt", "Thể dục, thể thao", "Sports", "TT", 600),
    # Sở Công Thương
    _svc(
        "ct-thuongmai",
        "cong-thuong",
        "Thương mại, xúc tiến thương mại",
        "Trade and trade promotion",
        "CT",
        600,
    ),
    _svc(
        "ct-nangluong",
        "cong-thuong",
        "Điện, năng lượng, hóa chất",
        "Electricity, energy and chemicals",
        "NL",
        720,
    ),
    _svc("ct-attp", "cong-thuong", "An toàn thực phẩm", "Food safety", "AT", 600),
    # Sở Khoa học và Công nghệ (formerly also Information and Communications)
    _svc(
        "khcn-tcdlcl",
        "khcn",
        "Sở hữu trí tuệ, tiêu chuẩn, đo lường, chất lượng",
        "Intellectual property, standards, metrology and quality",
        "KH",
        600,
    ),
    _svc(
        "khcn-baochi",
        "khcn",
        "Báo chí, xuất bản, viễn thông",
        "Press, publishing and telecommunications",
        "BC",
        600,
    ),
    # Sở Du lịch
    _svc(
        "dl-luhanh",
        "du-lich",
        "Lữ hành, hướng dẫn viên du lịch",
        "Tour operators and tour guides",
        "DL",
        600,
    ),
    _svc("dl-luutru", "du-lich", "Cơ sở lưu trú du lịch", "Tourist accommodation", "LT", 600),
)
