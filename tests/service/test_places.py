"""Places named in words, through the real engine: what the child typed, what they are told."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from service.engine import Conversation
from service.models import Chat
from tests.service.helpers import chat_column_over_its_migration, payloads, press, say, texts

CHILDLINE = "0800 1111"
MENU = "topic:complaints"


def place_of(runtime: Any) -> str | None:
    with Session(runtime.database) as session:
        return session.exec(select(Chat)).one().place


def everything(replies: list[Any]) -> str:
    return " ".join(texts(replies) + [b.label for r in replies for b in r.buttons])


async def read_all(conversation: Conversation, topic: str) -> str:
    """The answer to a topic, every 'tell me more' step, and every action's words."""
    seen = await press(conversation, f"topic:{topic}")
    while "more" in payloads(seen[-1:]):
        seen += await press(conversation, "more")
    actions = await press(conversation, "actions")
    seen += actions
    for route in [p for p in payloads(actions) if p.startswith("action:")]:
        if route != "action:advocate":
            seen += await press(conversation, route)
    return everything(seen)


# ---- each kind of place, named alone: what it is, then the menu (not the greeting) ----


async def test_a_yoi(conversation: Conversation, runtime: Any) -> None:
    replies = await say(conversation, "HMYOI Wetherby")
    assert replies[0].text == (
        "Wetherby is a YOI (young offender institution). "
        "I will give you answers for that kind of place."
    )
    assert "What do you want to know about?" in replies[1].text and MENU in payloads(replies)
    assert "I am Rightsline" not in everything(replies)
    assert place_of(runtime) == "wetherby"


async def test_a_yoi_in_lower_case_in_a_sentence(conversation: Conversation, library: Any) -> None:
    replies = await say(conversation, "im in feltham")
    assert replies[0].text.startswith("Feltham is a YOI")
    complaint = await press(conversation, "topic:complaints")
    assert complaint[0].text == " ".join(library.answer("complaints", "child", "yoi").first)


async def test_a_typo(conversation: Conversation) -> None:
    replies = await say(conversation, "im in wetherbey")
    assert replies[0].text.startswith("Wetherby is a YOI")


async def test_an_stc(conversation: Conversation, runtime: Any) -> None:
    replies = await say(conversation, "im at oakhill")
    assert replies[0].text.startswith("Oakhill is an STC (secure training centre).")
    assert MENU in payloads(replies)
    assert place_of(runtime) == "oakhill"


async def test_a_former_name_says_what_it_is_called_now(
    conversation: Conversation, runtime: Any
) -> None:
    replies = await say(conversation, "im in medway")
    assert replies[0].text == (
        "Medway is now called Oasis Restore. It is a secure school. "
        "I will give you answers for that kind of place."
    )
    assert MENU in payloads(replies)
    assert place_of(runtime) == "oasis-restore"


async def test_a_secure_childrens_home_in_wales(conversation: Conversation) -> None:
    replies = await say(conversation, "hillside")
    assert replies[0].text == (
        "Hillside is a secure children's home. I will give you answers for that kind of "
        "place. Hillside is in Wales. I will tell you about help in Wales."
    )
    assert MENU in payloads(replies)


async def test_a_closed_place_says_so_and_asks_where_now(
    conversation: Conversation, runtime: Any, library: Any
) -> None:
    replies = await say(conversation, "im in cookham wood")
    assert replies[0].text == (
        "Cookham Wood does not hold children any more. Where are you staying now?"
    )
    assert "setting:yoi" in payloads(replies) and "setting:unsure" in payloads(replies)
    assert place_of(runtime) is None
    chosen = await press(conversation, "setting:stc")
    assert library.kinds["stc"].child_name in chosen[0].text


async def test_a_hospital_mentioned_in_passing_does_not_move_a_child_out_of_their_yoi(
    conversation: Conversation, runtime: Any
) -> None:
    def setting() -> str | None:
        with Session(runtime.database) as session:
            return session.exec(select(Chat)).one().setting

    await press(conversation, "role:child")
    await press(conversation, "setting:yoi")
    said = await say(conversation, "my mum was in hospital so she missed my visit, can she rebook")
    assert setting() == "yoi"
    assert not any("hospital ward" in line for line in texts(said))
    moved = await say(conversation, "theyve moved me to the hospital ward now")
    assert moved[0].text == (
        "Thanks. I will give you answers for a hospital ward for mental health."
    )
    assert setting() == "hospital"


async def test_a_closed_place_named_by_a_parent_asks_where_the_child_is(
    conversation: Conversation,
) -> None:
    await press(conversation, "role:family")
    replies = await say(conversation, "my son was in cookham wood")
    assert replies[0].text == (
        "Cookham Wood does not hold children any more. Where is the child staying now?"
    )


async def test_hospital_words_switch_to_hospital_answers(
    conversation: Conversation, library: Any
) -> None:
    for words in ("im on a ward", "im in hospital", "im on a cahms unit", "tier 4 ward"):
        replies = await say(conversation, words)
        assert replies[0].text == (
            "Thanks. I will give you answers for a hospital ward for mental health."
        ), words
        assert MENU in payloads(replies)
    complaint = await press(conversation, "topic:complaints")
    assert complaint[0].text == " ".join(library.answer("complaints", "child", "hospital").first)


async def test_a_ward_after_a_place_forgets_the_place(
    conversation: Conversation, runtime: Any
) -> None:
    await say(conversation, "parc")
    await say(conversation, "im on a ward now")
    assert place_of(runtime) is None


