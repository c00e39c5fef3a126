"""The site chooses its voice: the region in the site file reaches the boards in the
display snapshot, and a board speaks in that region's voice with its numbers, unless it
was started with its own ``--dialect``."""

import dataclasses
import wave
from pathlib import Path

import pytest

from display_board import numbers_vi
from display_board.announcer import Announcer, compose
from display_board.app import SiteVoice
from display_board.audio import RecordingSink
from display_board.cli import register
from display_board.viewmodel import BoardViewModel
from display_board.voice import (
    VoiceBank,
    clip_texts,
    ensure_voice,
    espeak_binary,
    region_folder,
    write_chime,
)
from server.contract import topics
from server.contract.messages import DisplaySnapshot
from server.seed.files import site_file_text
from server.seed.hcm_main import hcm_main
from server.siteconfig import parse, render
from server.storage.mapping import site_from_row, site_settings_to_json
from tests.display_board.samples import call, demo_snapshot
from tests.server.backends import make_world, sqlite_url, tiny_site


def silent_clips(root: Path, folders: tuple[str, ...]) -> VoiceBank:
    write_chime(root / "chime.wav")
    for folder in folders:
        (root / folder).mkdir(parents=True, exist_ok=True)
        for stem in clip_texts(folder):
            with wave.open(str(root / folder / f"{stem}.wav"), "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(22050)
                w.writeframes(b"\0\0" * 220)
    return VoiceBank(root)


def folders_of(clips) -> set[str]:
    return {c.parent.name for c in clips[1:]}


# ---- the numbers and the clips of each region ----------------------------------------


def test_each_region_reads_its_numbers():
    assert numbers_vi.read(1005, "north") == "một nghìn không trăm linh năm"
    assert numbers_vi.read(1005, "south") == "một ngàn không trăm lẻ năm"
    assert numbers_vi.read(1005, "central") == "một ngàn không trăm lẻ năm"
    assert numbers_vi.read(24, "central") == "hai mươi bốn"


def test_a_southern_call_is_said_in_the_southern_voice(tmp_path):
    bank = silent_clips(tmp_path, ("vi", "vi-south", "vi-central", "en"))
    item = compose(call(1005, 5), bank, dialect="south")
    assert folders_of(item.clips) == {"vi-south"}
    assert "một ngàn không trăm lẻ năm" in item.text
    central = compose(call(1005, 5), bank, dialect="central", english=True)
    assert folders_of(central.clips) == {"vi-central", "en"}
    assert folders_of(compose(call(1005, 5), bank).clips) == {"vi"}


def test_a_region_whose_clips_are_not_made_yet_speaks_in_the_default_voice(tmp_path):
    """Also a site whose own recordings are all in vi/."""
    bank = silent_clips(tmp_path, ("vi",))
    item = compose(call(1005, 5), bank, dialect="south")
    assert folders_of(item.clips) == {"vi"}
    assert "lẻ năm" in item.text  # the region's numbers still


@pytest.mark.skipif(espeak_binary() is None, reason="espeak-ng is not installed")
def test_espeak_makes_each_region_in_its_own_voice(tmp_path):
    stems = ["ngàn"]
    ensure_voice(tmp_path, ["vi", "vi-south", "vi-central"], only=stems)
    made = {f: (tmp_path / f / "ngàn.wav").read_bytes() for f in ("vi", "vi-south", "vi-central")}
    assert all(len(data) > 1000 for data in made.values())
    assert len(set(made.values())) == 3  # three voices, three recordings


# ---- the site's setting, from the file to the snapshot ------------------------------


def test_the_site_file_names_the_region_and_keeps_it():
    text = site_file_text("hcm-main")
    doc, definition = parse(text)
    assert doc.site.voice == "south" and definition.site.voice == "south"
    assert render(definition) == text
    stored = site_settings_to_json(definition.site)
    assert stored["voice"] == "south"
    with pytest.raises(Exception, match="voice"):
        parse(text.replace('voice = "south"', 'voice = "east"'))


def test_a_site_stored_before_the_setting_calls_in_the_northern_voice():
    site = tiny_site().site
    settings = site_settings_to_json(site)
    del settings["voice"]
    row = type("Row", (), {"id": site.id, "name": site.name, "name_en": site.name_en})()
    row.time_zone, row.settings = site.time_zone, settings
    assert site_from_row(row).voice == "north"  # type: ignore[arg-type]


def test_the_display_snapshot_carries_the_sites_voice(tmp_path):
    seed = tiny_site()
    seed = dataclasses.replace(seed, site=dataclasses.replace(seed.site, voice="central"))
    world = make_world(sqlite_url(tmp_path), site=seed)
    try:
        world.service.projector.republish_all()
        snap = world.publisher.snapshots[topics.display(seed.site.id, "A")]
        assert isinstance(snap, DisplaySnapshot)
        assert snap.voice == "central"
    finally:
        world.db.dispose()


# ---- the board follows the site, unless told otherwise -------------------------------


def board_with_voice(tmp_path: Path, fixed=None):
    vm = BoardViewModel("hcm-main", "A")
    announcer = Announcer(silent_clips(tmp_path, ("vi",)), RecordingSink())
    prepared: list[str] = []
    SiteVoice(vm, announcer, prepared.append, fixed=fixed)
    return vm, announcer, prepared


def test_a_board_takes_the_sites_voice_from_the_snapshot(tmp_path):
    vm, announcer, prepared = board_with_voice(tmp_path)
    vm.apply_snapshot(demo_snapshot(120).model_copy(update={"voice": "south"}))
    assert announcer.dialect == "south"
    assert prepared == [region_folder("south")] == ["vi-south"]
    vm.apply_snapshot(demo_snapshot(121).model_copy(update={"voice": "south"}))
    assert prepared == ["vi-south"]  # made once


def test_a_board_given_its_own_dialect_keeps_it(tmp_path):
    vm, announcer, prepared = board_with_voice(tmp_path, fixed="north")
    vm.apply_snapshot(demo_snapshot(120).model_copy(update={"voice": "south"}))
    assert announcer.dialect == "north" and prepared == []


def test_an_unknown_or_missing_region_changes_nothing(tmp_path, caplog):
    vm, announcer, prepared = board_with_voice(tmp_path)
    vm.apply_snapshot(demo_snapshot(120))  # a server from before the setting
    vm.apply_snapshot(demo_snapshot(121).model_copy(update={"voice": "highlands"}))
    assert announcer.dialect == "north" and prepared == []
    assert "highlands" in caplog.text


def test_the_dialect_option_defaults_to_the_site():
    import argparse

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    assert parser.parse_args(["display"]).dialect is None
    assert parser.parse_args(["display", "--dialect", "central"]).dialect == "central"
    assert hcm_main().site.voice == "south"
