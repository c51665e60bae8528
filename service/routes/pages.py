"""The web chat pages for in-room tablets and kiosks, the quick-exit page, and static files."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from service.deps import RuntimeDep

HERE = Path(__file__).resolve().parent.parent
STATIC_DIR = HERE / "static"

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=HERE / "templates")

# How often an open page asks for advocate replies.
POLL_SECONDS = 4
# The words the page's script shows on its own, from messages.yaml.
PAGE_WORDS = ("web_offline", "web_server_problem", "web_not_sent", "web_will_send")
# Everything comes from this app; the page talks to nothing else.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; media-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)


def static_files() -> StaticFiles:
    """The page's CSS, script and icons, mounted at /static by the app."""
    return StaticFiles(directory=STATIC_DIR)


def _private(response: Response) -> Response:
    # Nothing kept by the browser or shown to other sites: a shared device stays clean.
    response.headers["Content-Security-Policy"] = PAGE_POLICY
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def tel(number: str) -> str:
    """A tel: link's address for a number as written: "0800 1111" -> "tel:08001111"."""
    return "tel:" + "".join(c for c in number if c.isdigit() or c == "+")


def _chat_page(request: Request, runtime: RuntimeDep, role: str) -> Response:
    settings = runtime.settings
    childline = runtime.library.helpline("childline")
    page = {
        "role": role,
        "childline": childline.number,
        "childline_tel": tel(childline.number or ""),
        "kiosk": settings.kiosk_mode,
        "idle_minutes": settings.kiosk_idle_minutes,
        "poll_seconds": POLL_SECONDS,
        "words": {key: runtime.library.message(key) for key in PAGE_WORDS},
        "title": runtime.library.message(f"page_title_{role}"),
        "tagline": runtime.library.message(f"page_tagline_{role}"),
    }
    return _private(templates.TemplateResponse(request, "chat/chat.html", page))


@router.get("/", response_class=HTMLResponse)
def young_person(request: Request, runtime: RuntimeDep) -> Response:
    return _chat_page(request, runtime, "child")


@router.get("/family", response_class=HTMLResponse)
def family(request: Request, runtime: RuntimeDep) -> Response:
    return _chat_page(request, runtime, "family")


@router.get("/service-worker.js")
def service_worker() -> Response:
    """The worker that keeps the page shell; served from the root so its scope covers /."""
    worker = FileResponse(STATIC_DIR / "service-worker.js", media_type="text/javascript")
    # The page's policy holds inside the worker too: no eval, nothing from other hosts.
    return _private(worker)


@router.get("/exit", response_class=HTMLResponse)
def quick_exit(request: Request) -> Response:
    """Where quick exit lands: a blank page that says nothing about where the user was."""
    return _private(templates.TemplateResponse(request, "chat/exit.html", {}))
