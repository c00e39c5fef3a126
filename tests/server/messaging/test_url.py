import pytest

from server.messaging.url import BrokerAddress, parse_mqtt_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mqtt://127.0.0.1", BrokerAddress("127.0.0.1", 1883)),
        ("mqtt://broker.local:11883", BrokerAddress("broker.local", 11883)),
        ("mqtts://mq.example.vn", BrokerAddress("mq.example.vn", 8883, tls=True)),
        (
            "mqtt://qms:s%40cret@10.0.0.5:1884/",
            BrokerAddress("10.0.0.5", 1884, username="qms", password="s@cret"),
        ),
        ("mqtt://server@host", BrokerAddress("host", 1883, username="server")),
    ],
)
def test_parse(url, expected):
    assert parse_mqtt_url(url) == expected


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://host:1883", "mqtt:// or mqtts://"),
        ("host:1883", "mqtt:// or mqtts://"),
        ("mqtt://", "no host"),
        ("mqtt://host:port", "bad port"),
        ("mqtt://host:99999", "bad port"),
        ("mqtt://host/topic", "only"),
    ],
)
def test_refuses_with_a_clear_message(url, says):
    with pytest.raises(ValueError, match=says):
        parse_mqtt_url(url)


def test_display_hides_the_password():
    address = parse_mqtt_url("mqtts://user:secret@host")
    assert address.display() == "mqtts://user@host:8883"
    assert "secret" not in repr(address)
