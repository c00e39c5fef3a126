"""Settings: defaults < TOML file < environment < flags, each checked at start."""

from pathlib import Path

import pytest

from server.config import ConfigError, load_settings


def test_layers(tmp_path) -> None:
    toml = tmp_path / "qms.toml"
    toml.write_text('db = "sqlite:///x.db"\nhttp = "0.0.0.0:9000"\nmqtt = "mqtt://b:1883"\n')
    env = {"QMS_HTTP": "127.0.0.1:9100"}
    s = load_settings(config_file=toml, environ=env, overrides={"mqtt": "mqtt://c:1883"})
    assert (s.db, s.http, s.mqtt) == ("sqlite:///x.db", "127.0.0.1:9100", "mqtt://c:1883")
    assert s.http_port == 9100 and s.base_url == "http://127.0.0.1:9100"
    d = load_settings(environ={})
    assert d.data_dir == Path("var") and d.db_url.endswith("var/qms.sqlite3")


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('http = "nope"', "HOST:PORT"),
        ('db = "mysql://x"', "postgresql"),
        ('mqtt = "tcp://x"', "mqtt://"),
        ('colour = "blue"', "unknown setting"),
        ("db = [", "cannot read"),
    ],
)
def test_bad_files(tmp_path, text, needle) -> None:
    toml = tmp_path / "qms.toml"
    toml.write_text(text)
    with pytest.raises(ConfigError, match=needle):
        load_settings(config_file=toml, environ={})
