"""What someone at risk is told, by who they are and who hurt the child; and who the referral
says wrote in. Each test is a conversation through the real engine, model and database.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import Session, select

from service.db import make_engine
from service.models import Chat
from service.runtime import build_runtime
from tests.service.helpers import graded, press, referrals, say, texts

CHILDLINE = "0800 1111"
# Words that send a child back to staff: wrong when staff are the ones hurting them.
TO_STAFF = ("member of staff", "call bell")
NEVER_TO_HURT = "never hurt you to make you do as you are told"
UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=1"


def joined(replies: list[Any]) -> str:
    return " ".join(texts(replies))


async def child_in(conversation: Any, setting: str) -> None:
    await press(conversation, "role:child")
    await press(conversation, f"setting:{setting}")


# ---- a child who names staff --------------------------------------------------------------


async def test_a_place_named_in_a_risk_message_is_remembered_and_its_routes_given(
    runtime: Any,
) -> None:
    # A first message, with no place chosen: the place in the words is enough.
    hurt = "an officer at wetherby punched me in the face last night"
    conversation = runtime.conversation
    replies = await say(conversation, hurt)
    assert CHILDLINE in texts(replies)[0]
    assert "IMB" in joined(replies)  # Wetherby is a YOI, which has an IMB
    [referral] = referrals(runtime.database)
    assert referral.setting == "yoi"
    # The advocate's queue names the place (from the chat), as for a place typed alone.
    with Session(runtime.database) as session:
        assert session.exec(select(Chat.place)).one() == "wetherby"
    # And the next answer is for a YOI too.
    later = await say(conversation, "how do i complain")
    assert "COMP1" in joined(later)


async def test_a_child_hurt_by_an_officer_is_not_sent_back_to_staff(runtime: Any) -> None:
    conversation = runtime.conversation
    await child_in(conversation, "yoi")
    replies = await say(conversation, "an officer punched me in the face last night")
    said = texts(replies)
    assert CHILDLINE in said[0]  # Childline first, always
    assert not any(words in joined(replies) for words in TO_STAFF)
    assert "IMB" in said[1] and "without going to staff" in said[1]
    assert any("nurse" in line for line in said)
    assert "advocate will read your message" in said[-1]
    [referral] = referrals(runtime.database)
    assert (referral.urgency, referral.role, referral.setting) == ("urgent", "child", "yoi")
    assert "abuse" in referral.risks and "punched" in referral.summary


async def test_a_child_who_named_staff_is_not_sent_back_to_them_in_the_next_message(
    settings: Any, analyse: Any
) -> None:
    """ "they bent my thumb back" after "staff restrained me and it hurt" is about the same staff:
    the second answer must not say "tell a member of staff", as the first did not."""
    first = "staff restrained me yesterday and it really hurt my wrist"
    then = "they bent my thumb back"
    abuse = {"risks": ["abuse"]}
    built = build_runtime(settings, analyse=graded(analyse, **{first: abuse, then: abuse}))
    try:
        await child_in(built.conversation, "stc")
        await say(built.conversation, first)
        replies = await say(built.conversation, then)
        assert CHILDLINE in texts(replies)[0]
        assert not any(words in joined(replies) for words in TO_STAFF)
        assert "without going to staff" in joined(replies)
    finally:
        built.close()


async def test_a_calm_word_about_staff_earlier_does_not_change_a_later_self_harm_answer(
    runtime: Any,
) -> None:
    await child_in(runtime.conversation, "sch")
    await say(runtime.conversation, "my keyworker is sound, can she come to my review")
    replies = await say(runtime.conversation, "i miss my mum so much i want to die")
    assert "call bell" in joined(replies)


async def test_an_urgent_referral_carries_the_topic_its_message_was_about(
    settings: Any, analyse: Any
) -> None:
    """A restraint that hurt is found under "restraint" in the advocates' queue."""
    hurt = "they held me face down and bent my wrist till it clicked"
    sure = {"risks": ["abuse"], "topic": "restraint", "subject": "restraint", "topic_score": 0.97}
    unsure = {"risks": ["self_harm"], "topic": "separation", "topic_score": 0.4}
    low = "i keep thinking about ending it all"
    built = build_runtime(settings, analyse=graded(analyse, **{hurt: sure, low: unsure}))
    try:
        await say(built.conversation, hurt)
        await say(built.conversation, low, key="b" * 64)
        topics = {referral.risks: referral.topic for referral in referrals(built.database)}
        assert topics == {"abuse": "restraint", "self_harm": None}
    finally:
        built.close()


