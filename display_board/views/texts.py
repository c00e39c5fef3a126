"""What the board says on screen: Vietnamese first, English second, dates in Vietnamese.

Every word the board shows is here (the spoken phrases are in ``display_board.voice``),
read together with the counter's, the kiosk's and the server's texts: the citizen is
"quý khách" when addressed, "công dân có số thứ tự" when called.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from server.contract.vocab import CounterState

WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")


@dataclass(frozen=True, slots=True)
class Texts:
    now_calling: str = "MỜI CÔNG DÂN CÓ SỐ"
    now_calling_en: str = "Now calling"
    recall: str = "MỜI LẠI CÔNG DÂN CÓ SỐ"
    recall_en: str = "Calling again"
    to_counter: str = "ĐẾN QUẦY"
    to_counter_en: str = "Please go to counter"
    counter: str = "Quầy"
    counters_title: str = "SỐ ĐANG PHỤC VỤ TẠI CÁC QUẦY · Now serving"
    recent_title: str = "VỪA GỌI"
    recent_title_en: str = "Recently called"
    waiting_title: str = "SỐ NGƯỜI ĐANG CHỜ · Waiting"
    closed: str = "Quầy đóng"
    paused: str = "Tạm nghỉ"
    idle: str = "—"
    waiting_for_data: str = "Đang chờ dữ liệu từ máy chủ… · Waiting for the server…"
    default_notice: str = (
        "Kính mời quý khách theo dõi số thứ tự trên màn hình và lời mời qua loa"
        " · Please watch the screen and listen for your number"
    )
    no_call_yet: str = "Chưa có số nào được gọi · No number called yet"
    connection_lost: str = "Mất kết nối"
    server_offline: str = "Máy chủ tạm ngưng"
    window_title: str = "Bảng hiển thị · Display board"


T = Texts()


def counter_state_text(state: CounterState) -> str:
    if state == CounterState.CLOSED:
        return T.closed
    if state == CounterState.PAUSED:
        return T.paused
    return T.idle


def date_vi(moment: datetime) -> str:
    """``Thứ Hai, 23/11/2026``."""
    return f"{WEEKDAYS_VI[moment.weekday()]}, {moment:%d/%m/%Y}"
