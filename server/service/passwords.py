"""The password policy for staff accounts: long enough, and not one everybody tries.

Length is what makes a password hard to guess; ``MIN_LENGTH`` follows common practice
for accounts behind a lockout (``server.service.lockout``). The list of common
passwords (``common_passwords.txt``, package data) holds the ones guessers try first,
the Vietnamese ones too; a password is compared without case. No rules on character
classes: they make passwords harder to remember, not to guess.
"""

from functools import cache
from importlib import resources

from server.service import errors

MIN_LENGTH = 10
MAX_LENGTH = 256


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("server.service").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def check_password(password: str, username: str = "") -> None:
    """Raise ``weak_password`` (422) when ``password`` may not be an account's."""
    if len(password) < MIN_LENGTH:
        raise errors.weak_password(
            f"cần ít nhất {MIN_LENGTH} ký tự", f"it needs at least {MIN_LENGTH} characters"
        )
    if len(password) > MAX_LENGTH:
        raise errors.weak_password(
            f"tối đa {MAX_LENGTH} ký tự", f"it may have at most {MAX_LENGTH} characters"
        )
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) <= 2:
        raise errors.weak_password(
            "đây là mật khẩu phổ biến, dễ bị đoán", "it is a common password, easily guessed"
        )
    if username and username.lower() in lowered:
        raise errors.weak_password(
            "không được chứa tên đăng nhập", "it may not contain the username"
        )
