"""A queue server in a process of its own under ``ulimit -n 1024``, for the shedding tests.

Run as ``python -m tests.server.http.serve_limited DATA_DIR``: prints its HTTP port on
one line, then serves until its stdin closes.
"""

import logging
import resource
import sys
from pathlib import Path

FD_LIMIT = 1024


def main() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (FD_LIMIT, FD_LIMIT))
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    from server.config import Settings
    from server.messaging.publisher import RecordingPublisher
    from server.runtime import Runtime

    settings = Settings(data_dir=Path(sys.argv[1]), http="127.0.0.1:0", snapshot_process=False)
    runtime = Runtime(settings, publisher=RecordingPublisher())
    runtime.start()
    print(runtime.port, flush=True)
    try:
        sys.stdin.read()
    finally:
        runtime.stop()


if __name__ == "__main__":
    main()
