"""Content that is right and traceable: sources, campaign views, restraint, separation, visits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from content import load_library
from content.check import README_END, README_START, check, coverage_table, main
from content.loader import DATA_DIR, read_content
from content.schema import AUDIENCES, PLACE_KINDS, AnswerData
from tests.content.conftest import edit

TODAY = dt.date(2026, 12, 4)
SETTINGS = [None, *PLACE_KINDS]


@pytest.fixture(scope="module")
def lib():
    return load_library()


def faults_in(data: Path) -> list[tuple[str, int, str]]:
    return [(fault.path.name, fault.line, fault.message) for fault in check(data, today=TODAY)]


def line_of(path: Path, text: str) -> int:
    body = path.read_text()
    return body[: body.index(text)].count("\n") + 1


def sources_of(answer: AnswerData) -> set[str]:
    steps = [*answer.first, *answer.more, *answer.actions]
    return {step.source for step in steps if step.source}


def texts_of(answer: AnswerData) -> str:
    return " ".join(step.text for step in [*answer.first, *answer.more, *answer.actions])


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


# ---- a campaign's view is what we think, never a right ----


def test_the_campaign_source_is_marked():
    content = read_content()
    assert content.sources["ece-principles-2019"].campaign
    assert not content.sources["yoi-rule-49"].campaign


def test_every_campaign_view_says_we_think():
    content = read_content()
    campaigns = {key for key, source in content.sources.items() if source.campaign}
    for topic, _ in content.topics.values():
        for answer in topic.answers:
            for step in [*answer.first, *answer.more, *answer.actions]:
                if step.source in campaigns:
                    assert "we think" in step.text.lower(), step.text


def test_a_campaign_view_written_as_a_rule_fails(data):
    path = data / "topics" / "advocate.yaml"
    line = edit(
        path,
        "We think every child who is locked up should have one.",
        "You have a right to one.",
    )
    found = faults_in(data)
    assert (
        "advocate.yaml",
        line,
        "ece-principles-2019 is a campaign's view: write it as what we think should happen, "
        "e.g. 'We think ...'",
    ) in found, found
    not_a_rule = "ece-principles-2019 is a campaign's view, not a rule: remove 'right'"
    assert any(f[:2] == ("advocate.yaml", line) and f[2].startswith(not_a_rule) for f in found)


def test_marking_a_source_as_a_campaign_checks_its_text(data):
    path = data / "sources.yaml"
    edit(path, "yoi-rule-49:\n", "yoi-rule-49:\n  campaign: true\n")
    found = [f for f in faults_in(data) if f[0] == "separation.yaml"]
    assert any("yoi-rule-49 is a campaign's view" in f[2] for f in found), found


# ---- restraint: one promise everywhere ----


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("setting", SETTINGS)
def test_every_restraint_answer_says_last_resort(lib, audience, setting):
    answer = lib.answer("restraint", audience, setting)
    said = " ".join([*answer.first, *answer.more, *(a.text for a in answer.actions)])
    assert "last resort" in said.lower()


def test_a_restraint_answer_without_last_resort_fails(data):
    path = data / "topics" / "restraint.yaml"
    answer_line = line_of(path, "    settings: [hospital]") - 1
    edit(
        path,
        "We think being held on a ward should be a last resort.",
        "We think being held on a ward should be rare.",
    )
    assert (
        "restraint.yaml",
        answer_line,
        "Every restraint answer must say 'last resort': add it to this one",
    ) in faults_in(data)


@pytest.mark.parametrize("setting", SETTINGS)
def test_every_child_restraint_answer_says_see_a_nurse_and_obeying_is_no_reason(lib, setting):
    answer = lib.answer("restraint", "child", setting)
    said = " ".join([*answer.first, *answer.more, *(a.text for a in answer.actions)]).lower()
    assert "nurse" in said
    assert "do as you are told" in said
    assert "told" in said and "family" in said
    assert any(a.route == "health" for a in answer.actions)


def test_restraint_for_obedience_is_unlawful_in_an_stc():
    content = read_content()
    topic, _ = content.topics["restraint"]
    stc = next(a for a in topic.answers if a.audience == "child" and a.settings == ["stc"])
    assert "r-c-v-sosj-2008" in sources_of(stc)


# ---- separation: Rule 49 in YOIs ----


@pytest.mark.parametrize("setting", [None, "yoi"])
def test_the_family_separation_answer_says_secretary_of_state(lib, setting):
    answer = lib.answer("separation", "family", setting)
    said = " ".join([*answer.first, *answer.more])
    assert "Secretary of State" in said
    assert "approval from outside" not in said
    assert "72 hours" in said and "14 days" in said


def test_the_child_yoi_separation_answer_gives_rule_49_and_a_say(lib):
    answer = lib.answer("separation", "child", "yoi")
    said = " ".join([*answer.first, *answer.more])
    assert "72 hours" in said and "14 days" in said
    assert "what you think" in said


# ---- visits: the right minimums in the right place ----

YOI_AND_CUSTODY_RULES = {"yoi-rules-2000", "yoi-rule-49", "youth-justice-charter"}


@pytest.mark.parametrize("audience", AUDIENCES[:2])
def test_a_hospital_visits_answer_does_not_cite_yoi_rules(lib, audience):
    answer = lib.choose("visits", audience, "hospital")
    assert answer is not None and answer.settings == ["hospital"]
    assert not sources_of(answer) & YOI_AND_CUSTODY_RULES
    assert "YOI" not in texts_of(answer)


def test_the_shared_child_visits_answer_claims_no_custody_minimums(lib):
    # A child who is not sure where they are may be on a ward.
    answer = lib.choose("visits", "child", None)
    assert not sources_of(answer) & YOI_AND_CUSTODY_RULES


@pytest.mark.parametrize("setting", [None, "yoi", "stc", "sch"])
def test_a_family_visits_answer_puts_travel_costs_first(lib, setting):
    answer = lib.answer("visits", "family", setting)
    assert "travel costs" in answer.more[0]
    if setting in (None, "yoi"):
        assert answer.actions[0].route == "help_with_prison_visits"


@pytest.mark.parametrize("setting", SETTINGS)
def test_every_family_visits_answer_offers_nyas(lib, setting):
    answer = lib.answer("visits", "family", setting)
    assert any(a.route == "nyas" for a in answer.actions)


def test_visit_minimums_name_their_place(lib):
    for setting in ("yoi", "stc", "sch"):
        answer = lib.answer("visits", "child", setting)
        assert "every 2 weeks" in " ".join(answer.more)
    stc = " ".join(lib.answer("visits", "child", "stc").more)
    assert "1 visit a week" in stc and "3 visits" not in stc


# ---- the coverage table in content/README.md ----


def test_the_readme_table_matches_the_content(lib):
    readme = (DATA_DIR.parent / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index(README_START) + len(README_START) : readme.index(README_END)]
    assert table.strip() == coverage_table(lib), (
        "content/README.md is out of date: run `python -m content check --write-readme`"
    )


def test_every_cell_of_the_table_is_answered(lib):
    table = coverage_table(lib)
    assert "missing" not in table
    rows = [row for row in table.splitlines()[2:]]
    assert len(rows) == len(lib.topic_names) * len(AUDIENCES)


@pytest.mark.parametrize("argv", [["--table"], ["--", "--table"]])
def test_the_table_can_be_printed(capsys, lib, argv):
    assert main(argv) == 0
    assert capsys.readouterr().out.strip() == coverage_table(lib)
