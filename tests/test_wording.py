"""The texts of every app read as one voice: the citizen is addressed as "quý khách"
(never "bạn", "anh/chị", "quý vị"), "Xóa" is spelt one way, and the board's words for a
counter's state are the ones the clerk's banner promises."""

import inspect
import re
from collections.abc import Iterator
from dataclasses import fields

import pytest

from counter import texts as counter_texts
from display_board import voice
from display_board.views import texts as board_texts
from kiosk import i18n as kiosk_texts
from server.api import tracking_page as tracking
from server.console import texts as console_texts
from server.contract import waits
from server.contract.vocab import TicketStatus
from server.engine import errors

# Other ways to say "you" to a citizen; "quý khách" is the one the centres use.
OTHER_ADDRESS = re.compile(
    r"(?<!\w)(bạn|anh/chị|anh chị|ông/bà|ông bà|quý vị|quý công dân)(?!\w)", re.IGNORECASE
)
# The older placement of the tone mark ("xoá", "hoá", "khoẻ"): we write "xóa", "hóa", "khỏe".
OLD_TONE_MARK = re.compile(r"(?<![\wq])\w*o[áàảãạéèẻẽẹ](?!\w)", re.IGNORECASE)


def _refusal_texts() -> Iterator[str]:
    """Every refusal the engine can give, built through its own constructors."""
    samples: dict[object, object] = {str: "A1005", int: 3}
    for name, make in inspect.getmembers(errors, inspect.isfunction):
        if inspect.signature(make).return_annotation is not errors.Refusal:
            continue
        if name == "invalid_transition":
            made = [make(s, a) for s in TicketStatus for a in errors.ACTION_VI]
        else:
            params = inspect.signature(make).parameters.values()
            args = [samples[p.annotation] for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
            made = [make(*args)]
        for refusal in made:
            yield refusal.message_vi
            yield refusal.message_en


def _pairs(table: dict) -> list[str]:
    return [s for pair in table.values() for s in pair]


TABLES: dict[str, list[str]] = {
    "counter": counter_texts.every_text(),
    "board": [str(getattr(board_texts.T, f.name)) for f in fields(board_texts.Texts)]
    + [s for words in voice.PHRASES.values() for s in words.values()],
    "server refusals": list(_refusal_texts()),
    "server wait words": [s for words in waits.WORDS.values() for s in words.values()],
    "tracking page": _pairs(tracking.STATUS_TEXT)
    + [s for words in tracking.TEXT.values() for s in words.values()],
    "console": _pairs(console_texts.TEXTS),
    "kiosk": [s for words in kiosk_texts.TEXTS.values() for s in words.values()],
}


@pytest.mark.parametrize("table", list(TABLES))
def test_one_address_form_and_one_spelling(table: str) -> None:
    texts = TABLES[table]
    assert texts, f"the {table} table is empty"
    other = [s for s in texts if OTHER_ADDRESS.search(s)]
    assert not other, f"{table} addresses the citizen another way than “quý khách”: {other}"
    old = [s for s in texts if OLD_TONE_MARK.search(s)]
    assert not old, f"{table} places the tone mark the old way (write “Xóa”, “hóa”): {old}"


def test_the_refusals_address_the_citizen_as_quy_khach() -> None:
    assert errors.citizen_daily_limit(5).message_vi.startswith("Quý khách")
    assert errors.citizen_active_ticket("1006", "tp-hotich").message_vi.startswith("Quý khách")


def test_the_clerk_is_told_what_the_board_shows() -> None:
    """The banners quote the board's own word for a paused and for a closed counter."""
    for language in ("vi", "en"):
        assert board_texts.T.paused in counter_texts.text("paused_banner", language)
        assert board_texts.T.closed in counter_texts.text("closed_banner", language)


def test_one_word_for_a_parked_ticket() -> None:
    """The counter, the tracking page and the engine all say "tạm hoãn"."""
    parked = counter_texts.status_text(TicketStatus.PARKED)
    assert parked == "Tạm hoãn"
    assert tracking.STATUS_TEXT[TicketStatus.PARKED][0].startswith(parked)
    assert errors.STATUS_VI[TicketStatus.PARKED].endswith(parked.lower())
    assert counter_texts.text("park") == parked
    everything = " ".join(counter_texts.every_text()).lower()
    assert "tạm gác" not in everything


def test_resuming_a_parked_ticket_is_not_calling_the_next() -> None:
    """ "Gọi tiếp" read like "Gọi số tiếp theo": the two buttons share no verb now."""
    resume, call_next = counter_texts.text("resume_parked"), counter_texts.text("call_next")
    assert not set(resume.lower().split()) & {"gọi"}
    assert call_next == "Gọi số tiếp theo"


def test_counter_names_are_translated_in_english() -> None:
    assert counter_texts.counter_title(2, "Quầy 2", "en") == "Counter 2"
    assert counter_texts.counter_title(1, "Quầy 1 - Ưu tiên", "en") == "Counter 1 - Ưu tiên"
    assert counter_texts.counter_title(2, "Quầy 2", "vi") == "Quầy 2"
