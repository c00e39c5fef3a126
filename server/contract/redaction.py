"""Secrets out of every log line and error message: the one rule the server and apps share.

A broker URL carries its password (``mqtts://qms-server:pw@host``), an HTTP header a
token (``Bearer ...``); a message that quotes either must print ``***`` instead.
:class:`RedactingFilter` is installed on the log handlers by each process's composition
root (``qms.cli``, the snapshot process), so a line someone forgot to clean is cleaned
there too.
"""

import logging
import re

_URL_PASSWORD = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s/:@'\"]*:)[^\s@'\"]*@")
_BEARER = re.compile(r"(?i)\b(?P<head>bearer\s+)[A-Za-z0-9._~+/=-]{8,}")
_PASSWORD_FIELD = re.compile(
    r"(?i)(?P<head>[\"']?(?:password|token)[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]+"
)


def redact(text: str) -> str:
    """``text`` with URL passwords, bearer tokens and ``password=``/``token:`` values masked."""
    text = _URL_PASSWORD.sub(r"\g<head>***@", text)
    text = _BEARER.sub(r"\g<head>***", text)
    return _PASSWORD_FIELD.sub(r"\g<head>***", text)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (and its traceback text) with :func:`redact`."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def install(logger: logging.Logger | None = None) -> None:
    """Put the filter on every handler of ``logger`` (the root logger by default)."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
