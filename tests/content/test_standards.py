"""Content that is right and traceable: sources, campaign views, restraint, separation, visits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from content.check import check, main
from tests.content.conftest import edit

TODAY = dt.date(2026, 11, 30)


def faults_in(data: Path) -> list[tuple[str, int, str]]:
    return [(fault.path.name, fault.line, fault.message) for fault in check(data, today=TODAY)]


def line_of(path: Path, text: str) -> int:
    body = path.read_text()
    return body[: body.index(text)].count("\n") + 1


# ---- sources link to the page that says the thing ----


def test_the_real_sources_pass():
    assert [str(f) for f in check() if f.path.name == "sources.yaml"] == []


@pytest.mark.parametrize(
    "url",
    [
        "https://www.article39.org.uk",
        "https://www.article39.org.uk/",
        "https://www.ohchr.org/en",
        "https://www.ohchr.org/en/",
        "https://www.gov.uk/government/organisations/youth-custody-service",
    ],
)
def test_a_home_page_source_fails_with_a_clear_message(data, url):
    path = data / "sources.yaml"
    ppo = "https://www.ppo.gov.uk/investigations/make-complaint/complaints-faq-2/"
    line = edit(path, f"  url: {ppo}", f"  url: {url}")
    found = faults_in(data)
    assert (
        "sources.yaml",
        line,
        f"Source ppo links to a home page ({url}): link to the page or document that says "
        "the thing, or remove the url and say why in a note",
    ) in found, found
    assert main(["--root", str(data)]) == 1


def test_a_page_on_the_same_site_passes(data):
    path = data / "sources.yaml"
    edit(
        path,
        "https://www.ppo.gov.uk/investigations/make-complaint/complaints-faq-2/",
        "https://www.ppo.gov.uk/about/vision-and-values/terms-of-reference/",
    )
    assert faults_in(data) == []


def test_an_address_without_its_scheme_fails(data):
    path = data / "sources.yaml"
    line = edit(path, "url: https://www.gov.uk/help-with-prison-visits", "url: gov.uk/help")
    message = "Write the whole address of help-with-prison-visits, starting https://"
    assert ("sources.yaml", line, message) in faults_in(data)


def test_a_source_without_a_url_says_why(data):
    path = data / "sources.yaml"
    start = line_of(path, "lgsco:")
    note = "  note: The page giving its number was not found (the old link was its home page, lgo.org.uk).\n"  # noqa: E501
    edit(path, note, "")
    message = "Source lgsco has no url: add the page that says the thing, or a note saying why there is none"  # noqa: E501
    assert ("sources.yaml", start, message) in faults_in(data)
