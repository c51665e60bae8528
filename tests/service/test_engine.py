"""The conversation engine, driven directly, on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlmodel import Session, select

from service.db import make_engine
from service.engine import Conversation, MessageMissing
from service.models import Referral
from service.replies import Inbound
from tests.service.helpers import count, database_dump, payloads, texts

KEY = "a" * 64
CHILDLINE = "0800 1111"


async def say(conversation: Conversation, text: str) -> list[Any]:
    return await conversation.handle(KEY, "web", Inbound(text=text))


async def press(conversation: Conversation, payload: str) -> list[Any]:
    return await conversation.handle(KEY, "web", Inbound(payload=payload))


def referrals(runtime: Any) -> list[Referral]:
    with Session(runtime.database) as session:
        return list(session.exec(select(Referral)).all())


async def test_greeting_asks_who_without_asking_a_name(conversation: Conversation) -> None:
    replies = await conversation.start(KEY, "web")
    assert "Rightsline" in replies[0].text
    assert "do not need to tell me your name" in replies[0].text
    assert payloads(replies) == ["role:child", "role:family", "role:professional"]


async def test_role_then_setting_then_menu(conversation: Conversation, library: Any) -> None:
    await conversation.start(KEY, "web")
    asked = await press(conversation, "role:child")
    assert "Where are you staying" in asked[0].text
    assert "setting:yoi" in payloads(asked) and "setting:unsure" in payloads(asked)
    chosen = await press(conversation, "setting:stc")
    assert library.kinds["stc"].child_name in chosen[0].text
    assert "topic:separation" in payloads(chosen) and "talk" in payloads(chosen)


async def test_a_message_not_understood_still_offers_childline(
    conversation: Conversation,
) -> None:
    # Some children who are not safe say so in words no model has seen: keep help in reach.
    await press(conversation, "role:child")
    replies = await say(conversation, "what is the capital of france")
    assert "did not understand" in replies[0].text
    assert CHILDLINE in replies[0].text
    assert "talk" in payloads(replies)


async def test_a_parent_not_understood_is_given_the_families_helpline_not_childline(
    conversation: Conversation,
) -> None:
    await press(conversation, "role:family")
    replies = await say(conversation, "what is the capital of france")
    assert "did not understand" in replies[0].text
    assert "Prisoners' Families Helpline" in replies[0].text and "0808 808 3444" in replies[0].text
    assert CHILDLINE not in replies[0].text
    assert payloads(replies)[0] == "topic:visits"


async def test_family_menu_puts_visits_first(conversation: Conversation) -> None:
    await press(conversation, "role:family")
    replies = await press(conversation, "setting:yoi")
    assert payloads(replies)[0] == "topic:visits"


async def test_topic_answer_from_free_text_fits_the_place(
    conversation: Conversation, library: Any
) -> None:
    await press(conversation, "role:child")
    await press(conversation, "setting:yoi")
    replies = await say(conversation, "been banged up 23 hours is that allowed")
    expected = library.answer("separation", "child", "yoi")
    assert replies[0].text == " ".join(expected.first)
    assert {"more", "talk"} <= set(payloads(replies))


async def test_tell_me_more_walks_the_steps_then_offers_actions(
    conversation: Conversation, library: Any
) -> None:
    await press(conversation, "topic:restraint")
    answer = library.answer("restraint", "child", None)
    for step in answer.more:
        replies = await press(conversation, "more")
        assert replies[0].text == step
    finished = await press(conversation, "more")
    assert "action:" + answer.actions[0].route in payloads(finished)


async def test_an_action_says_what_to_do(conversation: Conversation, library: Any) -> None:
    await press(conversation, "topic:complaints")
    actions = await press(conversation, "actions")
    route = next(p for p in payloads(actions) if p.startswith("action:") and p != "action:advocate")
    replies = await press(conversation, route)
    answer = library.answer("complaints", "child", None)
    assert replies[0].text in [a.text for a in answer.actions]


async def test_talk_to_someone_offers_an_advocate_and_childline(
    conversation: Conversation, runtime: Any
) -> None:
    replies = await press(conversation, "talk")
    assert any(CHILDLINE in t for t in texts(replies))
    assert payloads(replies) == ["advocate:yes", "advocate:no"]
    assert referrals(runtime) == []


async def test_consent_creates_a_referral_and_says_how_the_reply_comes(
    conversation: Conversation, runtime: Any
) -> None:
    await say(conversation, "how do i complain about staff")
    await press(conversation, "talk")
    replies = await press(conversation, "advocate:yes")
    assert "reply in this chat" in replies[0].text
    [referral] = referrals(runtime)
    assert (referral.status, referral.urgency) == ("new", "normal")
    assert "complain" in referral.summary


async def test_a_child_who_only_asked_to_talk_is_shown_so_to_the_advocate(
    conversation: Conversation, runtime: Any
) -> None:
    await press(conversation, "talk")
    await press(conversation, "advocate:yes")
    [referral] = referrals(runtime)
    # Not a blank "(nothing kept)": the advocate knows to ask why in the chat.
    assert referral.summary.startswith("(They asked to talk to an advocate.")


async def test_typed_yes_counts_as_consent(conversation: Conversation, runtime: Any) -> None:
    await press(conversation, "talk")
    await say(conversation, "yes")
    assert len(referrals(runtime)) == 1


async def test_saying_no_keeps_the_door_open(conversation: Conversation, runtime: Any) -> None:
    await press(conversation, "talk")
    replies = await press(conversation, "advocate:no")
    assert "any time" in replies[0].text
    assert referrals(runtime) == []


async def test_privacy_answer_offers_forget_me(conversation: Conversation) -> None:
    replies = await say(conversation, "can staff read this chat")
    assert "forget" in payloads(replies)


async def test_forget_me_erases_everything(conversation: Conversation, runtime: Any) -> None:
    await say(conversation, "i want to complain")
    await press(conversation, "talk")
    await press(conversation, "advocate:yes")
    asked = await press(conversation, "forget")
    assert payloads(asked) == ["forget:yes", "forget:no"]
    done = await press(conversation, "forget:yes")
    assert "deleted what you wrote" in done[0].text
    for table in ("chat_session", "event", "referral", "relay_message"):
        assert count(runtime.database, table) == 0


@pytest.mark.parametrize(
    "message",
    ["i want to kill myself", "kms", "my mate said he is going to hang himself", "staff hit me"],
)
async def test_risk_gets_childline_first_and_an_urgent_referral(
    conversation: Conversation, runtime: Any, message: str
) -> None:
    replies = await say(conversation, message)
    assert CHILDLINE in replies[0].text
    # Then help now: staff, or (when staff are named) help that does not go through them.
    assert "danger" in replies[1].text or "without going to staff" in replies[1].text
    assert "advocate will read" in replies[-1].text
    [referral] = referrals(runtime)
    assert referral.urgency == "urgent" and referral.risks


async def test_a_second_risk_message_raises_the_same_referral(
    conversation: Conversation, runtime: Any
) -> None:
    await press(conversation, "talk")
    await press(conversation, "advocate:yes")
    await say(conversation, "i want to end it all")
    [referral] = referrals(runtime)
    assert referral.urgency == "urgent"


async def test_no_name_or_number_reaches_the_database(
    conversation: Conversation, runtime: Any
) -> None:
    await say(conversation, "my name is Zebedee Quillfeather and my number is 07700 900123")
    await say(conversation, "officer Marigold Thistlewick restrained me, can i complain")
    await press(conversation, "talk")
    await press(conversation, "advocate:yes")
    stored = database_dump(runtime.database)
    assert "[NAME]" in stored or "[PHONE]" in stored
    for detail in ("Zebedee", "Quillfeather", "Marigold", "Thistlewick", "900123", "07700"):
        assert detail not in stored


@pytest.mark.parametrize(
    "message",
    ["", "   ", "x" * 10_000, "😀😀😀", "<script>alert(1)</script>", "¿Dónde está mi abogado?"],
)
async def test_odd_input_gets_a_kind_reply(conversation: Conversation, message: str) -> None:
    replies = await say(conversation, message)
    assert replies and all(r.text for r in replies)
    assert not any("Traceback" in t or "Error" in t for t in texts(replies))


async def test_a_wrong_payload_gets_the_menu(conversation: Conversation) -> None:
    replies = await press(conversation, "topic:nonsense")
    assert "did not work" in replies[0].text
    assert "topic:separation" in payloads(replies)


async def test_risk_still_gets_childline_when_the_database_is_down(
    library: Any, analyse: Any
) -> None:
    unreachable = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/none")
    conversation = Conversation(database=unreachable, library=library, analyse=analyse)
    replies = await conversation.handle(KEY, "web", Inbound(text="i want to kill myself"))
    assert CHILDLINE in replies[0].text
    assert not any("advocate will read" in t for t in texts(replies))
    ordinary = await conversation.handle(KEY, "web", Inbound(text="can i get a visit"))
    assert CHILDLINE in ordinary[0].text


async def test_risk_still_gets_childline_when_the_model_fails(runtime: Any, library: Any) -> None:
    def broken(_text: str) -> Any:
        raise RuntimeError("model failed")

    conversation = Conversation(database=runtime.database, library=library, analyse=broken)
    replies = await conversation.handle(KEY, "web", Inbound(text="i want to kill myself"))
    assert CHILDLINE in replies[0].text
    assert len(referrals(runtime)) == 1
    ordinary = await conversation.handle(KEY, "web", Inbound(text="can i get a visit"))
    assert CHILDLINE in ordinary[0].text


async def test_a_message_missing_from_content_fails_loudly_under_tests(
    runtime: Any, analyse: Any
) -> None:
    assert runtime.conversation.strict  # the settings say env "test"
    gappy = copy.copy(runtime.library)
    gappy.messages = {k: v for k, v in runtime.library.messages.items() if k != "greeting"}
    strict = Conversation(database=runtime.database, library=gappy, analyse=analyse, strict=True)
    lenient = Conversation(database=runtime.database, library=gappy, analyse=analyse)
    with pytest.raises(MessageMissing, match="greeting"):
        await strict.start(KEY, "web")
    # In service the turn still goes on, the gap logged (content check keeps it from there).
    replies = await lenient.start("b" * 64, "web")
    assert replies[0].text == "" and "role:child" in payloads(replies)


async def test_starting_with_a_role_greets_then_follows_that_choice(
    conversation: Conversation,
) -> None:
    plain = await conversation.start("b" * 64, "web")
    family = await conversation.start(KEY, "web", role="family")
    # A greeting for a parent, then what choosing "family" says (no "who are you?").
    assert "your rights" in plain[0].text
    assert family[0].text.startswith("Hi. I am Rightsline.")
    assert "your rights" not in family[0].text and "children in custody" in family[0].text
    assert "your child" in family[1].text
    assert "role:family" not in payloads(family)
    assert len(family) == 2 and "setting:yoi" in payloads(family)


async def test_a_route_back_is_kept_once_from_the_first_turn(
    conversation: Conversation, runtime: Any
) -> None:
    from service import storage

    def route_of(key: str) -> str | None:
        with Session(runtime.database) as session:
            chat = storage.find_chat(session=session, key=key)
            return chat.route if chat is not None else None

    await conversation.start(KEY, "telegram", route="first")
    await press(conversation, "role:child")  # a turn with no route leaves it be
    await conversation.handle(KEY, "telegram", Inbound(text="hello"), route="second")
    assert route_of(KEY) == "first"
    # A chat whose first words show risk keeps its route too, so an advocate can answer.
    risky = "c" * 64
    await conversation.handle(risky, "telegram", Inbound(text="i want to die"), route="back")
    assert route_of(risky) == "back"
    # Gone is gone: a new chat after "forget me" keeps the new route.
    await press(conversation, "forget:yes")
    await conversation.handle(KEY, "telegram", Inbound(text="hello"), route="third")
    assert route_of(KEY) == "third"
