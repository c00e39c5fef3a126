"""MQTT topic builders. Never spell a topic string anywhere else.

Layout (``{site}``, ``{area}``, ``{counter}`` and ``{device}`` are slugs)::

    qms/v1/server/status                   retained, last will "offline"
    qms/v1/{site}/display/{area}           retained DisplaySnapshot
    qms/v1/{site}/counters/{counter}       retained CounterSnapshot
    qms/v1/{site}/queue                    retained QueueSnapshot
    qms/v1/{site}/calls                    stream of CallEvent (not retained)
    qms/v1/{site}/devices/{device}         retained DeviceStatus
"""

import re

PREFIX = "qms/v1"

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def check_slug(value: str) -> str:
    """Refuse a name that could break out of its topic level (``/``, ``+``, ``#``)."""
    if not _SLUG.match(value):
        raise ValueError(f"not a valid id for a topic level: {value!r}")
    return value


def server_status() -> str:
    return f"{PREFIX}/server/status"


def display(site: str, area: str) -> str:
    return f"{PREFIX}/{check_slug(site)}/display/{check_slug(area)}"


def display_all(site: str) -> str:
    return f"{PREFIX}/{check_slug(site)}/display/+"


def counter(site: str, counter_id: str) -> str:
    return f"{PREFIX}/{check_slug(site)}/counters/{check_slug(counter_id)}"


def counters_all(site: str) -> str:
    return f"{PREFIX}/{check_slug(site)}/counters/+"


def queue(site: str) -> str:
    return f"{PREFIX}/{check_slug(site)}/queue"


def calls(site: str) -> str:
    return f"{PREFIX}/{check_slug(site)}/calls"


def device(site: str, device_id: str) -> str:
    return f"{PREFIX}/{check_slug(site)}/devices/{check_slug(device_id)}"


def parse(topic: str) -> tuple[str, str, str | None]:
    """Split a topic into (site, kind, key); kind is display/counters/queue/calls/devices."""
    parts = topic.split("/")
    if len(parts) < 4 or "/".join(parts[:2]) != PREFIX:
        raise ValueError(f"not a qms topic: {topic!r}")
    site, kind = parts[2], parts[3]
    key = parts[4] if len(parts) > 4 else None
    return site, kind, key
