"""The apps' path builders name real routes of the server, and fill them in safely."""

import pytest

from server.api.app import create_app
from server.contract import paths
from server.contract.http import API_PREFIX
from tests.server.backends import make_world, sqlite_url


def test_every_template_is_a_route_of_the_server(tmp_path):
    """The routes are read from the app's OpenAPI description: this FastAPI keeps an
    included router's routes behind a wrapper in ``app.routes``, and every API route is
    in the schema."""
    world = make_world(sqlite_url(tmp_path))
    app = create_app(world.service)
    try:
        routes = set(app.openapi()["paths"])
        missing = [t for t in paths.templates() if API_PREFIX + t not in routes]
        assert missing == []
        api_routes = {r.removeprefix(API_PREFIX) for r in routes if r.startswith(API_PREFIX)}
        assert api_routes <= set(paths.templates()), "a route of the API has no template"
    finally:
        app.state.commands.close()
        world.db.dispose()


def test_builders_fill_their_templates():
    assert paths.menu("hcm-main") == "/sites/hcm-main/services"
    assert paths.ticket("hcm-main", "T-7") == "/sites/hcm-main/tickets/T-7"
    assert paths.clerk_day("hcm-main", "5") == "/sites/hcm-main/counters/5/day"
    assert paths.counter_action("hcm-main", "5", "call-next") == (
        "/sites/hcm-main/counters/5/call-next"
    )
    assert paths.login() == "/auth/login"


def test_a_value_stays_one_path_segment():
    assert paths.ticket("hcm-main", "../admin") == "/sites/hcm-main/tickets/..%2Fadmin"


def test_an_unknown_action_has_no_route():
    with pytest.raises(ValueError, match="not a counter action"):
        paths.counter_action_template("explode")
