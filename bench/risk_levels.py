"""Risk as the engine grades it: service/safety.py's screen and the model together.

`python -m nlp evaluate` measures the model and its own phrases; the engine also runs the
pattern screen, whose words can raise an alarm the model alone would not. This prints the
same figures for both ways, on the validation split and on the blind set when there is one.
Prints figures; it asserts nothing:
    .venv/bin/python bench/risk_levels.py
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import nlp
from nlp import data
from nlp.analysis import Analysis
from nlp.evaluate import risk_scores
from service import safety


def with_screen(texts: Sequence[str]) -> list[Analysis]:
    """As `Conversation._understand` grades a message (service/engine.py)."""
    found = nlp.analyse_many(texts)
    return [
        analysis.screened(stated=safety.screen(text), named=safety.named(text))
        for text, analysis in zip(texts, found, strict=True)
    ]


def line(title: str, figures: dict[str, Any]) -> str:
    harm, abuse = figures["self_harm"], figures["abuse"]
    return (
        f"{title:<24} self_harm {harm['recall']:.3f} (urgent {harm['urgent']:.3f})  "
        f"abuse {abuse['recall']:.3f} (urgent {abuse['urgent']:.3f})  "
        f"false alarms {figures['false_alarm_rate']:.3f}  check-ins {figures['check_in_rate']:.3f}"
        f"  (calm n={figures['negatives']})"
    )


def main() -> None:
    nlp.load()
    sets = {"validation": data.risk_examples("test"), "blind": data.read(data.BLIND_RISKS)}
    for name, rows in sets.items():
        if not rows:
            print(f"{name}: none")
            continue
        print(line(f"{name}, model", risk_scores(nlp.analyse_many, rows)))
        print(line(f"{name}, model + screen", risk_scores(with_screen, rows)))


if __name__ == "__main__":
    main()
