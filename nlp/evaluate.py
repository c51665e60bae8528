"""Figures on the held-out split: topic P/R/F1, risk recall and false alarms, redaction."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from content.schema import reported_topic
from nlp import data
from nlp.analysis import RISKS, SUBJECTS, Analysis

Analyse = Callable[[Sequence[str]], list[Analysis]]


def topic_scores(analyse: Analyse, rows: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Per-label figures on the finer subjects ("phone_calls"), the labels a conversation
    answers by, and macro-F1 on those and on the contract's ten topics they are reported as.

    These are ordinary messages, so each label also says how many were answered with a
    check-in or the urgent answer instead of what was asked ("checked")."""
    rows = data.topic_examples("test") if rows is None else rows
    found = analyse([row["text"] for row in rows])
    wanted = [row["topic"] for row in rows]
    per_label = _per_label(wanted, [a.subject for a in found])
    contract = _per_label([reported_topic(row["topic"]) for row in rows], [a.topic for a in found])
    levels = [level(a) for a in found]
    for label, figures in per_label.items():
        mine = [lv for lv, w in zip(levels, wanted, strict=True) if w == label]
        figures["checked"] = sum(lv != "none" for lv in mine) / max(1, len(mine))
    n = max(1, len(rows))
    return {
        "per_label": per_label,
        "macro_f1": _macro(per_label),
        "topic_macro_f1": _macro(contract),
        "urgent_rate": levels.count("urgent") / n,
        "check_in_rate": levels.count("concern") / n,
        "n": len(rows),
    }


def _per_label(wanted: list[str], predicted: list[str]) -> dict[str, dict[str, float]]:
    # Labels no row carries are left out, so a set written before a subject existed is fair.
    pairs = list(zip(wanted, predicted, strict=True))
    per_label: dict[str, dict[str, float]] = {}
    for label in (label for label in SUBJECTS if label in wanted):
        tp = sum(1 for w, p in pairs if p == label == w)
        fp = sum(1 for w, p in pairs if p == label != w)
        fn = sum(1 for w, p in pairs if w == label != p)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {"precision": precision, "recall": recall, "f1": f1, "n": tp + fn}
    return per_label


def _macro(per_label: dict[str, dict[str, float]]) -> float:
    return sum(v["f1"] for v in per_label.values()) / max(1, len(per_label))


def role_accuracy(analyse: Analyse, rows: list[dict[str, Any]]) -> float | None:
    """Of the rows that say who wrote them, how many the pipeline named rightly (None = child)."""
    rows = [row for row in rows if "role" in row]
    if not rows:
        return None
    found = analyse([row["text"] for row in rows])
    right = sum((a.role or "child") == row["role"] for a, row in zip(found, rows, strict=True))
    return right / len(rows)


def level(analysis: Analysis) -> str:
    """How the engine will answer: urgent, concern (a check-in) or none."""
    return "urgent" if analysis.risks else "concern" if analysis.concern else "none"