async def test_a_child_at_risk_who_names_family_keeps_a_childs_answers(
    settings: Any, analyse: Any
) -> None:
    """A goodbye that names "my son"'s words stays a child's when the chat is a child's."""
    goodbye = "i wrote letters for my mum and my son will get them after im gone"
    graded_as = {"risks": ["self_harm"], "role_said": "family", "role": "family"}
    built = build_runtime(settings, analyse=graded(analyse, **{goodbye: graded_as}))
    try:
        await child_in(built.conversation, "yoi")
        said = texts(await say(built.conversation, goodbye))
        assert said[0].startswith("I am glad you told me") and CHILDLINE in said[0]
        assert not any("Children can talk to Childline" in line for line in said)
        [referral] = referrals(built.database)
        assert referral.role == "child"
    finally:
        built.close()


async def test_night_staff_outside_a_yoi_hear_of_help_at_hand_not_the_imb(
    runtime: Any, library: Any
) -> None:
    conversation = runtime.conversation
    await child_in(conversation, "sch")
    replies = await say(conversation, "the night staff touch me when im in bed")
    said = texts(replies)
    assert CHILDLINE in said[0]
    assert not any(words in joined(replies) for words in TO_STAFF)
    # Secure children's homes have no IMB: Help at Hand instead, with its own number.
    assert "IMB" not in joined(replies)
    assert library.helpline("help_at_hand").number in said[1]
    assert [r.role for r in referrals(runtime.database)] == ["child"]


@pytest.mark.parametrize("first", ["i stay at hillside", None])
async def test_a_child_hurt_by_staff_in_wales_is_not_sent_to_englands_help_at_hand(
    runtime: Any, library: Any, first: str | None
) -> None:
    """Help at Hand is for children in England; Hillside is in Wales, whether the child named
    it before or in the same message."""
    conversation = runtime.conversation
    hurt = "a staff member hit me at hillside" if first is None else "a staff member hit me"
    if first is not None:
        await press(conversation, "role:child")
        await say(conversation, first)
    replies = await say(conversation, hurt)
    said = joined(replies)
    assert CHILDLINE in texts(replies)[0]
    assert library.helpline("help_at_hand").number not in said
    assert "Children's Commissioner for Wales" in said
    assert not any(words in said for words in TO_STAFF)


async def test_a_child_who_said_who_they_are_stays_a_child_after_a_disclosure(
    runtime: Any, library: Any
) -> None:
    """The model's guess at who is writing never overrules the button the child pressed: the
    next words after telling are still a child's, and the advocate is told a child wrote."""
    conversation = runtime.conversation
    await child_in(conversation, "sch")
    await say(conversation, "one of the night staff keeps touchin me when i sleep")
    replies = await say(conversation, "i dont want to get him in trouble")
    assert library.helpline("nspcc").number not in joined(replies)
    assert [r.role for r in referrals(runtime.database)] == ["child"]
    with Session(runtime.database) as session:
        assert session.exec(select(Chat.role)).one() == "child"
    # Words that say so still change it: a parent who pressed the wrong button.
    await say(conversation, "my son is in there too and i am his mum")
    with Session(runtime.database) as session:
        assert session.exec(select(Chat.role)).one() == "family"


async def test_after_telling_the_next_words_are_heard_as_said_after_telling(
    runtime: Any, library: Any
) -> None:
    """ "Is someone in danger right now?" answered "yes", or "i really mean it", gets Childline
    again and the promise that an advocate sees it, never the menu or "I did not understand";
    a question still gets its answer, and the advocate sees all of it."""
    conversation = runtime.conversation
    await child_in(conversation, "yoi")
    await say(conversation, "i want to die")
    for words in ("yes", "i really mean it", "hello??"):
        [reply] = await say(conversation, words)
        assert reply.text == library.message("crisis_still_here")
        assert CHILDLINE in reply.text
    assert "COMP1" in joined(await say(conversation, "how do i complain"))
    [referral] = referrals(runtime.database)
    assert referral.urgency == "urgent"


