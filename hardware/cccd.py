"""Parse the QR code on a Vietnamese chip ID card (CCCD). Pure.

The code holds ``ID|old ID|full name|birth ddmmyyyy|sex|address|issue ddmmyyyy`` (newer
cards may append more fields, which we ignore). The 12-digit ID number is personal
data: it stays inside ``CccdScan``; the rest of the system sees only a keyed hash
(``citizen_key``, for "one active ticket per person per service") and a masked form
(``0792******34``) for screens. Neither ``repr`` nor ``str`` shows it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from hardware.errors import HardwareError

MIN_FIELDS = 7
MAX_SCAN_LENGTH = 1024
MIN_SITE_KEY_BYTES = 16

_DIGITS12 = re.compile(r"\d{12}")
_OLD_ID = re.compile(r"(\d{9}|\d{12})?")
_DATE = re.compile(r"\d{8}")
# Letters (any script, for names with diacritics), spaces, and the odd hyphen/apostrophe.
_NAME = re.compile(r"[^\W\d_]+(?:[ '\-][^\W\d_]+)*")


@dataclass(frozen=True, slots=True)
class ScanRejected:
    """A scan that is not a valid CCCD QR code, with the reason in both languages."""

    message_vi: str
    message_en: str


class CccdError(HardwareError, ValueError):
    """A scan that is not a valid CCCD QR code; the message exists in both languages."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        self.message_vi = message_vi
        self.message_en = message_en
        super().__init__(f"{message_en} / {message_vi}")

    def rejected(self) -> ScanRejected:
        return ScanRejected(message_vi=self.message_vi, message_en=self.message_en)


