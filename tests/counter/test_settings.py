"""The terminal remembers its server, site and counter in a small JSON file."""

import json

from counter.settings import SettingsStore, TerminalSettings


def test_missing_file_gives_defaults(tmp_path):
    assert SettingsStore.in_dir(tmp_path).load() == TerminalSettings()


def test_saved_counter_comes_back(tmp_path):
    store = SettingsStore.in_dir(tmp_path / "nested")
    settings = TerminalSettings(server="http://127.0.0.1:9000", counter="12", username="clerk12")
    store.save(settings)
    assert SettingsStore.in_dir(tmp_path / "nested").load() == settings
    assert not list((tmp_path / "nested").glob("*.tmp"))


def test_damaged_file_is_ignored_with_a_log_line(tmp_path, caplog):
    store = SettingsStore.in_dir(tmp_path)
    store.path.write_text("{not json", encoding="utf-8")
    assert store.load() == TerminalSettings()
    assert "ignoring unreadable counter settings" in caplog.text


def test_unknown_and_mistyped_fields_are_dropped(tmp_path):
    store = SettingsStore.in_dir(tmp_path)
    store.path.write_text(
        json.dumps({"counter": "7", "site": 42, "password": "never kept"}), encoding="utf-8"
    )
    loaded = store.load()
    assert loaded.counter == "7"
    assert loaded.site == TerminalSettings().site


def test_a_json_array_is_not_settings(tmp_path, caplog):
    store = SettingsStore.in_dir(tmp_path)
    store.path.write_text("[1, 2]", encoding="utf-8")
    assert store.load() == TerminalSettings()
    assert "not a JSON object" in caplog.text
