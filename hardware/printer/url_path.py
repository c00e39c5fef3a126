"""The file or folder a ``file://`` or ``virtual://`` printer URL names."""

from pathlib import Path
from urllib.parse import unquote, urlsplit


def local_path(url: str) -> Path | None:
    """The path in ``url``, made absolute against the working directory; None if empty.

    ``SCHEME:///abs/path`` is absolute; ``SCHEME://./path``, ``SCHEME:///./path`` and
    ``SCHEME://path`` are relative to where the process was started, fixed when the URL
    is read so a later ``chdir`` cannot move it. (A plain URL parser reads the ``.`` of
    ``file://./lp0`` as a host name and drops it.)
    """
    parts = urlsplit(url)
    raw = unquote(parts.netloc + parts.path)
    if not raw:
        return None
    first = raw.lstrip("/").split("/", 1)[0]
    if not parts.netloc and first in (".", ".."):
        raw = raw.lstrip("/")  # "/./var" written after "virtual://" means "./var"
    return Path(raw).absolute()
