"""Bearer tokens are pasted on command lines; one starting with "-" breaks argparse."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from server.security import hashing


def test_a_token_starting_with_a_dash_is_drawn_again(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: Iterator[str] = iter(["-starts-with-dash", "_fine-token"])
    monkeypatch.setattr(hashing.secrets, "token_urlsafe", lambda n: next(drawn))
    assert hashing.new_token() == "_fine-token"


def test_new_tokens_pass_through_argparse_as_a_value() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--token")
    for _ in range(2000):
        token = hashing.new_token()
        assert parser.parse_args(["--token", token]).token == token
