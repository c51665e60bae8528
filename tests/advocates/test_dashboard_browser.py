"""The advocate dashboard in a real browser (Chromium against the live server): a child's
urgent message reaches an open queue, a referral is passed between two advocates, a private
note keeps its names and numbers out, and axe-core finds no serious fault on any page."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.async_api import expect
from sqlmodel import Session

from service.models import Advocate
from tests.advocates.conftest import ADMIN, ADVOCATE, OTHER
from tests.advocates.helpers import PASSWORD, child_asks_for_advocate, child_says
from tests.advocates.test_queue_browser import until
from tests.web.invented import invent_month
from tests.web.live import PHONE
from tests.web.test_accessibility import serious_faults

NAME = "Zebedee Quillfeather"
NUMBER = "07700 900123"
SECRETS = ("Zebedee", "Quillfeather", "07700", "900123", "7700900123")


async def sign_in(opener: Any, live_server: str, email: str, **options: Any) -> Any:
    """A new page (from a browser or a context) signed in to the dashboard as `email`."""
    page = await opener.new_page(**options)
    await page.goto(f"{live_server}/dashboard/login")
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{live_server}/dashboard")
    return page


async def open_only_referral(page: Any) -> str:
    """From the queue, open its one referral; that page's URL."""
    await page.click("tr.referral a")
    await page.wait_for_selector("#conversation")
    return str(page.url)


async def test_a_childs_urgent_message_reaches_an_open_queue_within_5_seconds(
    live_server: str, browser: Any, runtime: Any, advocates: dict[str, int]
) -> None:
    runtime.settings = runtime.settings.model_copy(update={"queue_check_seconds": 0.2})
    page = await sign_in(browser, live_server, ADVOCATE)
    await page.wait_for_selector("#live-controls:not([hidden])")
    await page.evaluate("() => { window.stillTheSamePage = true; }")
    assert await page.title() == "Queue · Rightsline"
    assert await page.locator("tr.referral").count() == 0

    async with httpx.AsyncClient(base_url=live_server) as child:
        started = await child.post("/api/chat/sessions", json={"role": "child"})
        session_id = started.json()["session_id"]
        # No asking for an advocate: the message alone makes the urgent referral.
        await child_says(child, session_id, "staff punched me last night")

    await expect(page.locator("tr.referral.is-urgent")).to_have_count(1, timeout=5_000)
    await expect(page).to_have_title("(1) urgent · Rightsline", timeout=5_000)
    assert await page.locator("tr.referral").count() == 1
    assert "punched" in await page.inner_text("tr.referral.is-urgent")
    assert await page.evaluate("() => window.stillTheSamePage === true")  # never reloaded
    await page.close()


async def test_passing_a_referral_to_a_colleague_in_the_browser(
    live_server: str, browser: Any, runtime: Any, advocates: dict[str, int]
) -> None:
    async with httpx.AsyncClient(base_url=live_server) as child:
        await child_asks_for_advocate(child, "they locked me in my room")
    reason = "Needs a Welsh speaker"

    first = await browser.new_context()
    page = await sign_in(first, live_server, ADVOCATE)
    url = await open_only_referral(page)
    await page.click("text=Claim this referral")
    await expect(page.locator("text=Pass it on")).to_be_visible()
    await page.select_option("#pass-to", str(advocates[OTHER]))
    await page.fill("#pass-reason", reason)
    await page.click("text=Pass it on")
    await expect(page.locator("#conversation")).to_contain_text(
        f"Passed to {OTHER}. Why: {reason} (by Test Advocate One)"
    )
    # A no longer holds it: no hand-over or reply forms for them.
    assert await page.locator("text=Give back to the queue").count() == 0
    assert await page.locator("#pass-to").count() == 0
    assert await page.locator("#text").count() == 0
    assert "Claim this referral" not in await page.content()

    second = await browser.new_context()
    theirs = await sign_in(second, live_server, OTHER)
    await theirs.goto(url)
    assert OTHER in await theirs.inner_text("dl")  # claimed by them (no name: their email)
    assert f"Why: {reason}" in await theirs.inner_text("#conversation")
    await expect(theirs.locator("text=Give back to the queue")).to_be_visible()
    await expect(theirs.locator("#text")).to_be_visible()  # they can reply now

    await page.reload()
    assert await page.locator("text=Give back to the queue").count() == 0
    assert await page.locator("#text").count() == 0
    await first.close()
    await second.close()


async def test_a_private_note_in_the_browser_is_redacted_audited_and_never_told_the_child(
    live_server: str, browser: Any, runtime: Any, advocates: dict[str, int]
) -> None:
    async with httpx.AsyncClient(base_url=live_server) as child:
        session_id = await child_asks_for_advocate(child, "they stopped my visits")

        context = await browser.new_context()
        page = await sign_in(context, live_server, ADVOCATE)
        await open_only_referral(page)
        await page.fill("#note-text", f"Rang the unit: {NAME} said call back on {NUMBER} re visits")
        await page.click("text=Add the note")
        note = page.locator("#conversation .private-note")
        await expect(note).to_have_count(1)
        shown = await note.inner_text()
        assert "Rang the unit" in shown and "re visits" in shown
        assert [part for part in SECRETS if part in shown] == []
        assert [part for part in SECRETS if part in await page.content()] == []
        await context.close()

        admin = await browser.new_context()
        audit = await sign_in(admin, live_server, ADMIN)
        await audit.goto(f"{live_server}/dashboard/audit")
        actions = await audit.locator("tbody tr td:nth-child(3)").all_inner_texts()
        assert "note" in actions
        assert [part for part in SECRETS if part in await audit.content()] == []
        await admin.close()

        told = await child.get(f"/api/chat/sessions/{session_id}/messages")
        assert told.status_code == 200
        assert "Rang the unit" not in told.text and "re visits" not in told.text
        assert [part for part in SECRETS if part in told.text] == []


