"""What every HTTP answer passes on its way out: safe headers, one log line, no stack traces."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Iterable
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse

from service.engine import MAX_READ
from service.safety import FALLBACK_RISK_REPLY, fallback_for, shows_risk

log = logging.getLogger("service.access")

# A web chat's session id is its only key: whoever has it can read the advocate's replies
# or delete the chat. It travels in the path, so paths are logged with it taken out.
_CHAT_SESSION = re.compile(r"^(/api/chat/sessions/)[^/]+")
# Anything else that looks like a token (a mistyped chat address, say) goes the same way.
_TOKEN_LIKE = re.compile(r"(?<=/)[A-Za-z0-9_\-]{20,}(?=/|$)")
# The most any request may send: four bytes (UTF-8's most) for each character the engine reads
# for risk, and room for the JSON around them, so a message the chat takes is always read whole,
# whatever its script or emoji. Nothing an advocate sends comes near it. Past it, the rest of the
# request is never read, so a huge upload cannot fill the memory.
MAX_BODY = 4 * MAX_READ + 4096
TOO_LARGE = "That request is too large to take."
# An unexpected error where advocates work is told to an adult at work, not in a child's words.
ADVOCATE_ERROR = (
    "Something went wrong on the server. Please try again in a moment; "
    "if it keeps happening, tell whoever runs Rightsline."
)


def loggable_path(path: str) -> str:
    """The path with every secret-looking part replaced by '…'; the query is never logged.
    A character that is not printable (a line break, a NUL) is written as its code, so an
    address cannot break the log into lines of its own making."""
    path = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in path)
    return _TOKEN_LIKE.sub("…", _CHAT_SESSION.sub(r"\1…", path))


class EdgeMiddleware:
    """A plain ASGI middleware, inside Starlette's own error middleware.

    - a request that sends more than MAX_BODY bytes is refused with a 413 once that much is
      read, the rest never read (a chat is told kindly, with Childline's number);
    - every answer gets `X-Content-Type-Options: nosniff`, and every /api/ answer
      `Cache-Control: no-store` (an advocate's queue or a child's replies are never cached);
    - one access line per request: method, path without secrets, status and time taken.
      Uvicorn's own access log is off (see `rightsline serve`), as it prints the full path;
    - an unexpected error becomes a 500 with one log line naming the kind of error: the kind
      fallback reply with Childline's number, or on `advocate_paths` (the dashboard and the
      advocates' API) a plain error for an adult. Nothing is re-raised, so no traceback (whose
      messages can carry a child's words or a token, as database errors quote their
      parameters) reaches a log.
    """

    def __init__(self, app: Any, advocate_paths: Iterable[str] = ()) -> None:
        self.app = app
        self.advocate_paths = tuple(path.rstrip("/") for path in advocate_paths)

    def error_text(self, path: str) -> str:
        """What an unexpected error on `path` says; anywhere a child might be, Childline."""
        for prefix in self.advocate_paths:
            if path == prefix or path.startswith(f"{prefix}/"):
                return ADVOCATE_ERROR
        return fallback_for(None)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        path = loggable_path(scope.get("path", ""))
        api = scope.get("path", "").startswith("/api/")
        answer = {"status": 0}

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if not (api and name.lower() == b"cache-control")
                ]
                if not any(name.lower() == b"x-content-type-options" for name, _ in headers):
                    headers.append((b"x-content-type-options", b"nosniff"))
                if api:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        taken = True
        if scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            body, taken = await read_at_most(receive, MAX_BODY)
            if taken:
                receive = replay(body, receive)
            else:
                await refuse_too_large(scope, body, send_with_headers)
        if taken:
            await self.answer(scope, receive, send_with_headers, answer, path)
        elapsed = (time.perf_counter() - started) * 1000
        log.info("%s %s %s %.0fms", scope["method"], path, answer["status"] or 500, elapsed)

    async def answer(
        self, scope: Any, receive: Any, send: Any, answer: dict[str, int], path: str
    ) -> None:
        """The app's answer; an unexpected error in it becomes a 500 with one log line."""
        try:
            await self.app(scope, receive, send)
        except Exception as error:  # noqa: BLE001 - turned into a kind answer, never a traceback
            log.error("unhandled error on %s %s: %s", scope["method"], path, type(error).__name__)
            if answer["status"] == 0:
                await send_detail(send, 500, self.error_text(scope.get("path", "")))


async def read_at_most(receive: Any, limit: int) -> tuple[bytes, bool]:
    """The request's body, and whether it was all there within `limit` bytes. Reading stops
    at the first chunk past the limit, so no more than a chunk beyond it is ever held."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), True  # the client went away; the app will hear it too
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return (b"".join(chunks) + chunk)[:limit], False
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True


def replay(body: bytes, receive: Any) -> Any:
    """A `receive` that gives the body already read, then whatever the client does next."""
    given = False

    async def again() -> dict[str, Any]:
        nonlocal given
        if given:
            return dict(await receive())
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return again


def chat_refusal(scope: Any, sent: bytes) -> str:
    """What a child's chat is told when what it sent cannot be taken: kindly, with Childline's
    number, and Childline and the call bell first when the part read shows risk. Called on a
    thread: the risk screen takes a third of a second over 200,000 characters, too long to hold
    the loop."""
    runtime = getattr(getattr(scope.get("app"), "state", None), "runtime", None)
    said = runtime.library.message("unreadable") if runtime is not None else fallback_for(None)
    if shows_risk(screened_part(sent.decode("utf-8", "replace"))):
        said = f"{FALLBACK_RISK_REPLY} {said}"
    return said


def screened_part(sent: str) -> str:
    """What of a refused request the screen reads: all of it up to MAX_READ characters, or its
    start and its end, so refusing a request never costs more than reading the longest message."""
    if len(sent) <= MAX_READ:
        return sent
    half = MAX_READ // 2
    return f"{sent[:half]}\n{sent[-half:]}"


async def refuse_too_large(scope: Any, sent: bytes, send: Any) -> None:
    """A 413 for a request past MAX_BODY: a chat is answered as `chat_refusal` says."""
    chat = scope.get("path", "").startswith("/api/chat/")
    # The rest of the request is still on its way and will not be read: the connection closes.
    said = await asyncio.to_thread(chat_refusal, scope, sent) if chat else TOO_LARGE
    await send_detail(send, 413, said, close=True)


async def send_detail(send: Any, status: int, detail: str, close: bool = False) -> None:
    """A whole JSON answer, {"detail": ...}, sent straight to the client."""
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def unreadable(request: Request, error: Exception) -> JSONResponse:
    """A request that does not fit its form (a 422): what was wrong, never the words sent.

    A child's chat is told kindly, with Childline's number, instead of a list of fields. A
    broken request that shows risk is not answered as an ordinary one: Childline and the call
    bell come first, though no referral can be made from words that could not be read.
    """
    if request.url.path.startswith("/api/chat/"):
        sent = await request.body()
        return JSONResponse(
            {"detail": await asyncio.to_thread(chat_refusal, request.scope, sent)}, 422
        )
    problems = error.errors() if isinstance(error, RequestValidationError) else []
    kept = ("type", "loc", "msg")
    detail = [{key: problem[key] for key in kept if key in problem} for problem in problems]
    return JSONResponse({"detail": jsonable_encoder(detail)}, status_code=422)
