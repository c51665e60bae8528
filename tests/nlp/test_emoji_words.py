"""Emoji as the encoder reads them: in words, every one of them, whether listed or not."""

from __future__ import annotations

import pytest

from nlp import data


def test_a_listed_emoji_is_read_in_its_words() -> None:
    assert data.normalise("staff grabbed me 😬") == "staff grabbed me awkward"


def test_an_emoji_no_one_listed_is_read_by_its_name() -> None:
    # Before, the encoder met these as a word it did not know, and read the message around it.
    assert data.normalise("so hot in my cell 🥵") == "so hot in my cell overheated"
    assert data.normalise("🪤") == "mouse trap"


def test_skin_tones_flags_and_joiners_add_no_words() -> None:
    assert data.normalise("👍🏽 thanks") == "ok thanks"
    assert data.normalise("come on england 🇬🇧") == "come on england"
    assert data.normalise("idk 😶\u200d🌫\ufe0f") == "idk silent fog"


def test_plain_words_are_left_alone() -> None:
    assert data.normalise("  café   crème at 30°C ") == "café crème at 30 degree C"


@pytest.mark.parametrize("row", data.read(data.EMOJI), ids=lambda row: row["words"])
def test_each_emoji_has_words_and_at_most_one_kind(row: dict[str, object]) -> None:
    assert row["emoji"] and row["words"]
    assert set(row) <= {"emoji", "words", "tone", "harm"}
    assert not (row.get("tone") and row.get("harm"))


def test_training_has_tones_to_add_and_none_of_them_tells_of_hurt() -> None:
    assert {"lol", "awkward", "please"} <= set(data.tone_words())
    assert not {"knife", "blood", "crying"} & set(data.tone_words())
