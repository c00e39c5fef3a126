"""Messages as a newer server sends them: today's data plus fields this code does not know.

A city cannot upgrade its ~335 sites' kiosks, counters, boards and LED bridges at the
same moment as the server, so the apps must read a newer server's messages. These
helpers build such a message from one of today's, for the tests of every reader.
"""

import json
from typing import Any

from pydantic import BaseModel

ADDED = {"added_later": {"nested": [1, "two"]}, "zz_flag": True}


def with_added_fields(value: Any) -> Any:
    """``value`` (parsed JSON) with unknown keys added to every object in it, however deep."""
    if isinstance(value, dict):
        return {k: with_added_fields(v) for k, v in value.items()} | ADDED
    if isinstance(value, list):
        return [with_added_fields(v) for v in value]
    return value


def newer_payload(message: BaseModel) -> bytes:
    """The MQTT payload (or HTTP body) a newer server would send for ``message``."""
    data = json.loads(message.model_dump_json())
    return json.dumps(with_added_fields(data), ensure_ascii=False).encode()
