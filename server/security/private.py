"""The data directory and the SQLite database are readable by the server's user only.

The database holds password and PIN hashes, tokens' hashes and the hall's day; the
directory beside it, the server secret (``server.security.secret``) and the demo's
credentials. A database made readable by everyone (0644, the usual umask) lets any
local account copy it and guess at the hashes offline.
"""

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)


def private_dir(path: Path) -> Path:
    """Create ``path`` (and its parents) with mode 0700 when missing; an existing
    directory is left as its administrator made it."""
    if not path.exists():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty with mode 0600 when missing, or take the group's and
    others' rights away from one this user owns (a database an older version made)."""
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        info = path.stat()
        if info.st_uid == os.getuid() and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            path.chmod(0o600)
            log.warning("%s was readable by others; it is now 0600", path)
    else:
        os.close(fd)
    return path
