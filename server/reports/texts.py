"""Every text of the reports (exports, CLI table, pages, PDF), Vietnamese first."""

from typing import Literal, NamedTuple

Kind = Literal["count", "minutes", "percent"]


class Column(NamedTuple):
    name: str  # the figure (``Figures`` field) it shows
    vi: str
    en: str
    kind: Kind


# The figures in the order every export and page shows them. Durations are shown in
# minutes; the database keeps seconds.
COLUMNS: tuple[Column, ...] = (
    Column("issued", "Số phát", "Issued", "count"),
    Column("served", "Đã phục vụ", "Served", "count"),
    Column("no_show", "Vắng mặt", "No-show", "count"),
    Column("cancelled", "Đã hủy", "Cancelled", "count"),
    Column("expired", "Chưa phục vụ khi đóng cửa", "Open at closing", "count"),
    Column("in_progress", "Đang chờ/đang phục vụ", "In progress", "count"),
    Column("transferred", "Chuyển tiếp", "Transferred", "count"),
    Column("parked", "Tạm gác", "Parked", "count"),
    Column("called", "Được gọi", "Called", "count"),
    Column("wait_mean_s", "Chờ TB (phút)", "Mean wait (min)", "minutes"),
    Column("wait_median_s", "Chờ trung vị (phút)", "Median wait (min)", "minutes"),
    Column("wait_p90_s", "Chờ P90 (phút)", "90th pct wait (min)", "minutes"),
    Column("wait_max_s", "Chờ lâu nhất (phút)", "Longest wait (min)", "minutes"),
    Column("service_mean_s", "Phục vụ TB (phút)", "Mean service (min)", "minutes"),
    Column("service_median_s", "Phục vụ trung vị (phút)", "Median service (min)", "minutes"),
    Column("sla_pct", "Đạt chỉ tiêu chờ (%)", "Within wait target (%)", "percent"),
    Column("no_show_pct", "Tỷ lệ vắng mặt (%)", "No-show rate (%)", "percent"),
    Column(
        "estimate_median_error_s",
        "Sai lệch dự kiến trung vị (phút)",
        "Median estimate error (min)",
        "minutes",
    ),
    Column("estimate_within_pct", "Dự kiến đúng ±25% (%)", "Estimates within 25% (%)", "percent"),
    Column("very_satisfied", "Rất hài lòng", "Very satisfied", "count"),
    Column("satisfied", "Hài lòng", "Satisfied", "count"),
    Column("neutral", "Bình thường", "Neutral", "count"),
    Column("unsatisfied", "Chưa hài lòng", "Unsatisfied", "count"),
    Column("rated", "Lượt đánh giá", "Ratings", "count"),
    Column("satisfied_pct", "Tỷ lệ hài lòng (%)", "Satisfied (%)", "percent"),
)
# The few columns a terminal table and the page's main table show.
BRIEF = (
    "issued",
    "served",
    "no_show",
    "transferred",
    "wait_mean_s",
    "wait_median_s",
    "wait_p90_s",
    "sla_pct",
    "satisfied_pct",
)

CUT_NAMES: dict[str, tuple[str, str]] = {
    "site": ("Điểm tiếp nhận", "Site"),
    "department": ("Sở, ban, ngành", "Department"),
    "field": ("Lĩnh vực", "Field"),
    "counter": ("Quầy", "Counter"),
    "clerk": ("Cán bộ", "Clerk"),
    "hour": ("Giờ trong ngày", "Hour of day"),
    "weekday": ("Thứ trong tuần", "Weekday"),
    "priority": ("Đối tượng ưu tiên", "Priority category"),
    "channel": ("Hình thức lấy số", "Channel"),
    "day": ("Ngày", "Day"),
    "month": ("Tháng", "Month"),
    "heatmap": ("Thứ × giờ", "Weekday × hour"),
}
# A visit's channel (its first ticket's, ``server.contract.vocab.Channel``).
CHANNELS: dict[str, tuple[str, str]] = {
    "walk_in": ("Lấy số tại ki-ốt", "Walk-in"),
    "appointment": ("Đặt lịch hẹn", "Appointment"),
}
KEY_HEADER = ("Mã", "Key")
LABEL_HEADER = ("Tên", "Name")
TOTAL = ("Tổng cộng", "Total")

PAGE = {
    "title": ("Báo cáo hoạt động", "Activity report"),
    "monthly_title": ("Báo cáo tháng", "Monthly report"),
    "period": ("Kỳ báo cáo", "Period"),
    "sites": ("Điểm tiếp nhận", "Sites"),
    "all_sites": ("Tất cả các điểm", "All sites"),
    "generated": ("Lập lúc", "Generated at"),
    "from": ("Từ ngày", "From"),
    "to": ("Đến ngày", "To"),
    "by": ("Theo", "By"),
    "show": ("Xem", "Show"),
    "download": ("Tải về", "Download"),
    "summary": ("Tổng quan", "Summary"),
    "waits_chart": ("Thời gian chờ (phút)", "Waits (minutes)"),
    "outcomes_chart": ("Kết quả phục vụ", "Outcomes"),
    "satisfaction_chart": ("Mức độ hài lòng", "Satisfaction"),
    "heatmap": ("Lượt đến theo thứ và giờ", "Arrivals by weekday and hour"),
    "heatmap_wait": (
        "Chờ trung bình theo thứ và giờ (phút)",
        "Mean wait by weekday and hour (min)",
    ),
    "no_data": ("Không có số liệu trong kỳ này.", "No figures in this period."),
    "definitions": (
        "Thời gian chờ tính từ lúc lấy số (hoặc lúc được chuyển) đến lần gọi đầu tiên, "
        "cộng qua các lần chuyển của cùng một lượt; chỉ tiêu chờ theo từng lĩnh vực.",
        "A wait runs from the ticket's issue (or transfer) to its first call, summed over "
        "the transfers of one visit; wait targets are set per field.",
    ),
    "signature": ("Người lập báo cáo", "Prepared by"),
    "manager": ("Giám đốc trung tâm", "Centre director"),
}
WEEKDAYS = (
    ("Thứ Hai", "Mon"),
    ("Thứ Ba", "Tue"),
    ("Thứ Tư", "Wed"),
    ("Thứ Năm", "Thu"),
    ("Thứ Sáu", "Fri"),
    ("Thứ Bảy", "Sat"),
    ("Chủ Nhật", "Sun"),
)
