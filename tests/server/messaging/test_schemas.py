"""Golden JSON fixtures and JSON Schemas in docs/schemas/ match the contract models."""

import inspect
import json
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from server.contract import messages
from server.messaging import schemas
from server.messaging.examples import all_examples
from tests.support.newer_server import newer_payload, with_added_fields

DOCS = Path(__file__).resolve().parents[3] / "docs" / "schemas"


def test_committed_schemas_and_examples_are_current():
    assert schemas.differences(DOCS) == [], "run: python -m server.messaging.schemas"


def test_every_message_model_is_described():
    models = {
        obj
        for _, obj in inspect.getmembers(messages, inspect.isclass)
        if issubclass(obj, messages.Message) and obj is not messages.Message
    }
    top = set(schemas.TOPICS)
    nested = {
        name
        for text in schemas.render_schemas().values()
        for name in json.loads(text).get("$defs", {})
    }
    assert {m for m in models if m not in top and m.__name__ not in nested} == set()
    assert {type(m) for m in all_examples().values()} == top


@pytest.mark.parametrize("name", sorted(all_examples()))
def test_golden_example_round_trips(name: str):
    example = all_examples()[name]
    model: type[BaseModel] = type(example)
    text = (DOCS / "examples" / f"{name}.json").read_text(encoding="utf-8")
    assert model.model_validate_json(text) == example
    assert json.loads(example.model_dump_json()) == json.loads(text)
    schema = json.loads((DOCS / f"{name}.schema.json").read_text(encoding="utf-8"))
    assert set(json.loads(text)) <= set(schema["properties"])
    assert set(schema.get("required", [])) <= set(json.loads(text))
    # Readers must tolerate fields a newer server adds: no object in the schema forbids them.
    for part in [schema, *schema.get("$defs", {}).values()]:
        assert part.get("additionalProperties", True) is not False


@pytest.mark.parametrize("name", sorted(all_examples()))
def test_readers_ignore_an_unknown_field(name: str):
    """A newer server's message with an added field parses to the same value, top and nested."""
    example = all_examples()[name]
    data = json.loads(example.model_dump_json())
    added = with_added_fields(data)
    assert added != data
    assert type(example).model_validate(added) == example
    assert type(example).model_validate_json(newer_payload(example)) == example


def test_every_message_model_ignores_unknown_fields():
    models = [
        obj
        for _, obj in inspect.getmembers(messages, inspect.isclass)
        if issubclass(obj, messages.Message)
    ]
    assert models
    for model in models:
        assert model.model_config.get("extra") == "ignore", model.__name__
        assert model.model_config.get("frozen") is True, model.__name__


def test_a_wrong_known_field_is_still_refused():
    """Tolerance is for additions only: a known field with a wrong type is still malformed."""
    data = json.loads(all_examples()["CounterSnapshot"].model_dump_json())
    with pytest.raises(ValidationError):
        messages.CounterSnapshot.model_validate(data | {"seq": "many"})


def test_cli_writes_then_checks(tmp_path, capsys):
    assert schemas.main(["--dir", str(tmp_path), "--check"]) == 1
    assert "out of date" in capsys.readouterr().err
    assert schemas.main(["--dir", str(tmp_path)]) == 0
    assert schemas.main(["--dir", str(tmp_path), "--check"]) == 0
    assert sorted(p.name for p in (tmp_path / "examples").iterdir()) == sorted(
        f"{n}.json" for n in all_examples()
    )