async def test_a_restraint_that_hurt_hears_it_must_never_be_used_to_hurt(
    settings: Any, analyse: Any
) -> None:
    # Graded urgent whatever the model's latest training, so the test is about the reply.
    hurt = "staff bent my wrist back when they held me down"
    built = build_runtime(settings, analyse=graded(analyse, **{hurt: {"risks": ["abuse"]}}))
    try:
        await child_in(built.conversation, "yoi")
        replies = await say(built.conversation, hurt)
        said = texts(replies)
        assert CHILDLINE in said[0]
        assert "IMB" in said[1]
        assert any(NEVER_TO_HURT in line for line in said)
        assert not any(words in joined(replies) for words in TO_STAFF)
        [referral] = referrals(built.database)
        assert (referral.urgency, referral.role) == ("urgent", "child")
    finally:
        built.close()


async def test_a_child_hurt_by_another_child_may_still_tell_staff(runtime: Any) -> None:
    conversation = runtime.conversation
    await child_in(conversation, "yoi")
    replies = await say(conversation, "another lad on the wing keeps punching me")
    said = texts(replies)
    assert CHILDLINE in said[0]
    assert "member of staff" in said[1] and "call bell" in said[1]
    assert "without going to staff" not in joined(replies)


async def test_a_child_who_hurts_themselves_and_names_a_nurse_may_still_tell_staff(
    settings: Any, analyse: Any
) -> None:
    """Staff named in a self-harm message are not the ones hurting the child: they hear to tell
    staff or press the call bell, never "a different one from the person who hurt you"."""
    words = "told the nurse im fine but ive been hiding my tablets"
    built = build_runtime(settings, analyse=graded(analyse, **{words: {"risks": ["self_harm"]}}))
    try:
        await child_in(built.conversation, "sch")
        said = texts(await say(built.conversation, words))
        assert CHILDLINE in said[0]
        assert "member of staff" in said[1] and "call bell" in said[1]
        assert not any("who hurt you" in line or "without going to staff" in line for line in said)
        [referral] = referrals(built.database)
        assert (referral.urgency, referral.risks) == ("urgent", "self_harm")
    finally:
        built.close()


async def test_missing_someone_is_not_naming_a_teacher(runtime: Any) -> None:
    replies = await say(runtime.conversation, "i miss my mum so much i want to die")
    said = texts(replies)
    assert CHILDLINE in said[0]
    assert "call bell" in said[1]


@pytest.mark.parametrize(
    ("text", "staff", "restraint"),
    [
        ("an officer punched me", True, False),
        ("Sir grabbed me by the neck", True, False),
        ("the screws held me down", True, True),
        ("i miss my mum", False, False),
        ("miss hit me", True, False),
        ("another lad keeps punching me", False, False),
        ("they put me on the floor", False, True),
        ("my wrist hurts after restraint", False, True),
    ],
)
def test_the_words_that_name_staff_and_restraint_come_from_content(
    library: Any, text: str, staff: bool, restraint: bool
) -> None:
    assert library.names_staff(text) is staff
    assert library.mentions_restraint(text) is restraint


# ---- a family member, or a professional ---------------------------------------------------


async def test_a_parent_on_the_family_page_gets_the_adult_crisis_replies(runtime: Any) -> None:
    conversation = runtime.conversation
    await conversation.start("a" * 64, "web", role="family")  # as the /family page does
    await press(conversation, "setting:yoi")
    replies = await say(conversation, "my son said staff hurt him and he has bruises")
    said = texts(replies)
    everything = joined(replies)
    assert CHILDLINE in said[0] and "999" in said[0]
    assert "duty governor" in everything and "safer custody team" in everything
    assert "NSPCC" in everything and "0808 800 5000" in everything
    assert "NYAS" in everything and "0808 808 1001" in everything
    assert "Coram Voice" in everything and "England only" in everything
    assert "call bell" not in everything
    assert "Nobody is allowed to hurt you" not in everything  # the child's words, not theirs
    assert "advocate will read your message" in said[-1]
    [referral] = referrals(runtime.database)
    assert (referral.urgency, referral.role, referral.setting) == ("urgent", "family", "yoi")
    assert "bruises" in referral.summary


