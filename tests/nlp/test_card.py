"""The model card's threshold sweep grades each message as the engine would."""

from __future__ import annotations

import nlp
from nlp.card import level_at, scores_only, thresholds_set
from nlp.evaluate import level

# A risk only named, asked about calmly or said with worry; risks stated; calm messages.
TEXTS = [
    "what does self harm mean",
    "is it abuse if staff shout at you",
    "i keep thinking about self harm again",
    "my mate was on an acct last week",
    "i cut my arms last night",
    "staff punched me in the face",
    "when can my mum visit",
    "hi",
]


def test_the_sweep_grades_a_named_risk_as_the_engine_does() -> None:
    pipeline = nlp.loaded()
    found = scores_only(pipeline, TEXTS)
    assert any(a.names_risk for a in found), "no message only names a risk"
    distress = pipeline.distress
    # Thresholds in use, and ones where a named risk is urgent long before a score alone is.
    for urgent, concern, named_urgent in [(0.75, 0.18, 0.75), (0.99, 0.99, 0.01), (0.9, 0.2, 0.3)]:
        with thresholds_set(pipeline, urgent, concern, distress, named_urgent):
            expected = [level(a) for a in pipeline.analyse_many(TEXTS)]
        swept = [level_at(a, urgent, concern, distress, named_urgent) for a in found]
        assert swept == expected, (urgent, concern, named_urgent)


def test_ordinary_messages_answered_with_a_check_in_are_counted_by_topic() -> None:
    from nlp.analysis import Analysis
    from nlp.evaluate import topic_scores

    rows = [
        {"text": "zebedee asks: is my chat kept private", "topic": "privacy"},
        {"text": "zebedee asks: can staff read my chat", "topic": "privacy"},
        {"text": "zebedee asks: when can my mum visit", "topic": "visits"},
    ]

    def analyse(texts: list[str]) -> list[Analysis]:
        # The first privacy question is checked in on; the rest get what they asked.
        return [
            Analysis(topic=row["topic"], subject=row["topic"], concern=i == 0)
            for i, row in enumerate(rows)
        ]

    figures = topic_scores(analyse, rows)
    assert figures["per_label"]["privacy"]["checked"] == 0.5
    assert figures["per_label"]["visits"]["checked"] == 0.0
    assert figures["check_in_rate"] == 1 / 3 and figures["urgent_rate"] == 0.0
