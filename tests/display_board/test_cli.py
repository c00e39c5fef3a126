"""``qms display`` arguments: good ones parsed, bad ones refused with a message."""

import pytest

from qms.cli import build_parser


def parse(*argv):
    return build_parser().parse_args(["display", *argv])


def test_defaults_and_options():
    args = parse()
    assert (args.mqtt, args.site, args.area, args.layout) == (
        "mqtt://127.0.0.1:1883",
        "hcm-main",
        "A",
        "landscape",
    )
    args = parse("--layout", "portrait", "--size", "3840x2160", "--no-sound", "--dialect", "south")
    assert (args.layout, args.size, args.no_sound, args.dialect) == (
        "portrait",
        (3840, 2160),
        True,
        "south",
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--site", "a/b"], "not a valid id"),
        (["--area", "#"], "not a valid id"),
        (["--size", "big"], "not a size"),
        (["--layout", "diagonal"], "invalid choice"),
        (["--blink", "0"], "between 0 and 600"),
        (["--wait", "soon"], "not a number of seconds"),
    ],
)
def test_bad_arguments_are_refused(argv, message, capsys):
    with pytest.raises(SystemExit):
        parse(*argv)
    assert message in capsys.readouterr().err


def test_a_bad_url_is_a_clear_error(caplog, tmp_path):
    from display_board.cli import run

    args = parse("--mqtt", "http://example", "--screenshot", str(tmp_path / "x.png"))
    assert run(args) == 2
    assert "not an MQTT URL" in caplog.text
