"""`python -m nlp analyse | train | evaluate`."""

from __future__ import annotations

import argparse
import json
import sys

import nlp
from nlp import pipeline


def _analyse() -> int:
    nlp.load()
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text = row["text"]
            if not isinstance(text, str):
                raise TypeError("text must be a string")
        except (ValueError, KeyError, TypeError) as error:
            print(json.dumps({"error": f"expected a JSON object with a text string ({error})"}))
            continue
        print(json.dumps(nlp.analyse(text).model_dump()), flush=True)
    return 0


def _train(if_needed: bool) -> int:
    if if_needed and pipeline.is_current():
        print("The model is up to date.")
        return 0
    directory = pipeline.train()
    print(f"Trained and saved to {directory}")
    return 0


def _evaluate() -> int:
    from nlp.evaluate import report

    nlp.load()
    print(report(nlp.analyse_many))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nlp", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("analyse", help="JSON lines in ({'text': ...}), analyses out")
    train = commands.add_parser("train", help="train the classifiers from content/training")
    train.add_argument("--if-needed", action="store_true", help="only when the data changed")
    commands.add_parser("evaluate", help="figures on the held-out split")
    args = parser.parse_args(argv)
    if args.command == "analyse":
        return _analyse()
    if args.command == "train":
        return _train(args.if_needed)
    return _evaluate()


if __name__ == "__main__":
    raise SystemExit(main())
