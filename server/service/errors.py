"""Errors of the service layer that are not the engine's refusals: each maps to one 4xx."""


class ServiceError(Exception):
    """A request the server cannot apply; ``status`` is the HTTP status the API answers."""

    def __init__(
        self, status: int, code: str, message_vi: str, message_en: str, **details: object
    ) -> None:
        super().__init__(f"{code}: {message_en}")
        self.status = status
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en
        self.details: dict[str, object] = dict(details)


def unknown_site(site: str) -> ServiceError:
    return ServiceError(
        404, "unknown_site", f"Không tìm thấy điểm tiếp nhận {site}.", f"Unknown site {site}.",
        site=site,
    )  # fmt: skip


def unknown_service(service: str) -> ServiceError:
    return ServiceError(
        404, "unknown_service", f"Không có lĩnh vực {service}.", f"Unknown service {service}.",
        service=service,
    )  # fmt: skip


def unknown_counter(counter: str) -> ServiceError:
    return ServiceError(
        404, "unknown_counter", f"Không có quầy {counter}.", f"Unknown counter {counter}.",
        counter=counter,
    )  # fmt: skip


def unknown_ticket(ticket: str) -> ServiceError:
    return ServiceError(
        404, "unknown_ticket", f"Không tìm thấy phiếu {ticket}.", f"Unknown ticket {ticket}.",
        ticket=ticket,
    )  # fmt: skip


def no_current_ticket(counter: str) -> ServiceError:
    return ServiceError(
        409,
        "no_current_ticket",
        f"Quầy {counter} chưa gọi phiếu nào.",
        f"Counter {counter} holds no ticket.",
        counter=counter,
    )


SERVED_BY_BRANCH = "served_by_branch"


def served_by_branch(site: str, branch: str) -> ServiceError:
    """A command for a site whose hall a branch server serves: issued or called here, its
    numbers would collide with the branch's (docs/branches.md)."""
    return ServiceError(
        409,
        SERVED_BY_BRANCH,
        f"Điểm này do chi nhánh {branch} phục vụ: việc lấy số, gọi số, đặt lịch và mọi "
        "thao tác của sảnh được thực hiện tại chi nhánh.",
        f"This site is served by branch {branch}: its tickets, calls, bookings and every "
        "action of its hall are handled at the branch.",
        site=site,
        branch=branch,
    )


def unauthorized() -> ServiceError:
    return ServiceError(
        401,
        "unauthorized",
        "Cần đăng nhập: thiếu mã truy cập hoặc mã không hợp lệ.",
        "Authentication required: the access token is missing or not valid.",
    )


def bad_login() -> ServiceError:
    return ServiceError(
        401,
        "bad_credentials",
        "Tên đăng nhập hoặc mật khẩu không đúng.",
        "Wrong username or password.",
    )


def forbidden(what_vi: str, what_en: str) -> ServiceError:
    return ServiceError(
        403,
        "forbidden",
        f"Tài khoản này không được phép {what_vi}.",
        f"This account may not {what_en}.",
    )


def idempotency_conflict() -> ServiceError:
    return ServiceError(
        422,
        "idempotency_key_reused",
        "Khóa Idempotency-Key này đã được dùng cho một yêu cầu khác.",
        "This Idempotency-Key was already used for a different request.",
    )


def no_rating_target(counter: str) -> ServiceError:
    return ServiceError(
        409,
        "nothing_to_rate",
        f"Quầy {counter} chưa phục vụ xong phiếu nào để đánh giá.",
        f"Counter {counter} has no finished ticket to rate.",
    )


def bad_pin() -> ServiceError:
    return ServiceError(
        401,
        "bad_pin",
        "Mã PIN không đúng.",
        "Wrong PIN.",
    )


def pin_needs_terminal(site: str) -> ServiceError:
    return ServiceError(
        403,
        "pin_needs_terminal",
        f"Chỉ đăng nhập bằng mã PIN được trên máy quầy đã đăng ký của điểm {site}. Vui lòng "
        "đăng nhập bằng tên và mật khẩu.",
        f"PIN login works only on a registered counter terminal of site {site}. Log in "
        "with username and password.",
        site=site,
    )