async def test_choosing_another_kind_forgets_the_place(
    conversation: Conversation, runtime: Any
) -> None:
    await say(conversation, "im in parc")
    await press(conversation, "setting:yoi")
    assert place_of(runtime) == "parc"
    await press(conversation, "setting:stc")
    assert place_of(runtime) is None


# ---- a place inside a question: what it is first, then the answer for that place ----


async def test_a_place_inside_a_question(conversation: Conversation, library: Any) -> None:
    replies = await say(conversation, "im in wetherby how do i complain")
    assert replies[0].text.startswith("Wetherby is a YOI")
    assert replies[1].text == " ".join(library.answer("complaints", "child", "yoi").first)
    assert "COMP1" in replies[1].text


async def test_a_place_already_known_is_not_said_again(
    conversation: Conversation, library: Any
) -> None:
    await say(conversation, "im on a ward")
    replies = await say(conversation, "on the ward how do i complain")
    assert replies[0].text == " ".join(library.answer("complaints", "child", "hospital").first)
    await say(conversation, "im in wetherby")
    replies = await say(conversation, "in wetherby how do i complain")
    assert replies[0].text == " ".join(library.answer("complaints", "child", "yoi").first)


# ---- Wales: Welsh bodies, never Coram Voice ----


async def test_parc_gets_welsh_bodies_in_complaints(conversation: Conversation) -> None:
    replies = await say(conversation, "im in parc")
    assert "Parc is in Wales" in replies[0].text
    said = await read_all(conversation, "complaints")
    assert "Children's Commissioner for Wales" in said
    assert "Coram Voice" not in said and "Help at Hand" not in said


async def test_parc_gets_welsh_bodies_for_an_advocate(conversation: Conversation) -> None:
    await say(conversation, "parc")
    said = await read_all(conversation, "advocate")
    assert "Children's Commissioner for Wales" in said
    assert "Coram Voice" not in said and "Help at Hand" not in said


async def test_parc_gets_welsh_bodies_in_helplines(conversation: Conversation) -> None:
    await say(conversation, "parc")
    said = await read_all(conversation, "helpline")
    assert "Children's Commissioner for Wales" in said and CHILDLINE in said
    assert "Coram Voice" not in said and "Help at Hand" not in said


async def test_hillside_complaints_go_to_the_ombudsman_for_wales(
    conversation: Conversation,
) -> None:
    await say(conversation, "im at hillside")
    said = await read_all(conversation, "complaints")
    assert "Ombudsman for Wales" in said and "Children's Commissioner for Wales" in said
    assert "Help at Hand" not in said and "Social Care Ombudsman" not in said


async def test_a_welsh_question_is_answered_for_wales(conversation: Conversation) -> None:
    replies = await say(conversation, "im in parc how do i get an advocate")
    assert "Parc is in Wales" in replies[0].text
    assert "action:coram_voice" not in payloads(await press(conversation, "actions"))


async def test_england_keeps_its_own_bodies(conversation: Conversation) -> None:
    await say(conversation, "im in wetherby")
    said = await read_all(conversation, "advocate")
    assert "Coram Voice" in said and "Children's Commissioner for Wales" not in said


# ---- safety first, whatever place is named ----


async def test_a_risk_message_naming_a_place_gets_childline_first(
    conversation: Conversation,
) -> None:
    replies = await say(conversation, "im in feltham and i want to kill myself")
    assert CHILDLINE in replies[0].text
    assert not any(t.startswith("Feltham is") for t in texts(replies))


# ---- the column ----


def test_the_place_column_comes_and_goes_with_its_migration(database_url: str) -> None:
    rows, columns = chat_column_over_its_migration(database_url, before="0003", column="place")
    assert rows == [("chat-1", None)]
    assert "place" not in columns and "setting" in columns


# ---- what a kind of place is, for someone who asks ----


async def test_a_parent_who_asks_what_a_yoi_is_is_told_and_then_offered_visits_first(
    conversation: Conversation, runtime: Any
) -> None:
    await press(conversation, "role:family")
    replies = await say(conversation, "sorry what is a YOI? my son has just been sent to one")
    assert replies[0].text.startswith("A YOI (young offender institution) is a prison")
    assert "15 to 17" in replies[0].text
    assert replies[1].text.startswith("What would you like to know?")
    assert payloads(replies)[0] == "topic:visits"
    assert "did not understand" not in everything(replies)


async def test_a_child_who_asks_what_an_stc_is(conversation: Conversation) -> None:
    replies = await say(conversation, "whats an stc")
    assert replies[0].text.startswith("An STC (secure training centre)")
    assert "12 to 17" in replies[0].text and "Oakhill" in replies[0].text
    assert MENU in payloads(replies)


async def test_a_question_about_two_kinds_explains_both_in_the_order_asked(
    conversation: Conversation,
) -> None:
    replies = await say(
        conversation, "whats the difference between a secure training centre and a yoi"
    )
    assert replies[0].text.startswith("An STC (secure training centre)")
    assert replies[1].text.startswith("A YOI (young offender institution)")


async def test_a_question_about_rules_in_a_yoi_gets_the_rules_not_what_a_yoi_is(
    conversation: Conversation,
) -> None:
    replies = await say(conversation, "what are the rules on restraint in a yoi")
    assert "is a prison just for young people" not in everything(replies)


async def test_a_risk_in_a_question_about_a_kind_of_place_still_comes_first(
    conversation: Conversation,
) -> None:
    replies = await say(conversation, "what is a secure childrens home, staff there hit me")
    assert CHILDLINE in replies[0].text
    assert "locked home for children" not in everything(replies)
