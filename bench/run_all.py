"""``make bench``: the engine micro-benchmark, then HTTP/MQTT throughput on SQLite and
on PostgreSQL (both with a throwaway Mosquitto). Prints every figure."""

import sys

from bench import engine, throughput


def main() -> int:
    engine.main()
    for db in ("sqlite", "postgresql"):
        throughput.main(["--db", db, "--broker", "mosquitto"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
