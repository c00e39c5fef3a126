"""Which way an HTTP model travels decides how strict its readers are (docs/api.md).

The server refuses unknown fields in what it receives (a client's typo gets a 422);
the apps ignore unknown fields in what the server sends (a newer server may add one).
"""

import inspect
import types
import typing

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

from server.api.routes import router
from server.contract import http, messages

MODELS = [
    obj
    for _, obj in inspect.getmembers(http, inspect.isclass)
    if issubclass(obj, BaseModel) and obj.__module__ == http.__name__
    and obj not in (http.Request, http.Response)
]  # fmt: skip
REQUESTS = [m for m in MODELS if issubclass(m, http.Request)]
RESPONSES = [m for m in MODELS if issubclass(m, http.Response)]


def nested_models(model: type[BaseModel]) -> set[type[BaseModel]]:
    """Every model reachable from ``model``'s fields (lists, unions, optionals)."""
    found: set[type[BaseModel]] = set()

    def walk(annotation: object) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation not in found:
                found.add(annotation)
                for field in annotation.model_fields.values():
                    walk(field.annotation)
            return
        if isinstance(annotation, types.UnionType) or typing.get_origin(annotation):
            for arg in typing.get_args(annotation):
                walk(arg)

    for field in model.model_fields.values():
        walk(field.annotation)
    return found


def test_every_model_has_one_direction_and_its_name_says_which():
    assert {m.__name__ for m in MODELS} - {m.__name__ for m in REQUESTS + RESPONSES} == set()
    assert {m.__name__ for m in REQUESTS} == {
        m.__name__ for m in MODELS if m.__name__.endswith("In")
    }
    for model in REQUESTS:
        assert model.model_config.get("extra") == "forbid", model.__name__
    for model in RESPONSES:
        assert model.model_config.get("extra") == "ignore", model.__name__
    assert all(m.model_config.get("frozen") for m in MODELS)


@pytest.mark.parametrize("model", REQUESTS, ids=lambda m: m.__name__)
def test_a_request_body_is_strict_all_the_way_down(model: type[BaseModel]):
    assert {m for m in nested_models(model) if m.model_config.get("extra") != "forbid"} == set()
    with pytest.raises(ValidationError) as refused:
        model.model_validate({"surprise": 1})
    assert any(e["type"] == "extra_forbidden" for e in refused.value.errors())


@pytest.mark.parametrize("model", RESPONSES, ids=lambda m: m.__name__)
def test_an_answer_is_tolerant_all_the_way_down(model: type[BaseModel]):
    nested = nested_models(model)
    assert {m for m in nested if m.model_config.get("extra") != "ignore"} == set()
    assert all(issubclass(m, http.Response | messages.Message) for m in nested)


def test_routes_take_requests_and_answer_with_responses():
    """A model used both ways (as ``NoticeIn`` once was) would be strict for the app too."""
    api_routes = [r for r in router.routes if isinstance(r, APIRoute)]
    assert api_routes
    for route in api_routes:
        if route.response_model is not None:
            assert issubclass(route.response_model, http.Response | messages.Message), route.path
        body = route.body_field
        if body is None:
            continue
        annotation = body.field_info.annotation
        models = [a for a in (annotation, *typing.get_args(annotation)) if _is_model(a)]
        assert models, route.path
        for model in models:
            assert model.model_config.get("extra") == "forbid", (route.path, model)


def _is_model(annotation: object) -> typing.TypeGuard[type[BaseModel]]:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)