class CccdScan:
    """One successfully read ID card. The ID number itself is private to this module."""

    __slots__ = ("__id", "address", "date_of_birth", "full_name", "issue_date", "sex")

    def __init__(
        self,
        id_number: str,
        *,
        full_name: str,
        date_of_birth: date,
        sex: str,
        address: str,
        issue_date: date,
    ) -> None:
        if not _DIGITS12.fullmatch(id_number):
            raise CccdError("Số CCCD phải có 12 chữ số.", "The ID number must have 12 digits.")
        self.__id = id_number
        self.full_name = full_name
        self.date_of_birth = date_of_birth
        self.sex = sex
        self.address = address
        self.issue_date = issue_date

    @property
    def masked_id(self) -> str:
        """``0792******34``: enough for the citizen to recognise, useless to anyone else."""
        return f"{self.__id[:4]}{'*' * 6}{self.__id[-2:]}"

    def number_for_check_in(self) -> str:
        """The ID number, for one request only: a kiosk checking in the appointment this
        card booked sends it to the server, which keys it with its secret and keeps
        nothing of it (docs/security.md). Nothing else may read it."""
        return self.__id

    def citizen_key(self, site_key: bytes | str) -> str:
        """HMAC-SHA256 of the ID number under the site's secret key, as 64 hex digits.

        Keyed, so the 12-digit space (about 10^11 real values) cannot be brute-forced from
        a leaked database without the key too.
        """
        key = site_key.encode() if isinstance(site_key, str) else bytes(site_key)
        if len(key) < MIN_SITE_KEY_BYTES:
            raise ValueError(f"the site key must have at least {MIN_SITE_KEY_BYTES} bytes")
        return hmac.new(key, self.__id.encode(), hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        return f"CccdScan(full_name={self.full_name!r}, id={self.masked_id!r})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CccdScan):
            return NotImplemented
        return hmac.compare_digest(self.__id, other.__id) and self.full_name == other.full_name

    def __hash__(self) -> int:
        return hash((self.masked_id, self.full_name))

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a CccdScan is not serialisable: it holds an ID number in clear")


def _date(text: str, what_vi: str, what_en: str) -> date:
    if not _DATE.fullmatch(text):
        raise CccdError(
            f"{what_vi} phải có dạng ngàythángnăm (8 chữ số).",
            f"The {what_en} must be ddmmyyyy (8 digits).",
        )
    try:
        return date(int(text[4:]), int(text[2:4]), int(text[:2]))
    except ValueError:
        raise CccdError(
            f"{what_vi} không phải là ngày hợp lệ.", f"The {what_en} is not a real date."
        ) from None


def _sex(text: str) -> str:
    folded = text.strip().casefold()
    if folded == "nam":
        return "Nam"
    if folded in ("nữ", "nu"):
        return "Nữ"
    raise CccdError("Giới tính phải là Nam hoặc Nữ.", "Sex must be Nam or Nữ.")


def _check_id_against_birth(id_number: str, born: date, sex: str) -> None:
    """Digits 1-3 are the province (001..096); digit 4 codes century and sex; 5-6 the year.

    A misread digit almost always breaks this, so we refuse instead of hashing a
    number that belongs to nobody (or to somebody else).
    """
    if not 1 <= int(id_number[:3]) <= 96:
        raise CccdError(
            "Mã tỉnh trong số CCCD không hợp lệ.", "The province code of the ID number is invalid."
        )
    code = int(id_number[3])
    century = 1900 + (code // 2) * 100
    female = code % 2 == 1
    if century + int(id_number[4:6]) != born.year or female != (sex == "Nữ"):
        raise CccdError(
            "Số CCCD không khớp với năm sinh hoặc giới tính.",
            "The ID number does not match the year of birth or sex.",
        )


def parse_cccd(text: str, *, today: date | None = None) -> CccdScan:
    """Parse one scan; raise ``CccdError`` saying (in Vietnamese and English) what is wrong."""
    if len(text) > MAX_SCAN_LENGTH:
        raise CccdError("Mã QR quá dài.", "The QR code is too long.")
    text = unicodedata.normalize("NFC", text).strip().strip("\x00")
    fields = [f.strip() for f in text.split("|")]
    if len(fields) < MIN_FIELDS:
        raise CccdError(
            "Đây không phải mã QR trên thẻ CCCD (thiếu thông tin).",
            f"This is not a CCCD QR code (expected {MIN_FIELDS} fields separated by '|', "
            f"got {len(fields)}).",
        )
    id_number, old_id, name, born_text, sex_text, address, issued_text = fields[:MIN_FIELDS]
    if not _DIGITS12.fullmatch(id_number):
        raise CccdError("Số CCCD phải có 12 chữ số.", "The ID number must have 12 digits.")
    if not _OLD_ID.fullmatch(old_id):
        raise CccdError(
            "Số CMND cũ phải có 9 hoặc 12 chữ số.", "The old ID number must have 9 or 12 digits."
        )
    name = " ".join(name.split())
    if not name or len(name) > 100 or not _NAME.fullmatch(name):
        raise CccdError("Họ và tên không hợp lệ.", "The full name is not valid.")
    born = _date(born_text, "Ngày sinh", "date of birth")
    sex = _sex(sex_text)
    if not address:
        raise CccdError("Thiếu địa chỉ nơi thường trú.", "The address is missing.")
    issued = _date(issued_text, "Ngày cấp", "issue date")
    # One day of slack: a card issued this morning in Vietnam (UTC+7) is still 'yesterday' in UTC.
    today = today or (datetime.now(UTC) + timedelta(days=1)).date()
    if not date(1900, 1, 1) <= born <= today:
        raise CccdError("Ngày sinh không hợp lệ.", "The date of birth is out of range.")
    if not born <= issued <= today:
        raise CccdError("Ngày cấp không hợp lệ.", "The issue date is out of range.")
    _check_id_against_birth(id_number, born, sex)
    return CccdScan(
        id_number,
        full_name=name,
        date_of_birth=born,
        sex=sex,
        address=address,
        issue_date=issued,
    )


def read_scan(text: str, *, today: date | None = None) -> CccdScan | ScanRejected:
    """Like ``parse_cccd`` but never raises: what a scanner loop wants."""
    try:
        return parse_cccd(text, today=today)
    except CccdError as exc:
        return exc.rejected()
