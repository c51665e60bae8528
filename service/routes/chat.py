"""The chat API used by the web page: start a session, send messages, read relayed replies."""

from __future__ import annotations

import asyncio
import hmac
import secrets

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import BaseModel, Field

from content.schema import Role
from service import payloads, safety
from service.deps import ConversationDep, RuntimeDep
from service.engine import MAX_READ, ChatGone
from service.replies import Inbound, Reply

router = APIRouter(prefix="/api/chat", tags=["chat"])

GONE = "This chat has ended or was deleted. Start a new chat to carry on."


class SessionStart(BaseModel):
    role: Role | None = None


class SessionStarted(BaseModel):
    session_id: str
    replies: list[Reply]


class MessageIn(BaseModel):
    # The engine reads every word for risk, up to this size; it says kindly that shorter is easier.
    text: str | None = Field(default=None, max_length=MAX_READ, description="What the user typed")
    payload: str | None = Field(default=None, max_length=64, description="A button's payload")


class Replies(BaseModel):
    replies: list[Reply]


class TurnReplies(Replies):
    # This turn deleted the chat: the page clears what it shows and starts a new chat next.
    forgotten: bool = False


# In a session id, before a mark that only this service can make: the chat's start could not
# be kept (the database was away or locked), so its first message that can be kept starts it,
# where a message to any other chat not in the database is told it has ended.
UNKEPT = "~"


def _key(runtime: RuntimeDep, session_id: str) -> str:
    return runtime.keys.pseudonym("web", session_id.partition(UNKEPT)[0])


def _unkept_mark(runtime: RuntimeDep, token: str) -> str:
    return runtime.keys.pseudonym("web start not kept", token)[:32]


def _started_unkept(runtime: RuntimeDep, session_id: str) -> bool:
    token, marked, mark = session_id.partition(UNKEPT)
    # As bytes: a made-up id may hold any character, and compare_digest takes only ASCII text.
    expected = _unkept_mark(runtime, token).encode()
    return bool(marked) and hmac.compare_digest(mark.encode(), expected)


def _address(runtime: RuntimeDep, request: Request) -> str:
    """The client's address as a keyed hash: limits count it, nothing keeps it."""
    return runtime.keys.pseudonym("address", request.client.host if request.client else "")


# Pressed buttons that may never wait for a chat's limit: "forget me", and "No" to "are you safe?".
_NEVER_WAIT = {str(payloads.FORGET), str(payloads.FORGET_YES), str(payloads.SAFE_NO)}


def _flood_reply(runtime: RuntimeDep, *, risk: bool = False) -> Reply:
    """Never silence: even a flood is told where help is, and Childline first if it shows risk."""
    said = runtime.library.message("flood")
    return Reply(text=f"{safety.FALLBACK_RISK_REPLY} {said}" if risk else said)


def _never_waits(runtime: RuntimeDep, message: MessageIn) -> bool:
    """A message that shows risk or asks to forget the chat goes past the chat's own limit,
    as on Telegram: a child who typed fast and then says they are hurt is answered and
    referred (repeated risk adds to the chat's one open referral)."""
    if message.payload in _NEVER_WAIT:
        return True
    text = message.text or ""
    return safety.shows_risk(text) or runtime.library.intent(text) == "forget"


def _held_back(runtime: RuntimeDep, address: str, key: str, message: MessageIn) -> Reply | None:
    """The flood reply when this message goes over a limit, else None. Run on a thread: with
    Redis configured each limit asks it, and the event loop, which answers every other chat,
    must never wait on a Redis that has stopped answering."""
    limits = runtime.limits
    if not limits["address"].allow(address):
        # Far more than any child types, from one address: held back, but never silently.
        return _flood_reply(runtime, risk=safety.shows_risk(message.text or ""))
    if not limits["chat"].allow(key) and not _never_waits(runtime, message):
        return _flood_reply(runtime)
    return None


@router.post("/sessions", status_code=status.HTTP_201_CREATED)
async def start_session(
    request: Request,
    runtime: RuntimeDep,
    conversation: ConversationDep,
    start: SessionStart | None = None,
) -> SessionStarted:
    # On a thread, as every limit is: it may ask Redis, and the event loop never waits on it.
    address = _address(runtime, request)
    if not await asyncio.to_thread(runtime.limits["new_chats"].allow, address):
        # Children in one place may share an address: no one here was "sending too fast".
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            runtime.library.message("busy"),
            headers={"Retry-After": "60"},
        )
    session_id = secrets.token_urlsafe(24)
    role = start.role if start is not None else None
    replies = await conversation.start(_key(runtime, session_id), "web", role=role)
    if conversation.start_failed(replies):
        session_id += UNKEPT + _unkept_mark(runtime, session_id)
    return SessionStarted(session_id=session_id, replies=replies)


@router.post("/sessions/{session_id}/messages")
async def send_message(
    session_id: str,
    message: MessageIn,
    request: Request,
    runtime: RuntimeDep,
    conversation: ConversationDep,
) -> TurnReplies:
    key = _key(runtime, session_id)
    held = await asyncio.to_thread(_held_back, runtime, _address(runtime, request), key, message)
    if held is not None:
        return TurnReplies(replies=[held])
    inbound = Inbound(text=message.text, payload=message.payload if message.text is None else None)
    try:
        must_exist = not _started_unkept(runtime, session_id)
        replies = await conversation.handle(key, "web", inbound, must_exist=must_exist)
    except ChatGone:
        gone = runtime.library.message("chat_gone")
        raise HTTPException(status.HTTP_404_NOT_FOUND, gone) from None
    return TurnReplies(replies=replies, forgotten=conversation.forgot(replies))


@router.get("/sessions/{session_id}/messages")
async def read_messages(
    session_id: str, runtime: RuntimeDep, conversation: ConversationDep
) -> Replies:
    replies = await conversation.pending(_key(runtime, session_id))
    if replies is None and _started_unkept(runtime, session_id):
        replies = []  # not kept yet: nothing an advocate could have sent
    if replies is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, GONE)
    return Replies(replies=replies)


@router.delete("/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT)
async def forget_session(
    session_id: str, runtime: RuntimeDep, conversation: ConversationDep
) -> Response:
    await conversation.forget(_key(runtime, session_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
