"""A branch's settings and the centre's ``qms branch`` commands."""

from pathlib import Path

import pytest

from qms.cli import main
from server.config import ConfigError, load_settings


def test_upstream_settings_come_from_the_file_the_environment_and_flags(tmp_path: Path) -> None:
    toml = tmp_path / "server.toml"
    toml.write_text('upstream = "https://city.example"\nupstream_token = "t-file"\n')
    settings = load_settings(config_file=toml, environ={})
    assert (settings.upstream, settings.upstream_token) == ("https://city.example", "t-file")
    settings = load_settings(
        config_file=toml,
        environ={"QMS_UPSTREAM_TOKEN": "t-env"},
        overrides={"upstream": "http://127.0.0.1:9"},
    )
    assert (settings.upstream, settings.upstream_token) == ("http://127.0.0.1:9", "t-env")
    assert load_settings(environ={}).upstream is None


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"upstream": "https://city.example"}, "upstream_token"),
        ({"upstream_token": "t"}, "upstream"),
        ({"upstream": "city.example", "upstream_token": "t"}, "http"),
    ],
)
def test_upstream_settings_that_cannot_work_are_refused_at_start(
    values: dict[str, str], says: str
) -> None:
    with pytest.raises(ConfigError, match=says):
        load_settings(environ={}, overrides=values)


def test_branch_add_prints_the_token_last_and_a_site_has_one_branch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    at = ["--data-dir", str(tmp_path)]
    assert main(["seed", "demo", *at]) == 0
    capsys.readouterr()
    assert main(["branch", "add", "thuduc", "--site", "phuong-thu-duc", *at]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0] == "branch thuduc owns phuong-thu-duc; its token:"
    assert len(out[-1]) >= 32
    assert main(["branch", "add", "other", "--site", "phuong-thu-duc", *at]) == 2
    assert "belongs to branch 'thuduc'" in capsys.readouterr().err
    assert main(["branch", "add", "x", "--site", "nowhere", *at]) == 2
    assert main(["branch", "list", *at]) == 0
    assert capsys.readouterr().out.startswith("thuduc\tphuong-thu-duc\tquiet\theard -")
    assert main(["branch", "revoke", "thuduc", *at]) == 0
    assert main(["server", "--upstream", "https://city.example", *at]) == 2
    assert "upstream_token" in capsys.readouterr().err
