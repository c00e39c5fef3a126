"""``make bench``: the engine micro-benchmark, the MQTT publisher alone, then HTTP/MQTT
throughput on SQLite and on PostgreSQL (both with a throwaway Mosquitto)."""

import sys

from bench import engine, mqtt_publish, throughput


def main() -> int:
    engine.main()
    for broker in ("mosquitto", "embedded"):
        mqtt_publish.main(["--broker", broker])
    for db in ("sqlite", "postgresql"):
        throughput.main(["--db", db, "--broker", "mosquitto"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
