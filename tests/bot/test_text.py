"""Long replies are split at Telegram's limit, at the gentlest break."""

from __future__ import annotations

from typing import Any

from aiogram import Bot, Dispatcher

from bot.text import MESSAGE_LIMIT, split_text, units
from bot.turns import send_replies
from service.replies import Button, Reply
from tests.bot.helpers import CHAT_ID, RecordingSession, buttons


def test_a_short_text_is_one_piece() -> None:
    assert split_text("  Hello there.  ") == ["Hello there."]
    assert split_text("") == []


def test_long_text_breaks_between_sentences_within_the_limit() -> None:
    text = " ".join(["You can ask for an advocate at any time."] * 250)
    pieces = split_text(text)
    assert len(pieces) == 3
    assert all(units(piece) <= MESSAGE_LIMIT for piece in pieces)
    assert all(piece.endswith(".") for piece in pieces)
    assert " ".join(pieces) == text


def test_emoji_count_double_and_are_never_cut_in_half() -> None:
    text = "🙂" * 5000
    pieces = split_text(text)
    assert all(units(piece) <= MESSAGE_LIMIT for piece in pieces)
    assert "".join(pieces) == text


def test_one_long_word_is_cut_hard() -> None:
    pieces = split_text("a" * 9000)
    assert [len(piece) for piece in pieces] == [4096, 4096, 808]


async def test_buttons_go_under_the_last_piece(
    dp: Dispatcher, bot: Bot, session: RecordingSession
) -> None:
    long = Reply(text="Word " * 2000, buttons=[Button(label="Menu", payload="menu")])
    await send_replies(bot, CHAT_ID, [long], buttons_only="Tap a button.")
    sent = session.sent()
    assert len(sent) == 3
    assert [buttons(call) for call in sent] == [[], [], ["menu"]]


async def test_a_reply_of_buttons_alone_is_sent_with_the_contents_words(
    dp: Dispatcher, bot: Bot, session: RecordingSession, runtime: Any
) -> None:
    words = runtime.library.message("buttons_only")
    only_buttons = Reply(text="", buttons=[Button(label="Menu", payload="menu")])
    await send_replies(bot, CHAT_ID, [only_buttons], buttons_only=words)
    [sent] = session.sent()
    assert sent.text == words and buttons(sent) == ["menu"]
