"""``qms site export`` and ``qms site import``: a broken file is named and changes nothing."""

from pathlib import Path

import pytest

from qms.cli import main


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("var")
    assert main(["seed", "demo", "--data-dir", str(data)]) == 0
    return data


def export(data: Path, path: Path) -> str:
    assert main(["site", "export", "phuong-thu-duc", str(path), "--data-dir", str(data)]) == 0
    return path.read_text(encoding="utf-8")


def test_export_import_export_gives_the_same_file(demo: Path, tmp_path: Path, capsys) -> None:
    first = export(demo, tmp_path / "a.toml")
    changed = first.replace("Đăng ký hộ kinh doanh", "Đăng ký hộ kinh doanh (mới)")
    (tmp_path / "b.toml").write_text(changed, encoding="utf-8")
    capsys.readouterr()
    assert (
        main(["site", "import", str(tmp_path / "b.toml"), "--dry-run", "--data-dir", str(demo)])
        == 0
    )
    out = capsys.readouterr().out
    assert '+name_vi = "Đăng ký hộ kinh doanh (mới)"' in out and "nothing was changed" in out
    assert export(demo, tmp_path / "c.toml") == first
    assert main(["site", "import", str(tmp_path / "b.toml"), "--data-dir", str(demo)]) == 0
    assert export(demo, tmp_path / "d.toml") == changed
    assert main(["site", "import", str(tmp_path / "a.toml"), "--data-dir", str(demo)]) == 0


BROKEN = {
    "unknown key": (('ticker = ""', 'ticker = ""\ncolour = "blue"'), "site.colour: "),
    "counter in an unknown area": (('area = "TD"', 'area = "ZZ"'), "counters[1].area: "),
    "two fields with one prefix": (
        (
            'numbers = "block"\nstart = 3001\nend = 3999',
            'numbers = "prefix"\nprefix = "HK"',
            'numbers = "block"\nstart = 2001\nend = 2999',
            'numbers = "prefix"\nprefix = "HK"',
        ),
        "fields[3].prefix: ",
    ),
    "overlapping sessions": (('start = "13:00"', 'start = "11:00"'), "sessions[2].start: "),
}


@pytest.mark.parametrize("kind", BROKEN)
def test_a_broken_file_is_named_and_changes_nothing(
    kind: str, demo: Path, tmp_path: Path, capsys
) -> None:
    before = export(demo, tmp_path / "before.toml")
    edits, named = BROKEN[kind]
    text = before
    for old, new in zip(edits[::2], edits[1::2], strict=True):
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    capsys.readouterr()
    assert main(["site", "import", str(path), "--data-dir", str(demo)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:" in err and named in err and "nothing was changed" in err
    assert export(demo, tmp_path / "after.toml") == before