def pin_locked(counter: str, retry_after_s: int) -> ServiceError:
    return ServiceError(
        429,
        "pin_locked",
        f"Nhập sai mã PIN quá nhiều lần tại quầy {counter}. Vui lòng thử lại sau "
        f"{retry_after_s} giây hoặc đăng nhập bằng tên và mật khẩu.",
        f"Too many wrong PINs at counter {counter}. Try again in {retry_after_s} s or log "
        "in with username and password.",
        counter=counter,
        retry_after_s=retry_after_s,
    )


def pins_locked_at_site(retry_after_s: int) -> ServiceError:
    return ServiceError(
        429,
        "pin_locked",
        "Đã có quá nhiều lần nhập sai mã PIN tại điểm này. Vui lòng thử lại sau "
        f"{retry_after_s} giây hoặc đăng nhập bằng tên và mật khẩu.",
        f"Too many wrong PINs at this site. Try again in {retry_after_s} s or log in with "
        "username and password.",
        retry_after_s=retry_after_s,
    )


def invalid_pin() -> ServiceError:
    return ServiceError(
        422,
        "invalid_pin",
        "Mã PIN phải gồm 4 đến 8 chữ số.",
        "A PIN is 4 to 8 digits.",
    )


def pin_in_use() -> ServiceError:
    return ServiceError(
        409,
        "pin_in_use",
        "Một tài khoản khác của điểm này đã dùng mã PIN này; hãy chọn mã khác.",
        "Another account of this site already uses this PIN; choose another.",
    )


def unknown_user(username: str) -> ServiceError:
    return ServiceError(
        404, "unknown_user", f"Không có tài khoản {username}.", f"Unknown account {username}.",
        username=username,
    )  # fmt: skip


def pin_needs_site(username: str) -> ServiceError:
    return ServiceError(
        422,
        "pin_needs_site",
        f"Tài khoản {username} không thuộc điểm nào; mã PIN chỉ dùng tại các quầy của một điểm.",
        f"Account {username} belongs to no site; a PIN works at the counters of one site.",
        username=username,
    )


def other_site(username: str, site: str) -> ServiceError:
    return ServiceError(
        422,
        "other_site",
        f"Tài khoản {username} thuộc điểm {site}.",
        f"Account {username} belongs to site {site}.",
        username=username,
        site=site,
    )


def logins_locked(retry_after_s: int) -> ServiceError:
    """The same answer for a locked account and a locked address, with a right or a
    wrong password: it tells a guesser nothing."""
    return ServiceError(
        429,
        "login_locked",
        "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau "
        f"{retry_after_s} giây hoặc liên hệ người quản trị.",
        f"Too many failed logins. Try again in {retry_after_s} s or ask an administrator.",
        retry_after_s=retry_after_s,
    )


def weak_password(reason_vi: str, reason_en: str) -> ServiceError:
    return ServiceError(
        422,
        "weak_password",
        f"Mật khẩu không đạt yêu cầu: {reason_vi}.",
        f"The password is not acceptable: {reason_en}.",
    )


def site_required(role: str) -> ServiceError:
    return ServiceError(
        422,
        "site_required",
        f"Tài khoản vai trò {role} phải thuộc một điểm (--site); chỉ quản trị viên "
        "dùng được mọi điểm.",
        f"A {role} account belongs to one site (--site); only admins are installation-wide.",
        role=role,
    )


def unknown_device(device: str) -> ServiceError:
    return ServiceError(
        404, "unknown_device", f"Không có thiết bị {device}.", f"Unknown device {device}.",
        device=device,
    )  # fmt: skip


def counter_held(counter: str, clerk: str) -> ServiceError:
    return ServiceError(
        409,
        "counter_held",
        f"Quầy {counter} đang do cán bộ {clerk} phụ trách. Nhận thay quầy cần giám sát viên "
        "hoặc xác nhận nhận thay (take_over).",
        f"Counter {counter} is held by {clerk}. Taking it over needs a supervisor or an "
        "explicit take-over (take_over=true).",
        counter=counter,
        clerk=clerk,
    )


def unknown_alert(alert: int) -> ServiceError:
    return ServiceError(
        404, "unknown_alert", f"Không tìm thấy cảnh báo {alert}.", f"Unknown alert {alert}."
    )