async def test_a_parent_told_of_a_painful_restraint_hears_it_must_never_hurt(
    settings: Any, analyse: Any
) -> None:
    hurt = "they restrained my daughter and bent her wrist, she is hurt"
    built = build_runtime(settings, analyse=graded(analyse, **{hurt: {"risks": ["abuse"]}}))
    try:
        await press(built.conversation, "role:family")
        replies = await say(built.conversation, hurt)
        everything = joined(replies)
        assert CHILDLINE in texts(replies)[0]
        assert "must never use pain to make a child do as they are told" in everything
        assert NEVER_TO_HURT not in everything  # the child's version
        assert [r.role for r in referrals(built.database)] == ["family"]
    finally:
        built.close()


async def test_a_worried_parent_is_asked_about_the_child_and_no_makes_it_urgent(
    settings: Any, analyse: Any
) -> None:
    worried = "they restrained my daughter and bent her wrist, she is hurt"
    graded_as = {"risks": [], "concern": True}
    built = build_runtime(settings, analyse=graded(analyse, **{worried: graded_as}))
    try:
        conversation = built.conversation
        await press(conversation, "role:family")
        asked = texts(await say(conversation, worried))
        assert CHILDLINE in asked[0]
        assert asked[-1] == "As far as you know, is the child safe right now?"
        assert "Are you safe right now?" not in asked
        replies = await press(conversation, "safe:no")
        assert "duty governor" in joined(replies) and "call bell" not in joined(replies)
        [referral] = referrals(built.database)
        assert (referral.urgency, referral.role) == ("urgent", "family")
        assert "not safe right now" in referral.summary
    finally:
        built.close()


async def test_a_professional_gets_the_adult_replies_and_their_own_duty(runtime: Any) -> None:
    conversation = runtime.conversation
    await press(conversation, "role:professional")
    replies = await say(conversation, "a boy i work with says officers beat him up")
    everything = joined(replies)
    assert CHILDLINE in texts(replies)[0]
    assert "duty governor" in everything and "safeguarding" in everything
    assert "call bell" not in everything
    assert [r.role for r in referrals(runtime.database)] == ["professional"]


async def test_a_forgotten_chat_leaves_the_referral_saying_a_parent_raised_it(
    runtime: Any,
) -> None:
    conversation = runtime.conversation
    await press(conversation, "role:family")
    await say(conversation, "my son said staff hurt him")
    assert await conversation.forget("a" * 64)
    [referral] = referrals(runtime.database)
    assert (referral.session_id, referral.urgency, referral.role) == (None, "urgent", "family")


# ---- the outbox, when the database is away -------------------------------------------------


async def test_the_outbox_keeps_who_wrote_in_and_reads_its_older_lines(runtime: Any) -> None:
    conversation = runtime.conversation
    await press(conversation, "role:family")
    real = runtime.database
    gone = make_engine(UNREACHABLE)
    conversation.use_database(gone)
    try:
        replies = await say(conversation, "my son said staff hurt him")
    finally:
        conversation.use_database(real)
        gone.dispose()
    # Away from the database the model's guess says who is writing.
    assert CHILDLINE in texts(replies)[0]
    assert "advocate will read your message" in texts(replies)[-1]
    [kept] = runtime.outbox.waiting()
    assert kept["role"] == "family"
    # A line written before roles were kept, for another chat, is still read.
    older = {"key": "b" * 64, "channel": "web", "risks": ["abuse"], "summary": "(older)"}
    with runtime.outbox.path.open("a") as outbox:
        outbox.write(json.dumps(older) + "\n")
    assert runtime.outbox.drain(real) == 2
    roles = {r.summary: r.role for r in referrals(real)}
    assert roles["(older)"] is None
    assert [role for summary, role in roles.items() if summary != "(older)"] == ["family"]
