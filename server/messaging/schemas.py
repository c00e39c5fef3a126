"""Write (or check) the JSON Schemas and golden examples of the MQTT messages.

``python -m server.messaging.schemas`` writes ``docs/schemas/<Model>.schema.json`` and
``docs/schemas/examples/<Model>.json``; ``--check`` only compares and exits 1 on a
difference. The schemas are generated from the pydantic models of
``server.contract.messages``, so they can never say something the server does not do.
"""

import argparse
import json
import sys
from pathlib import Path

from pydantic import BaseModel

from server.contract import messages
from server.messaging.examples import all_examples

DEFAULT_DIR = Path("docs/schemas")
SCHEMA_BASE = "https://qms-hall.example/schemas/mqtt/v1/"

# The topic each message is published on, for the schema's description.
TOPICS: dict[type[BaseModel], str] = {
    messages.DisplaySnapshot: "qms/v1/{site}/display/{area} (retained, QoS 1)",
    messages.CounterSnapshot: "qms/v1/{site}/counters/{counter} (retained, QoS 1)",
    messages.QueueSnapshot: "qms/v1/{site}/queue (retained, QoS 1)",
    messages.CallEvent: "qms/v1/{site}/calls (not retained, QoS 1)",
    messages.ServerStatus: "qms/v1/server/status (retained, QoS 1; also the last will)",
    messages.DeviceStatus: "qms/v1/{site}/devices/{device} (retained, QoS 1)",
}


def _dump(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def render_schemas() -> dict[str, str]:
    """File name -> content of every schema."""
    files: dict[str, str] = {}
    for model, topic in TOPICS.items():
        schema = model.model_json_schema()
        doc = (model.__doc__ or "").strip()
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{SCHEMA_BASE}{model.__name__}.schema.json",
            **schema,
            "description": f"{doc}\n\nTopic: {topic}".strip(),
        }
        files[f"{model.__name__}.schema.json"] = _dump(schema)
    return files


def render_examples() -> dict[str, str]:
    """File name (under examples/) -> the example message as the server sends it, indented."""
    return {
        f"{name}.json": _dump(json.loads(message.model_dump_json()))
        for name, message in all_examples().items()
    }


def _wanted(directory: Path) -> dict[Path, str]:
    wanted = {directory / name: text for name, text in render_schemas().items()}
    wanted |= {directory / "examples" / name: text for name, text in render_examples().items()}
    return wanted


def differences(directory: Path) -> list[Path]:
    """Files that are missing or differ from what the models give."""
    return [
        path
        for path, text in _wanted(directory).items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]


def write(directory: Path) -> list[Path]:
    changed = differences(directory)
    for path, text in _wanted(directory).items():
        if path in changed:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="default: docs/schemas")
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 on a diff")
    args = parser.parse_args(argv)
    if args.check:
        stale = differences(args.dir)
        for path in stale:
            print(f"out of date: {path}", file=sys.stderr)
        if stale:
            print("run: python -m server.messaging.schemas", file=sys.stderr)
        return 1 if stale else 0
    for path in write(args.dir):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
