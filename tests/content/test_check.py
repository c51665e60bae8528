"""The content checker: the real content passes, and each rule catches a seeded fault."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from content.check import check, code_message_keys, main
from content.loader import DATA_DIR
from content.schema import MESSAGE_KEYS
from tests.content.conftest import edit

TODAY = dt.date(2026, 12, 4)


def faults_in(data: Path) -> list[tuple[str, int, str]]:
    return [(fault.path.name, fault.line, fault.message) for fault in check(data, today=TODAY)]


def assert_fault(data: Path, name: str, line: int, starts: str) -> None:
    found = faults_in(data)
    assert any(f[0] == name and f[1] == line and f[2].startswith(starts) for f in found), found


def test_topic_files_pass():
    faults = [f for f in check() if f.path.name != "messages.yaml"]
    assert faults == []


def test_engine_messages_pass():
    # content/data/messages.yaml is child-facing too, so the same reading rules apply.
    faults = [str(f) for f in check() if f.path.name == "messages.yaml"]
    assert faults == []


def test_clean_copy_passes(data):
    assert faults_in(data) == []


# ---- schema ----


def test_unknown_field(data):
    line = edit(
        data / "topics" / "separation.yaml",
        "  - audience: child\n",
        "  - audience: child\n    colour: red\n",
    )
    assert_fault(data, "separation.yaml", line + 1, "Unknown field: colour")


def test_missing_field(data):
    path = data / "helplines.yaml"
    edit(
        path,
        "  hours: Any time, day or night\n  cost: Free\n  who_for: Anyone under 19\n",
        "  cost: Free\n  who_for: Anyone under 19\n",
    )
    line = path.read_text().splitlines().index("childline:") + 1
    assert_fault(data, "helplines.yaml", line, "Must have field: hours")


def test_label_too_long(data):
    line = edit(
        data / "topics" / "restraint.yaml",
        "label: See a nurse",
        "label: See a nurse or a doctor today",
    )
    assert_fault(data, "restraint.yaml", line, "answers.0.actions.0.label: make it 25 characters")


def test_bad_yaml(data):
    line = edit(data / "topics" / "privacy.yaml", "topic: privacy", "topic: [privacy")
    found = faults_in(data)
    assert any(f[0] == "privacy.yaml" and f[2].startswith("Fix the YAML here") for f in found), (
        found
    )
    assert line


# ---- every rule names its source ----


def test_rule_without_source(data):
    path = data / "topics" / "separation.yaml"
    line = edit(
        path,
        "      - text: Staff must check on you every 15 minutes.\n        source: stc-rules-1998\n",
        "      - Staff must check on you every 15 minutes.\n",
    )
    assert_fault(data, "separation.yaml", line, "Must have field: source (this text states a rule)")


def test_crisis_line_without_source(data):
    # The one right said after the crisis lines is a rule like any other.
    path = data / "topics" / "restraint.yaml"
    line = edit(path, "  source: taylor-pain-review-2020\n\nanswers:", "\nanswers:")
    assert_fault(data, "restraint.yaml", line - 2, "Must have field: source")


def test_crisis_line_reads_at_grade_five(data):
    hard = "Practitioners must categorically refrain from employing pain-inducing techniques."
    line = edit(
        data / "topics" / "restraint.yaml",
        "Staff must never hurt you to make you do as you are told.",
        hard,
    )
    assert any(f[0] == "restraint.yaml" and f[1] == line - 1 for f in faults_in(data))


def test_unknown_source(data):
    line = edit(data / "topics" / "visits.yaml", "source: mandela-rules", "source: nowhere")
    assert_fault(data, "visits.yaml", line, "Unknown source: nowhere")


# ---- dates ----


def test_old_review_date(data):
    line = edit(data / "topics" / "appeals.yaml", "reviewed: 2026-11-30", "reviewed: 2025-10-01")
    assert_fault(data, "appeals.yaml", line, "Checked 2025-10-01, over 12 months ago")


def test_old_helpline_check(data):
    path = data / "helplines.yaml"
    text = path.read_text()
    start = text.index("samaritans:")
    line = text[: text.index("checked: 2026-11-01", start)].count("\n") + 1
    path.write_text(
        text[:start] + text[start:].replace("checked: 2026-11-01", "checked: 2024-01-01", 1)
    )
    assert_fault(data, "helplines.yaml", line, "Checked 2024-01-01, over 12 months ago")


def test_future_date(data):
    line = edit(data / "sources.yaml", "checked: 2026-11-01", "checked: 2027-05-01")
    assert_fault(data, "sources.yaml", line, "Date 2027-05-01 is in the future")


# ---- reading level ----


def first_line(path: Path, text: str) -> int:
    """The line of the `first:` key above `text`, where faults about the first reply point."""
    body = path.read_text()
    return body[: body.rindex("    first:", 0, body.index(text))].count("\n") + 1


def test_hard_words(data):
    path = data / "topics" / "helpline.yaml"
    edit(
        path,
        "You can talk about anything.",
        "Confidential communication facilitates therapeutic conversations.",
    )
    assert_fault(
        data, "helpline.yaml", first_line(path, "Confidential communication"), "Reading grade"
    )


def test_long_sentences(data):
    long = "You can text them and they will sit with you and hear it all the way to the end of the night"  # noqa: E501
    line = edit(
        data / "topics" / "helpline.yaml",
        "You can text SHOUT to 85258. It is free, any time.",
        long + ".",
    )
    assert_fault(data, "helpline.yaml", line, "Sentences average")


def test_messages_are_child_facing(data):
    (data / "messages.yaml").write_text(
        "ok: Tap a button.\nhard: Notwithstanding institutional considerations, communication remains confidential.\n"  # noqa: E501
    )
    assert_fault(data, "messages.yaml", 2, "Reading grade")


# ---- coverage ----


def test_missing_audience(data):
    path = data / "topics" / "privacy.yaml"
    text = path.read_text()
    start, end = text.index("  - audience: family"), text.index("  - audience: professional")
    path.write_text(text[:start] + text[end:])
    line = text.splitlines().index("answers:") + 1
    assert_fault(
        data, "privacy.yaml", line, "Add a shared answer (no settings) for audience: family"
    )


# ---- cross-references ----


def test_route_needs_its_helpline(data):
    path = data / "helplines.yaml"
    text = path.read_text()
    start, end = text.index("samaritans:"), text.index("shout:")
    path.write_text(text[:start] + text[end:])
    found = faults_in(data)
    assert any(
        f[2] == "Route samaritans needs helpline samaritans in helplines.yaml" for f in found
    ), found


def test_unknown_route(data):
    line = edit(data / "topics" / "advocate.yaml", "route: coram_voice", "route: carrier_pigeon")
    assert_fault(data, "advocate.yaml", line, "answers.0.actions.2.route: use one of")


# ---- phone numbers ----


def test_number_in_wrong_format(data):
    line = edit(
        data / "topics" / "helpline.yaml",
        "Call Childline on 0800 1111.",
        "Call Childline on 08001111.",
    )
    assert_fault(data, "helpline.yaml", line, "Write this number as 0800 1111")


def test_unknown_number(data):
    line = edit(
        data / "topics" / "helpline.yaml",
        "Call Childline on 0800 1111.",
        "Call us on 07700 900123.",
    )
    assert_fault(data, "helpline.yaml", line, "Unknown phone number 07700 900123")


def test_helpline_number_format(data):
    line = edit(data / "helplines.yaml", "number: 0808 808 3444", "number: 0808-808-3444")
    assert_fault(data, "helplines.yaml", line, "Write the number '0808-808-3444' as digit groups")


# ---- labels ----


def test_unknown_topic_label(data):
    line = edit(data / "topics" / "privacy.yaml", "topic: privacy", "topic: secrets")
    assert_fault(data, "privacy.yaml", line, "Unknown topic label: secrets")


def test_topic_without_content(data):
    (data / "topics" / "appeals.yaml").unlink()
    assert_fault(data, "appeals.yaml", 1, "Add content for topic: appeals")


def test_engine_topic_has_no_file(data):
    path = data / "topics" / "greeting.yaml"
    path.write_text(
        (data / "topics" / "privacy.yaml").read_text().replace("topic: privacy", "topic: greeting")
    )
    line = path.read_text().splitlines().index("topic: greeting") + 1
    assert_fault(data, "greeting.yaml", line, "Topic greeting is answered by the engine")


# ---- jargon and next steps ----


def test_jargon_explained_first_time(data):
    line = edit(
        data / "topics" / "separation.yaml",
        "text: An advocate (someone on your side) can come and see you.",
        "text: An advocate can come and see you.",
    )
    assert_fault(data, "separation.yaml", line, "Explain 'advocate' the first time it appears")


def test_child_answer_needs_a_person_today(data):
    path = data / "topics" / "privacy.yaml"
    text = path.read_text()
    start = text.index(
        "      - route: advocate\n        label: Ask for an advocate\n        text: An advocate can talk"  # noqa: E501
    )
    end = text.index("  - audience: family")
    path.write_text(text[:start] + text[end:])
    line = text.splitlines().index("  - audience: child") + 1
    assert_fault(data, "privacy.yaml", line, "Add an action a child can take today")


# ---- the chat's own words ----


def test_a_message_the_chat_says_is_missing(data, capsys):
    edit(data / "messages.yaml", "flood: ", "flooding: ")
    assert_fault(data, "messages.yaml", 1, "Add the message flood: the chat says it")
    assert main(["--root", str(data)]) == 1
    assert "Add the message flood" in capsys.readouterr().out


def test_a_message_nothing_says(data):
    path = data / "messages.yaml"
    path.write_text(path.read_text() + 'button_fax: "Send a fax"\n')
    line = len(path.read_text().splitlines())
    assert_fault(data, "messages.yaml", line, "Unknown message button_fax: nothing says it")


def test_no_messages_file(data):
    (data / "messages.yaml").unlink()
    assert_fault(data, "messages.yaml", 1, "Add the file messages.yaml")


def test_the_code_is_read_for_the_keys_it_says():
    said = code_message_keys()
    assert {"flood", "greeting", "crisis_abuse", "crisis_self_harm", "buttons_only"} <= set(
        said.literal
    )
    assert {"topic_", "place_", "ask_setting_", "command_", "page_title_"} <= set(said.families)
    assert set(said.literal) <= set(MESSAGE_KEYS)


def test_a_key_said_in_code_but_not_listed(data, tmp_path, monkeypatch):
    from content import check as checker

    code = tmp_path / "code"
    code.mkdir()
    (code / "engine.py").write_text(
        "def turn(self, library, kind):\n"
        "    self._say('greeting')\n"
        "    library.messages['fax_sent']\n"
        "    self._button(f'fax_{kind}', 'fax')\n"
    )
    monkeypatch.setattr(checker, "CODE_DIRS", (code,))
    found = faults_in(data)
    assert ("engine.py", 3, "Add fax_sent to MESSAGE_KEYS in content/schema.py") in found
    assert ("engine.py", 4, "Add the fax_... keys to MESSAGE_KEYS") in found
    assert not any(f[0] == "engine.py" and "greeting" in f[2] for f in found)


# ---- command line ----


def test_main_prints_faults_and_fails(data, capsys):
    edit(data / "topics" / "visits.yaml", "source: mandela-rules", "source: nowhere")
    assert main(["--root", str(data)]) == 1
    out = capsys.readouterr().out
    assert "visits.yaml:" in out and ": Unknown source: nowhere" in out


def test_main_passes_on_clean_copy(data, capsys):
    assert main(["--root", str(data)]) == 0
    assert "passed" in capsys.readouterr().out


def test_readme_has_the_coverage_table():
    readme = (DATA_DIR.parent / "README.md").read_text()
    assert "<!-- coverage-table:start -->" in readme
    assert "| separation | child |" in readme


def test_write_readme(data, tmp_path):
    from content import load_library
    from content.check import write_readme

    readme = tmp_path / "README.md"
    readme.write_text("# x\n<!-- coverage-table:start -->\nold\n<!-- coverage-table:end -->\n")
    write_readme(load_library(data), readme)
    text = readme.read_text()
    assert "old" not in text and "| visits | family |" in text


def test_adult_messages_are_read_at_the_family_level(data):
    # The same words: fine for a parent (grade 6.8), too hard for a child.
    words = "Ask the place for the duty governor or the safer custody team."
    (data / "messages.yaml").write_text(f"adult_ok: {words}\nchild_hard: {words}\n")
    faults = [f for f in faults_in(data) if f[2].startswith("Reading grade")]
    assert [(name, line) for name, line, _ in faults] == [("messages.yaml", 2)]


def test_crisis_words_keep_their_fields(data):
    edit(data / "crisis_words.yaml", "restraint:\n", "restrain:\n")
    found = [f for f in faults_in(data) if f[0] == "crisis_words.yaml"]
    assert any(f[2] == "Must have field: restraint" for f in found), found
    assert any(f[2].startswith("Unknown field: restrain") for f in found), found


def test_what_a_kind_of_place_is_reads_at_a_childs_level(data):
    line = edit(
        data / "places.yaml",
        "A YOI (young offender institution) is a prison just for young people.",
        "A YOI (young offender institution) constitutes custodial accommodation "
        "administered institutionally for adolescents.",
    )
    assert_fault(data, "places.yaml", line, "Reading grade")


def test_a_kind_of_place_must_say_what_it_is(data):
    edit(
        data / "places.yaml",
        "    explained: An STC (secure training centre) is a locked place",
        "    unexplained: An STC (secure training centre) is a locked place",
    )
    body = (data / "places.yaml").read_text()
    kind = body[: body.index("\n  stc:")].count("\n") + 2  # the line of "  stc:"
    assert ("places.yaml", kind, "Must have field: explained") in faults_in(data)
