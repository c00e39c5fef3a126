"""``make bench``: the engine micro-benchmark, the MQTT publisher alone, HTTP/MQTT
throughput on SQLite and on PostgreSQL (both with a throwaway Mosquitto), then the
apps: the kiosk's tap-to-number time and the display board's memory over 100,000 calls
and its call-to-screen latency."""

import os
import sys

from bench import display_memory, engine, kiosk_tap, mqtt_publish, throughput


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    engine.main()
    for broker in ("mosquitto", "embedded"):
        mqtt_publish.main(["--broker", broker])
    for db in ("sqlite", "postgresql"):
        throughput.main(["--db", db, "--broker", "mosquitto"])
    kiosk_tap.main([])
    display_memory.main([])
    return 0


if __name__ == "__main__":
    sys.exit(main())
