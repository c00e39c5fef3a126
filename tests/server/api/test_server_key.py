"""``GET /api/v1/mqtt/server-key``: a device learns the key it pins, with its token."""

import httpx
import pytest

from appkit.server_key import KeyChanged, enrol
from server.contract.signing import SigningKey
from tests.support.live_server import LiveServer


def test_a_device_gets_the_key_and_its_broker_name(live_server: LiveServer, tmp_path) -> None:
    assert live_server.server_key is not None
    url = f"{live_server.base_url}/api/v1/mqtt/server-key"
    assert httpx.get(url, timeout=10).status_code == 401
    display = live_server.display_id
    headers = {"Authorization": f"Bearer {live_server.tokens[display]}"}
    answer = httpx.get(url, headers=headers, timeout=10).json()
    assert answer["key"] == live_server.server_key.text
    assert answer["device"] == display

    pin = tmp_path / "server-key.pin"
    trust = enrol(live_server.base_url, live_server.tokens[display], pin_file=pin)
    assert trust.key == live_server.server_key
    assert trust.credentials == (display, live_server.tokens[display])
    assert pin.read_text().strip() == live_server.server_key.text
    # A server that now offers another key is refused, loudly.
    pin.write_text(SigningKey.generate().public.text)
    with pytest.raises(KeyChanged, match="changed"):
        enrol(live_server.base_url, live_server.tokens[display], pin_file=pin)
