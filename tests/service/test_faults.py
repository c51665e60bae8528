"""When things fail: the database away, odd characters, very long messages, a failed model.

Each test is a conversation over the real chat API; the child always gets Childline's number.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from service.app import create_app
from service.db import make_engine
from service.payloads import FORGET_YES
from service.replies import Inbound
from service.runtime import build_runtime
from tests.conftest import REDIS_URL, redis_available
from tests.service.helpers import count, referrals

CHILDLINE = "0800 1111"
# Nothing listens on port 1: every connection is refused at once, as when the network drops.
UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=1"


def client_for(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def start(client: httpx.AsyncClient) -> str:
    return str((await client.post("/api/chat/sessions")).json()["session_id"])


async def send(client: httpx.AsyncClient, session_id: str, text: str) -> httpx.Response:
    return await client.post(f"/api/chat/sessions/{session_id}/messages", json={"text": text})


@pytest.fixture
def lose_the_database(runtime: Any) -> Iterator[Callable[[], Any]]:
    """Call it to point the running service at a database that cannot be reached; it
    returns the real one. Whatever the test does, the real one is put back after."""
    real = runtime.database
    gone = make_engine(UNREACHABLE)

    def lose() -> Any:
        runtime.database = gone
        runtime.conversation.use_database(gone)
        return real

    yield lose
    bring_back(runtime, real)
    gone.dispose()


def bring_back(runtime: Any, real: Any) -> None:
    """The database is back: the service is pointed at it again."""
    runtime.database = real
    runtime.conversation.use_database(real)


async def test_a_risk_message_while_the_database_is_away_is_answered_and_kept(
    runtime: Any, client: httpx.AsyncClient, lose_the_database: Callable[[], Any]
) -> None:
    session_id = await start(client)
    real = lose_the_database()
    answer = await send(client, session_id, "staff punched me, my name is Zebedee Quillfeather")
    assert answer.status_code == 200
    replies = [reply["text"] for reply in answer.json()["replies"]]
    assert CHILDLINE in replies[0]
    # Staff are named, so the help offered does not go through staff.
    assert any("without going to staff" in text for text in replies)
    assert not any("call bell" in text for text in replies)
    # Kept on disk, private, redacted: never the name.
    outbox = runtime.outbox.path
    assert outbox.stat().st_mode & 0o777 == 0o600
    assert "Quillfeather" not in outbox.read_text() and "punched" in outbox.read_text()
    assert (await client.get("/readyz")).status_code == 503
    # The database comes back: the referral is written, the outbox emptied.
    bring_back(runtime, real)
    assert runtime.connect_database()
    [referral] = referrals(real)
    assert referral.urgency == "urgent" and "abuse" in referral.risks
    assert "punched" in referral.summary and "Quillfeather" not in referral.summary
    assert not outbox.exists()


async def test_a_child_who_says_they_are_not_safe_while_the_database_is_away_is_kept(
    runtime: Any, client: httpx.AsyncClient, lose_the_database: Callable[[], Any]
) -> None:
    session_id = await start(client)
    real = lose_the_database()
    answer = await send(client, session_id, "im not safe tonight, its Perpetua Ashgrove")
    replies = [reply["text"] for reply in answer.json()["replies"]]
    assert replies[0].startswith("Thank you for telling me") and CHILDLINE in replies[0]
    assert "Ashgrove" not in runtime.outbox.path.read_text()
    bring_back(runtime, real)
    assert runtime.connect_database()
    [referral] = referrals(real)
    assert referral.urgency == "urgent" and "not safe right now" in referral.summary
    assert "Ashgrove" not in referral.summary


async def test_two_risk_messages_while_the_database_is_away_keep_both_their_words(
    runtime: Any, client: httpx.AsyncClient, lose_the_database: Callable[[], Any]
) -> None:
    session_id = await start(client)
    before = count(runtime.database, "event")
    real = lose_the_database()
    for said in ("staff punched me in the face", "and he kicked me when i was on the floor"):
        answer = await send(client, session_id, said)
        assert answer.status_code == 200 and CHILDLINE in answer.json()["replies"][0]["text"]
    bring_back(runtime, real)
    assert runtime.connect_database()
    # One referral for the one chat, and the advocate reads what both messages said.
    [referral] = referrals(real)
    assert referral.urgency == "urgent"
    assert "punched" in referral.summary and "kicked" in referral.summary
    assert "not kept" not in referral.summary
    # Both messages count in the managers' figures, as any message does.
    assert count(real, "event") == before + 2


def test_a_line_kept_by_the_older_outbox_is_still_written(runtime: Any) -> None:
    runtime.outbox.path.parent.mkdir(parents=True, exist_ok=True)
    old_line = {"key": "p" * 64, "channel": "web", "risks": ["abuse"], "summary": "they hit me"}
    runtime.outbox.path.write_text(json.dumps(old_line) + "\n")
    assert runtime.outbox.drain(runtime.database) == 1
    [referral] = referrals(runtime.database)
    assert referral.summary == "they hit me" and referral.urgency == "urgent"


@contextmanager
def another_process_writing(database: Any) -> Iterator[None]:
    """Hold the database's write lock, as another process writing for a long time would."""
    if database.url.get_backend_name() == "sqlite":
        holder = sqlite3.connect(database.url.database, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    with database.connect() as connection, connection.begin():
        connection.execute(text("LOCK TABLE referral IN ACCESS EXCLUSIVE MODE"))
        yield


async def test_a_risk_message_is_answered_at_once_while_the_database_is_locked(
    runtime: Any, client: httpx.AsyncClient
) -> None:
    session_id = await start(client)
    # The database gets this long to take the referral before the outbox does.
    runtime.conversation.urgent_wait = 0.1
    with another_process_writing(runtime.database):
        answer = await send(client, session_id, "staff punched me last night")
        replies = [reply["text"] for reply in answer.json()["replies"]]
        assert answer.status_code == 200 and CHILDLINE in replies[0]
        # The advocate is promised, as the referral is already safe on disk, and the child
        # was answered while the database write was still waiting for the lock.
        assert "An advocate will read your message" in replies[-1]
        assert "punched" in runtime.outbox.path.read_text()
        assert runtime.conversation.writing == 1
    # The lock goes; the write that was waiting for it lets the outbox keep the referral, so
    # the advocate sees it once, not twice.
    await runtime.conversation.settle()
    assert runtime.connect_database()
    [referral] = referrals(runtime.database)
    assert referral.urgency == "urgent" and "abuse" in referral.risks
    assert "punched" in referral.summary
    assert not runtime.outbox.path.exists()


async def test_a_risk_message_on_a_free_database_is_written_there_not_to_the_outbox(
    runtime: Any, client: httpx.AsyncClient
) -> None:
    session_id = await start(client)
    await send(client, session_id, "how do i complain")
    answer = await send(client, session_id, "i cut my arms again last night")
    assert "An advocate will read your message" in answer.json()["replies"][-1]["text"]
    [referral] = referrals(runtime.database)
    # Written with the chat's earlier words, as an advocate needs them.
    assert "complain" in referral.summary and "cut" in referral.summary
    assert not runtime.outbox.path.exists()


async def test_a_calm_message_while_the_database_is_away_gets_childline_not_an_error(
    client: httpx.AsyncClient, lose_the_database: Callable[[], Any]
) -> None:
    session_id = await start(client)
    lose_the_database()
    answer = await send(client, session_id, "how do i complain")
    assert answer.status_code == 200
    assert CHILDLINE in answer.json()["replies"][0]["text"]


async def test_the_database_away_at_start_up_still_serves_the_chat(
    settings: Any, analyse: Any
) -> None:
    away = settings.model_copy(update={"database_url": UNREACHABLE})
    runtime = build_runtime(away, analyse=analyse)
    assert not runtime.database_ready
    async with client_for(create_app(runtime=runtime)) as client:
        page = await client.get("/")
        assert page.status_code == 200 and CHILDLINE in page.text
        ready = await client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["database"] == "down"
        session_id = await start(client)
        answer = await send(client, session_id, "i want to kill myself")
        assert answer.status_code == 200
        assert CHILDLINE in answer.json()["replies"][0]["text"]
    assert len(runtime.outbox.waiting()) == 1
    assert not runtime.connect_database()  # still away: it keeps trying, nothing lost
    assert len(runtime.outbox.waiting()) == 1
    runtime.close()


async def test_a_nul_character_never_stops_a_referral(
    runtime: Any, client: httpx.AsyncClient
) -> None:
    # PostgreSQL refuses NUL in text; the message is cleaned where it comes in.
    session_id = await start(client)
    answer = await send(client, session_id, "staff\x00 punched me\x00")
    assert CHILDLINE in answer.json()["replies"][0]["text"]
    [referral] = referrals(runtime.database)
    assert "\x00" not in referral.summary


async def test_a_nul_between_two_words_keeps_them_two_words(
    runtime: Any, client: httpx.AsyncClient
) -> None:
    # Cleaned to nothing, "staff<NUL>punched me" was "staffpunched me": no risk read at all.
    session_id = await start(client)
    answer = await send(client, session_id, "staff\x00punched me")
    assert "Please talk to Childline now" in answer.json()["replies"][0]["text"]
    assert [r.urgency for r in referrals(runtime.database)] == ["urgent"]


async def test_risk_words_after_ten_thousand_characters_are_read(
    runtime: Any, client: httpx.AsyncClient
) -> None:
    session_id = await start(client)
    text = "i want to tell you about the food here. " * 400 + "i am going to kill myself"
    assert len(text) > 15_000
    answer = await send(client, session_id, text)
    assert answer.status_code == 200
    assert CHILDLINE in answer.json()["replies"][0]["text"]
    assert [r.urgency for r in referrals(runtime.database)] == ["urgent"]


async def test_the_advocate_sees_the_risk_words_at_the_end_of_a_long_message(
    runtime: Any, client: httpx.AsyncClient
) -> None:
    filler = "the food here is cold again and the gym is shut. " * 1800
    text = "Zebedee Quillfeather here. " + filler + "ive been saving my tablets for tonight"
    await send(client, await start(client), text)
    await runtime.conversation.settle()
    [referral] = referrals(runtime.database)
    assert referral.summary.endswith("ive been saving my tablets for tonight")
    assert "Zebedee" not in referral.summary and "Quillfeather" not in referral.summary
    assert len(referral.summary) < 4_100  # the start and the end, never the middle


async def test_an_ordinary_message_after_a_failed_analysis_gets_childline(
    settings: Any,
) -> None:
    def broken(_text: str) -> Any:
        raise RuntimeError("the model is away")

    runtime = build_runtime(settings, analyse=broken)
    async with client_for(create_app(runtime=runtime)) as client:
        session_id = await start(client)
        answer = await send(client, session_id, "can my nan visit on sunday")
    assert answer.status_code == 200
    assert CHILDLINE in answer.json()["replies"][0]["text"]
    runtime.close()


def test_the_outbox_loses_nothing_between_processes(runtime: Any, tmp_path: Any) -> None:
    """Two service processes share one outbox file; a drain never drops a line added meanwhile."""
    from service.outbox import Outbox

    path = tmp_path / "shared" / "outbox.jsonl"
    first, second = Outbox(path), Outbox(path)
    first.put(key="k" * 64, channel="web", risks=["abuse"], words="staff punched me")
    # A drain that crashed after taking the file, before writing it, left this behind.
    second.put(key="m" * 64, channel="web", risks=["self_harm"], words="i want to die")
    path.rename(f"{path}.draining-1-1")
    second.put(key="n" * 64, channel="telegram", risks=["abuse"], words="they hit me")
    assert len(first.waiting()) == 3
    assert second.drain(runtime.database) == 3
    assert first.waiting() == []
    summaries = sorted(r.summary for r in referrals(runtime.database))
    assert summaries == ["i want to die", "staff punched me", "they hit me"]
    assert path.parent.stat().st_mode & 0o777 == 0o700


def test_a_file_drained_twice_after_a_crash_counts_each_message_once(runtime: Any) -> None:
    outbox = runtime.outbox
    outbox.put(key="q" * 64, channel="web", risks=["abuse"], words="staff punched me")
    outbox.put(key="q" * 64, channel="web", risks=["abuse"], words="he did it again today")
    kept = outbox.path.read_text()
    events = count(runtime.database, "event")
    assert outbox.drain(runtime.database) == 2
    # The process died after the commit, before the drained file was removed.
    Path(f"{outbox.path}.draining-1-1").write_text(kept)
    assert outbox.drain(runtime.database) == 2
    assert count(runtime.database, "event") == events + 2
    [referral] = referrals(runtime.database)
    assert referral.summary == "staff punched me\nhe did it again today"


async def test_the_model_reads_the_end_of_a_long_message_too(settings: Any, analyse: Any) -> None:
    read: list[str] = []

    def recording(text: str) -> Any:
        read.append(text)
        return analyse(text)

    runtime = build_runtime(settings, analyse=recording)
    ending = "so this is goodbye from me"
    text = "the food here is cold again. " * 3000 + ending
    async with client_for(create_app(runtime=runtime)) as client:
        answer = await send(client, await start(client), text)
    assert answer.status_code == 200
    assert read[0] == text[:2000] and read[-1].endswith(ending)
    assert len(read) == 2  # the start closely, the end for risk; the patterns read it all
    runtime.close()


async def test_a_risk_named_where_the_model_did_not_read_is_urgent(runtime: Any) -> None:
    # "suicide" only names a risk; in the middle of a long message the model never reads it,
    # so it counts as if there were no model at all.
    filler = "the food here is cold again. " * 1500
    text = filler + "i keep thinking about suicide. " + filler
    async with client_for(create_app(runtime=runtime)) as client:
        answer = await send(client, await start(client), text)
    await runtime.conversation.settle()
    assert answer.status_code == 200
    assert "0800 1111" in answer.json()["replies"][0]["text"]
    assert [r.urgency for r in referrals(runtime.database)] == ["urgent"]


async def test_forget_me_while_the_database_is_away_does_not_tell_the_page_it_is_done(
    client: httpx.AsyncClient, runtime: Any, lose_the_database: Callable[[], Any]
) -> None:
    """The page clears itself only when the chat was deleted: a failed "forget me" leaves the
    chat where it is, so the child can try again and is not told their words are gone."""
    session_id = await start(client)
    url = f"/api/chat/sessions/{session_id}/messages"
    await send(client, session_id, "how do i complain")
    await client.post(url, json={"text": "forget me"})
    real = lose_the_database()
    pressed = await client.post(url, json={"payload": str(FORGET_YES)})
    assert pressed.status_code == 200
    assert pressed.json()["forgotten"] is False
    assert CHILDLINE in pressed.json()["replies"][0]["text"]
    assert runtime.library.message("forget_done") not in pressed.text
    bring_back(runtime, real)
    again = await client.post(url, json={"payload": str(FORGET_YES)})
    assert again.json()["forgotten"] is True


SAFE = "Are you safe right now?"
# The model reads this as calm; its words hint at not being here (patterns.jsonl, risk_hint).
GOODBYE = "do complaints still get answered if something happens to me before then"


async def press(client: httpx.AsyncClient, session_id: str, payload: str) -> httpx.Response:
    url = f"/api/chat/sessions/{session_id}/messages"
    return await client.post(url, json={"payload": payload})


def kinds(outbox: Any) -> list[str]:
    """What waits in the outbox: "check_in", or "referral"."""
    return [row.get("kind", "referral") for row in outbox.waiting()]


def check_ins(database: Any) -> int:
    with database.connect() as connection:
        found = connection.execute(
            text("SELECT COUNT(*) FROM event WHERE check_in = :yes"), {"yes": True}
        )
        return int(found.scalar_one())


def said(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 200
    return [reply["text"] for reply in answer.json()["replies"]]


async def test_worrying_words_while_the_database_is_away_still_ask_and_a_no_is_kept(
    runtime: Any, client: httpx.AsyncClient, lose_the_database: Callable[[], Any]
) -> None:
    session_id = await start(client)
    real = lose_the_database()
    asked = await send(client, session_id, GOODBYE)
    replies = said(asked)
    assert CHILDLINE in replies[0] and replies[-1] == SAFE
    buttons = [button["payload"] for button in asked.json()["replies"][-1]["buttons"]]
    assert buttons == ["safe:yes", "safe:no"]
    assert kinds(runtime.outbox) == ["check_in"]  # asked, to be counted; not yet referred
    replies = said(await send(client, session_id, "no"))
    assert replies[0].startswith("Thank you for telling me") and CHILDLINE in replies[0]
    bring_back(runtime, real)
    assert runtime.connect_database()
    # The advocate reads what made the chat ask, and that the child said they are not safe.
    [referral] = referrals(real)
    assert referral.urgency == "urgent"
    assert "something happens to me" in referral.summary
    assert "not safe right now" in referral.summary
    # ... and what kind of danger the question was asked about.
    assert "self_harm" in referral.risks.split(",")


@pytest.mark.parametrize("answer", ["nope", "no im not", "not sure", "safe:no"])
async def test_a_no_while_the_database_is_away_answers_the_question_asked_before(
    runtime: Any, client: httpx.AsyncClient, lose_the_database: Callable[[], Any], answer: str
) -> None:
    session_id = await start(client)
    assert said(await send(client, session_id, GOODBYE))[-1] == SAFE  # the database is here
    real = lose_the_database()
    if ":" in answer:
        reply = await press(client, session_id, answer)
    else:
        reply = await send(client, session_id, answer)
    assert said(reply)[0].startswith("Thank you for telling me")
    bring_back(runtime, real)
    assert runtime.connect_database()
    [referral] = referrals(real)
    assert referral.urgency == "urgent" and "not safe right now" in referral.summary
    assert "something happens to me" in referral.summary  # kept by the chat when it asked
    assert "self_harm" in referral.risks.split(",")


async def test_a_yes_while_the_database_is_away_is_heard_and_refers_no_one(
    runtime: Any, client: httpx.AsyncClient, lose_the_database: Callable[[], Any]
) -> None:
    session_id = await start(client)
    real = lose_the_database()
    assert said(await send(client, session_id, GOODBYE))[-1] == SAFE
    replies = said(await send(client, session_id, "yeah im fine"))
    assert "glad" in replies[0] and CHILDLINE in replies[-1]
    # The question is answered: a "no" to something else later is not taken for one.
    assert CHILDLINE in said(await send(client, session_id, "no"))[0]
    assert kinds(runtime.outbox) == ["check_in"]
    bring_back(runtime, real)
    assert runtime.connect_database()
    assert referrals(real) == []
    # The managers' figures count the check-in asked while the database was away.
    assert check_ins(real) == 1
    assert not runtime.outbox.path.exists()


async def test_a_no_after_the_database_is_back_answers_the_question_asked_while_it_was_away(
    runtime: Any, client: httpx.AsyncClient, lose_the_database: Callable[[], Any]
) -> None:
    session_id = await start(client)
    real = lose_the_database()
    assert said(await send(client, session_id, GOODBYE))[-1] == SAFE
    bring_back(runtime, real)  # back before the child answers, and before any drain
    replies = said(await send(client, session_id, "no"))
    assert replies[0].startswith("Thank you for telling me") and CHILDLINE in replies[0]
    [referral] = referrals(real)
    assert referral.urgency == "urgent" and "self_harm" in referral.risks.split(",")
    assert "something happens to me" in referral.summary
    assert "not safe right now" in referral.summary
    assert runtime.connect_database()  # the drain: counted once, and no second referral
    assert check_ins(real) == 1 and len(referrals(real)) == 1
    assert referral.summary.count("something happens to me") == 1


@pytest.mark.skipif(not redis_available(), reason="Redis is not reachable on 127.0.0.1:6379")
async def test_a_no_sent_to_another_service_process_is_understood_through_redis(
    settings: Any, analyse: Any
) -> None:
    """Two processes of one service share Redis: the question asked by one is known to the
    other, whose database is away when the "No" comes."""
    shared = settings.model_copy(update={"redis_url": REDIS_URL})
    one, two = build_runtime(shared, analyse=analyse), build_runtime(shared, analyse=analyse)
    gone = make_engine(UNREACHABLE)
    key = uuid.uuid4().hex * 2
    try:
        asked = await one.conversation.handle(key, "web", Inbound(text=GOODBYE))
        assert asked[-1].text == SAFE
        two.conversation.use_database(gone)
        replies = await two.conversation.handle(key, "web", Inbound(text="no"))
        assert replies[0].text.startswith("Thank you for telling me")
        two.conversation.use_database(two.database)
        assert two.connect_database()
        [referral] = referrals(one.database)
        assert referral.urgency == "urgent" and "not safe right now" in referral.summary
        assert "self_harm" in referral.risks.split(",")
    finally:
        one.close()
        two.close()
        gone.dispose()


async def test_a_chat_started_while_the_database_is_away_carries_on_when_it_is_back(
    runtime: Any, client: httpx.AsyncClient, lose_the_database: Callable[[], Any]
) -> None:
    real = lose_the_database()
    session_id = await start(client)
    # Nothing of the chat could be kept, yet it is not "ended": it is answered, and asked.
    assert CHILDLINE in said(await send(client, session_id, "how do i complain"))[0]
    assert said(await send(client, session_id, GOODBYE))[-1] == SAFE
    bring_back(runtime, real)
    replies = said(await send(client, session_id, "no"))
    assert replies[0].startswith("Thank you for telling me") and CHILDLINE in replies[0]
    [referral] = referrals(real)
    assert referral.urgency == "urgent" and "something happens to me" in referral.summary
    # The chat is kept now, under the same session id, and carries on.
    waiting = await client.get(f"/api/chat/sessions/{session_id}/messages")
    assert waiting.status_code == 200 and waiting.json()["replies"] == []
    assert count(real, "chat_session") == 1


async def test_a_chat_started_while_the_database_is_locked_is_never_told_it_has_ended(
    runtime: Any, client: httpx.AsyncClient
) -> None:
    if runtime.database.url.get_backend_name() != "sqlite":
        pytest.skip("SQLite's write lock; PostgreSQL's locks are per table")
    with another_process_writing(runtime.database):
        session_id = await start(client)
        assert CHILDLINE in said(await send(client, session_id, "how do i complain"))[0]
        waiting = await client.get(f"/api/chat/sessions/{session_id}/messages")
        assert waiting.status_code == 200
    replies = said(await send(client, session_id, "how do i complain"))
    assert "complain" in " ".join(replies).lower() and count(runtime.database, "chat_session") == 1


async def test_a_family_page_started_while_the_database_is_away_says_so_once(
    client: httpx.AsyncClient, lose_the_database: Callable[[], Any]
) -> None:
    lose_the_database()
    started = await client.post("/api/chat/sessions", json={"role": "family"})
    assert started.status_code == 201
    [reply] = started.json()["replies"]
    assert CHILDLINE in reply["text"]


@pytest.mark.parametrize("made_up", ["not-a-chat", "not-a-chat~" + "0" * 32, "~", "æ~þé"])
async def test_a_session_id_the_service_never_gave_is_told_the_chat_has_ended(
    runtime: Any, client: httpx.AsyncClient, made_up: str
) -> None:
    assert (await send(client, made_up, "how do i complain")).status_code == 404
    waiting = await client.get(f"/api/chat/sessions/{made_up}/messages")
    assert waiting.status_code == 404 and count(runtime.database, "chat_session") == 0