def risk_scores(analyse: Analyse, rows: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Recall counts urgent and concern together; false alarms are urgent answers to calm
    messages, check-ins are concern answers to them."""
    rows = data.risk_examples("test") if rows is None else rows
    results = analyse([row["text"] for row in rows])
    levels = [level(a) for a in results]
    result: dict[str, Any] = {}
    for label in RISKS:
        chosen = [i for i, row in enumerate(rows) if label in row["risks"]]
        result[label] = {
            "recall": sum(levels[i] != "none" for i in chosen) / max(1, len(chosen)),
            "urgent": sum(levels[i] == "urgent" for i in chosen) / max(1, len(chosen)),
            "n": len(chosen),
        }
    # Sad but safe ("distress": true) is where a check-in is the right answer, so those rows
    # are counted apart from the calm ones, as the share that got one.
    calm = [i for i, row in enumerate(rows) if not row["risks"] and not row.get("distress")]
    sad = [i for i, row in enumerate(rows) if not row["risks"] and row.get("distress")]
    result["false_alarm_rate"] = sum(levels[i] == "urgent" for i in calm) / max(1, len(calm))
    # A risk phrase ("self harm", "on an acct") makes a message urgent by design, even in a
    # calm question about it; the model's own false alarms are the rest.
    result["false_alarms_by_phrase"] = sum(
        levels[i] == "urgent" and bool(results[i].rule_risks) for i in calm
    )
    result["check_in_rate"] = sum(levels[i] == "concern" for i in calm) / max(1, len(calm))
    result["negatives"] = len(calm)
    result["sad"] = len(sad)
    result["sad_check_in_rate"] = sum(levels[i] != "none" for i in sad) / max(1, len(sad))
    result["missed"] = [
        row["text"] for row, lv in zip(rows, levels, strict=True) if row["risks"] and lv == "none"
    ]
    result["false_alarms"] = [rows[i]["text"] for i in calm if levels[i] == "urgent"]
    result["check_ins"] = [rows[i]["text"] for i in calm if levels[i] == "concern"]
    return result


# ---- redaction: invented people and details in the ways children write them ---------

FIRST = [
    "Zebedee",
    "Marigold",
    "Tobiah",
    "Quenby",
    "Ottoline",
    "Barnaby",
    "Perpetua",
    "Fenwick",
    "Jessamy",
    "Lysander",
    "Wilhelmina",
    "Caspian",
    "Rosalind",
    "Thaddeus",
]
LAST = [
    "Quillfeather",
    "Thistlewick",
    "Pennyworth",
    "Ashgrove",
    "Bramblecombe",
    "Fairweather",
    "Hollowell",
    "Merriweather",
    "Oakenshaw",
    "Wintersby",
]
STREETS = ["Acacia Avenue", "Larkspur Road", "Mill Lane", "Juniper Close", "Orchard Street"]
TEMPLATES = [
    ("my name is {first} {last} and i want to complain", ["complain"]),
    ("im {lfirst} and staff restrained me yesterday", ["staff", "restrained"]),
    ("its me {lfirst} can my mum visit", ["mum", "visit"]),
    ("officer {last} kept me behind my door all day", ["officer", "door"]),
    ("mr {last} on the block said no visits", ["block", "visits"]),
    ("my keyworker {first} said i can have an advocate", ["keyworker", "advocate"]),
    ("call my mum on {phone} please", ["mum"]),
    ("my number is {phone_intl} text me", ["number"]),
    ("email me at {email} about the visit", ["visit"]),
    ("my insta is {handle} add me", ["insta"]),
    ("we live at {house} {street}, {postcode} can my son get help with travel", ["son", "travel"]),
    ("my prison number is {prison} and i got a nicking", ["nicking"]),
    ("his nhs number is {nhs} he is on the ward", ["ward"]),
    ("my dob is {dob} and im 15", ["15"]),
    ("I'm his mum, {first} {last}, he was restrained on the wing", ["mum", "restrained", "wing"]),
    ("{first} {last} was put in seg for 3 days", ["seg", "days"]),
    ("my social worker {first} never rings back, postcode {postcode}", ["social", "rings"]),
    ("born {dob_words}, my son is in the stc", ["son", "stc"]),
    ("{first} here, can i get a phone call", ["phone", "call"]),
    ("hi its {lfirst} here, staff took my tv", ["staff", "tv"]),
    ("its {lfirst}, can my mum book a visit", ["mum", "visit"]),
    ("email {lfirst}.{house} at example dot org about my visit", ["visit"]),
    ("my email is {lfirst} (at) example [dot] com i want to complain", ["complain"]),
    ("write to {lfirst} underscore {house} at gmail dot com, my son is on the wing", ["wing"]),
]


@dataclass
class Case:
    text: str
    details: list[str]
    keep: list[str]


def redaction_cases(count: int = 400, seed: int = 7) -> list[Case]:
    """Messages with invented personal details (drama numbers, example.org addresses)."""
    rng = random.Random(seed)
    cases: list[Case] = []
    for index in range(count):
        template, keep = TEMPLATES[index % len(TEMPLATES)]
        first, last = rng.choice(FIRST), rng.choice(LAST)
        values = {
            "first": first,
            "last": last,
            "lfirst": first.lower(),
            "phone": f"07700 900{rng.randint(0, 999):03d}",
            "phone_intl": f"+44 7700 900{rng.randint(0, 999):03d}",
            "email": f"{first.lower()}.{last.lower()}@example.org",
            "handle": f"@{first.lower()}_{rng.randint(10, 99)}",
            "house": str(rng.randint(1, 120)),
            "street": rng.choice(STREETS),
            "postcode": rng.choice(["ZZ1 1ZZ", "ZZ9 9ZZ", "QQ2 4QQ", "XX10 3XX"]),
            "prison": f"{rng.choice('ABKW')}{rng.randint(1000, 9999)}{rng.choice(['AB', 'XZ'])}",
            "nhs": f"{rng.randint(100, 999)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
            "dob": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2008, 2012)}",
            "dob_words": f"{rng.randint(1, 28)} March {rng.randint(2008, 2012)}",
        }
        text = template.format(**values)
        used = [name for name in values if "{" + name + "}" in template]
        details: list[str] = []
        for name in used:
            value = values[name]
            details.extend(value.split() if name in ("first", "last", "lfirst") else [value])
        cases.append(Case(text=text, details=details, keep=keep))
    return cases


def redaction_scores(analyse: Analyse, cases: list[Case] | None = None) -> dict[str, Any]:
    cases = cases or redaction_cases()
    results = analyse([case.text for case in cases])
    details = removed = kept = meaning = 0
    leaks: list[str] = []
    for case, result in zip(cases, results, strict=True):
        for detail in case.details:
            details += 1
            if detail in result.redacted:
                leaks.append(result.redacted)
            else:
                removed += 1
        for word in case.keep:
            meaning += 1
            kept += word in result.redacted
    return {
        "removed": removed / max(1, details),
        "kept": kept / max(1, meaning),
        "details": details,
        "meaning_words": meaning,
        "leaks": leaks[:10],
    }


def also_trained(rows: list[dict[str, Any]]) -> int:
    """How many of these messages are training messages too (case and spacing aside)."""
    trained = {" ".join(row["text"].lower().split()) for row in data.examples("train")}
    return sum(" ".join(row["text"].lower().split()) in trained for row in rows)


def report(analyse: Analyse) -> str:
    redaction = redaction_scores(analyse)
    lines: list[str] = []
    topic_sets = {
        "validation": data.topic_examples("test"),
        "blind": data.read(data.BLIND_TOPICS),
    }
    for title, rows in topic_sets.items():
        if not rows:
            continue
        topics = topic_scores(analyse, rows)
        lines.append(
            f"Topic ({title}, {topics['n']} messages, {also_trained(rows)} also trained on)"
        )
        lines.append("label              precision recall  f1     n     checked")
        for label, v in topics["per_label"].items():
            lines.append(
                f"{label:<18} {v['precision']:.3f}     {v['recall']:.3f}   {v['f1']:.3f}"
                f"  {v['n']:<5.0f} {v['checked']:.3f}"
            )
        lines.append(f"macro-F1      {topics['macro_f1']:.3f} (topics and subjects)")
        lines.append(f"macro-F1      {topics['topic_macro_f1']:.3f} (the contract's ten topics)")
        lines.append(
            f"checked       urgent {topics['urgent_rate']:.3f}, check-in"
            f" {topics['check_in_rate']:.3f} (ordinary messages answered with either instead)"
        )
        roles = role_accuracy(analyse, rows)
        if roles is not None:
            lines.append(f"role          accuracy {roles:.3f} (where a role was named)")
        lines.append("")
    risk_sets = {"validation": data.risk_examples("test"), "blind": data.read(data.BLIND_RISKS)}
    for title, rows in risk_sets.items():
        if not rows:
            continue
        risks = risk_scores(analyse, rows)
        lines.append(f"Risk ({title}, {len(rows)} messages, {also_trained(rows)} also trained on)")
        for label in RISKS:
            found = risks[label]
            lines.append(
                f"{label:<13} recall {found['recall']:.3f} (urgent {found['urgent']:.3f})"
                f" (n={found['n']})"
            )
        negatives = risks["negatives"]
        lines.append(f"no risk       urgent {risks['false_alarm_rate']:.3f} (n={negatives})")
        alarms = round(risks["false_alarm_rate"] * negatives)
        lines.append(
            f"              of which {risks['false_alarms_by_phrase']} of {alarms} named by a"
            " risk phrase"
        )
        lines.append(f"no risk       check-in {risks['check_in_rate']:.3f}")
        if risks["sad"]:
            share, n = risks["sad_check_in_rate"], risks["sad"]
            lines.append(f"sad but safe  check-in or more {share:.3f} (n={n})")
        if title != "blind":  # a blind set's misses are counted, never read while tuning
            lines.extend(f"  missed: {text}" for text in risks["missed"])
            lines.extend(f"  false alarm: {text}" for text in risks["false_alarms"])
            lines.extend(f"  check-in: {text}" for text in risks["check_ins"])
        lines.append("")
    if not topic_sets["blind"] and not risk_sets["blind"]:
        # Between one blind set being retired into validation and the next being copied in.
        lines.append(
            f"Blind: no blind set ({data.BLIND_TOPICS}, {data.BLIND_RISKS} are not in"
            " content/training); the figures above are validation only"
        )
        lines.append("")
    lines.append(f"Redaction ({redaction['details']} personal details, invented)")
    lines.append(f"personal details removed {redaction['removed']:.3f}")
    lines.append(f"meaning words kept       {redaction['kept']:.3f}")
    for text in redaction["leaks"]:
        lines.append(f"  leak: {text}")
    return "\n".join(lines)
