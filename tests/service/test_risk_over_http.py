"""Risk over the real chat API: calm words stay calm, worrying words always get Childline."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

import nlp
from service import safety
from service.models import Referral

CHILDLINE = "0800 1111"
CRISIS = ("Please talk to Childline now", "Nobody is allowed to hurt you")


async def start(client: httpx.AsyncClient) -> str:
    started = await client.post("/api/chat/sessions")
    return str(started.json()["session_id"])


async def send(client: httpx.AsyncClient, session_id: str, **body: str) -> list[dict[str, Any]]:
    answer = await client.post(f"/api/chat/sessions/{session_id}/messages", json=body)
    assert answer.status_code == 200
    return list(answer.json()["replies"])


def referrals(runtime: Any) -> list[Referral]:
    with Session(runtime.database) as session:
        return list(session.exec(select(Referral)).all())


@pytest.mark.parametrize("text", ["yo", "start", "hi", "i want to speak to an advocate"])
async def test_greetings_and_requests_raise_no_alarm(
    client: httpx.AsyncClient, runtime: Any, text: str
) -> None:
    replies = await send(client, await start(client), text=text)
    said = " ".join(reply["text"] for reply in replies)
    assert not any(words in said for words in CRISIS)
    assert "Are you safe right now?" not in said
    assert referrals(runtime) == []


# Written for this test, in the ways children write; none is in content/training.
WORRYING = [
    "wrote letters to my family tonight so they know its not their fault",
    "been stashing my meds in a sock for a while now",
    "the night guy keeps coming in when its dark and says its our secret",
    "got a fat lip from the way they put me on the floor this morning",
    "honestly whats the point in waking up tomorrow",
    "im so scared all the time and i cant stop shaking",
]


@pytest.mark.parametrize("text", WORRYING)
async def test_whatever_is_marked_urgent_or_concern_gets_childline_first(
    client: httpx.AsyncClient, text: str
) -> None:
    found = nlp.analyse(text)
    marked = bool(safety.screen(text) or found.risks or found.concern)
    replies = await send(client, await start(client), text=text)
    if marked:
        assert CHILDLINE in replies[0]["text"]


async def test_no_to_are_you_safe_raises_an_urgent_referral(
    client: httpx.AsyncClient, runtime: Any
) -> None:
    session_id = await start(client)
    # Pressing "No" on the check-in, whatever message brought it up.
    replies = await send(client, session_id, payload="safe:no")
    assert CHILDLINE in replies[0]["text"]
    assert [r.urgency for r in referrals(runtime)] == ["urgent"]


@pytest.mark.parametrize(
    "text",
    [
        "everyone on the unit picks on me so ive been putting my tablets away in my pillow",
        "hid a load of paracetamol behind the radiator",
    ],
)
async def test_tablets_kept_back_are_urgent_whatever_else_is_said(
    client: httpx.AsyncClient, runtime: Any, text: str
) -> None:
    replies = await send(client, await start(client), text=text)
    assert CHILDLINE in replies[0]["text"]
    [referral] = referrals(runtime)
    assert referral.urgency == "urgent" and "self_harm" in referral.risks


async def test_risk_written_in_welsh_or_polish_is_put_through(
    client: httpx.AsyncClient, runtime: Any
) -> None:
    """ "Sorry, I did not understand" is no answer to "I want to kill myself" in Welsh."""
    for words in ("dw i eisiau lladd fy hun", "chcę się zabić"):
        replies = await send(client, await start(client), text=words)
        assert "0800 1111" in replies[0]["text"]
    assert [r.urgency for r in referrals(runtime)] == ["urgent", "urgent"]


@pytest.mark.parametrize(
    "leaving",
    [
        "my discharge date is tuesday so this is my last message, thanks for everything",
        # "so this is goodbye" after a move is also a risk phrase in a way of speaking.
        "released friday so this is goodbye thanks for everything",
    ],
)
async def test_a_goodbye_for_a_discharge_is_asked_are_you_safe_and_raises_no_alarm(
    client: httpx.AsyncClient, runtime: Any, leaving: str
) -> None:
    """The encoder reads this goodbye as the goodbye before dying (nlp/leaving.py)."""
    session_id = await start(client)
    replies = await send(client, session_id, text=leaving)
    said = " ".join(reply["text"] for reply in replies)
    assert CHILDLINE in replies[0]["text"] and "Are you safe right now?" in said
    # Wished well, not told "I am sorry things feel hard".
    assert replies[0]["text"].startswith("Good luck with what comes next")
    assert not any(words in said for words in CRISIS)
    assert referrals(runtime) == []
    # A "No" is urgent, as it is to any check-in.
    await send(client, session_id, payload="safe:no")
    assert [r.urgency for r in referrals(runtime)] == ["urgent"]


async def test_a_goodbye_where_the_move_is_only_a_cover_is_urgent(
    client: httpx.AsyncClient, runtime: Any
) -> None:
    covering = "said bye to my mates, they think im getting transferred monday but im not"
    replies = await send(client, await start(client), text=covering)
    assert CHILDLINE in replies[0]["text"]
    [referral] = referrals(runtime)
    assert referral.urgency == "urgent" and "self_harm" in referral.risks


async def test_a_long_goodbye_that_ends_with_things_given_away_is_not_wished_good_luck(
    client: httpx.AsyncClient,
) -> None:
    """The model reads a long message's start and end apart; the goodbye is at the start."""
    text = "getting released tomorrow so this is goodbye. " + "ok " * 1000
    replies = await send(client, await start(client), text=text + "i gave my trainers away")
    said = " ".join(reply["text"] for reply in replies)
    assert CHILDLINE in replies[0]["text"] and "Are you safe right now?" in said
    assert not replies[0]["text"].startswith("Good luck")