async def referral_with_a_timeline(live_server: str, browser: Any) -> str:
    """A child's referral, claimed with a reply and a note: its dashboard URL."""
    async with httpx.AsyncClient(base_url=live_server) as child:
        await child_asks_for_advocate(child, "they locked me in my room")
    page = await sign_in(browser, live_server, ADVOCATE)
    url = await open_only_referral(page)
    await page.click("text=Claim this referral")
    await page.fill("#text", "Hello. I am an advocate.")
    await page.click("text=Send")
    await page.wait_for_selector("#conversation .line.advocate")
    await page.fill("#note-text", "Checked the visits policy")
    await page.click("text=Add the note")
    await page.wait_for_selector("#conversation .private-note")
    await page.close()
    return url


async def test_axe_finds_no_serious_fault_on_any_dashboard_page(
    live_server: str, browser: Any, runtime: Any, advocates: dict[str, int]
) -> None:
    url = await referral_with_a_timeline(live_server, browser)
    found: dict[str, list[str]] = {}

    page = await browser.new_page()
    await page.goto(f"{live_server}/dashboard/login")
    found["login"] = await serious_faults(page)
    await page.close()

    page = await sign_in(browser, live_server, ADMIN)
    for name, address in (
        ("queue", "/dashboard"),
        ("referral", url),
        ("figures", "/dashboard/stats"),
        ("audit", "/dashboard/audit"),
        ("accounts", "/dashboard/accounts"),
        ("disable, asked first", f"/dashboard/accounts/{advocates[OTHER]}/disable"),
        ("new password, asked first", f"/dashboard/accounts/{advocates[OTHER]}/password"),
    ):
        answer = await page.goto(address if address.startswith("http") else live_server + address)
        assert answer is not None and answer.status == 200, name
        if name == "referral":
            assert await page.locator("#conversation .line").count() >= 3
        found[name] = await serious_faults(page)
    await page.close()
    assert {name: faults for name, faults in found.items() if faults} == {}


@pytest.mark.parametrize("where", ["referral", "figures"])
async def test_the_referral_and_figures_pages_fit_a_phone_390_px_wide(
    live_server: str, browser: Any, runtime: Any, advocates: dict[str, int], where: str
) -> None:
    url = await referral_with_a_timeline(live_server, browser)
    page = await sign_in(browser, live_server, ADVOCATE, viewport=PHONE)
    await page.goto(url if where == "referral" else f"{live_server}/dashboard/stats")
    await until(lambda: page.evaluate("() => document.readyState"), "complete")
    width = await page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the {where} page is {width} px wide"
    await page.close()


async def test_an_admin_is_asked_before_an_account_is_disabled_and_can_go_back(
    live_server: str, browser: Any, runtime: Any, advocates: dict[str, int]
) -> None:
    page = await sign_in(browser, live_server, ADMIN)
    await page.goto(f"{live_server}/dashboard/accounts")
    row = page.locator(f'tr[data-id="{advocates[ADVOCATE]}"]')
    await row.get_by_role("link", name=f"Disable {ADVOCATE}").click()
    await expect(page.locator("h1")).to_have_text("Disable advocate Test Advocate One?")
    await page.click("text=No, go back to the accounts")
    await expect(row.locator("td").nth(3)).to_have_text("active")

    await row.get_by_role("link", name=f"Disable {ADVOCATE}").click()
    await page.click("text=Yes, disable this account")
    await page.wait_for_url(f"{live_server}/dashboard/accounts")
    await expect(row.locator("td").nth(3)).to_have_text("disabled")

    await row.get_by_role("link", name=f"Reset password of {ADVOCATE}").click()
    await expect(page.locator("h1")).to_have_text(
        "Reset the password of advocate Test Advocate One?"
    )
    await page.click("text=Yes, make a new password")
    await expect(page.locator("#new-password code")).to_have_count(1)
    await page.close()


# Each chart text whose box reaches outside its chart: a label or a figure cut off.
CUT_OFF = """() => [...document.querySelectorAll('svg.chart')].flatMap(svg => {
  const view = svg.viewBox.baseVal;
  return [...svg.querySelectorAll('text')]
    .filter(text => {
      const box = text.getBBox();
      return box.x < view.x - 0.5 || box.x + box.width > view.x + view.width + 0.5;
    })
    .map(text => `${svg.id}: ${text.textContent}`);
})"""


async def test_every_label_and_figure_of_every_chart_is_whole(
    live_server: str, browser: Any, runtime: Any, advocates: dict[str, int]
) -> None:
    with Session(runtime.database) as session:
        advocate = session.get(Advocate, advocates[ADVOCATE])
        assert advocate is not None
        session.expunge(advocate)
    invent_month(runtime, advocate, chats=60)
    page = await sign_in(browser, live_server, ADVOCATE, viewport={"width": 1280, "height": 900})
    for by in ("week", "place"):
        await page.goto(f"{live_server}/dashboard/stats?weeks=5&by={by}")
        assert await page.locator("svg.chart").count() == 6
        assert await page.evaluate(CUT_OFF) == [], by
    await page.close()
