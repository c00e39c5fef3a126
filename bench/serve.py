"""Run the real server in its own process for a benchmark.

``python -m bench.serve --data-dir DIR [--db URL] [--mqtt URL]`` starts
``server.runtime.Runtime`` on 127.0.0.1 (a free HTTP port; the embedded broker when no
``--mqtt``), prints one JSON line with its ports, and stops when stdin closes. The
load generator runs in another process so the two never share one GIL.
"""

import argparse
import json
import logging
import sys
from pathlib import Path

from server.config import Settings
from server.runtime import Runtime


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--db")
    parser.add_argument("--mqtt")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="server: %(levelname)s %(name)s %(message)s")
    settings = Settings(data_dir=args.data_dir, db=args.db, mqtt=args.mqtt, http="127.0.0.1:0")
    runtime = Runtime(settings)
    runtime.start()
    host, port = runtime.broker_address()
    print(json.dumps({"http_port": runtime.port, "mqtt_host": host, "mqtt_port": port}), flush=True)
    try:
        sys.stdin.read()  # until the benchmark closes our stdin
    finally:
        runtime.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
