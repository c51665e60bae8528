"""`python -m nlp analyse | train | refresh | is-current | evaluate`."""

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
    if if_needed and pipeline.state() != "train":
        return _refresh()
    directory = pipeline.train()
    print(f"Trained and saved to {directory}")
    return 0


def _refresh() -> int:
    """Exit 1 when only training will do; otherwise bring the rules and the card up to date."""
    state = pipeline.state()
    if state == "train":
        print("The encoder's training data changed: it must be trained (`make model`).")
        return 1
    if state == "checks":
        pipeline.refresh()
        print("Pipeline, rules and model card rebuilt; the encoder is unchanged.")
        return 0
    print("The model is up to date.")
    return 0


def _evaluate() -> int:
    from nlp.card import describe, read_card, write_card
    from nlp.evaluate import report

    nlp.load()
    card = read_card(pipeline.MODEL_DIR)
    config = pipeline.read_config()
    if card is not None and card["thresholds"] != dict(config["decisions"]):
        # The thresholds were chosen after training: the card shows the ones in use.
        card = write_card(pipeline.MODEL_DIR, nlp.loaded(), config)
    if card is not None:
        print(describe(card))
        print()
    print(report(nlp.analyse_many))
    return 0


def _is_current() -> int:
    return 0 if pipeline.is_current() else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nlp", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("analyse", help="JSON lines in ({'text': ...}), analyses out")
    train = commands.add_parser(
        "train", help="fine-tune the encoder from content/training (needs the train extra)"
    )
    train.add_argument("--if-needed", action="store_true", help="only when the data changed")
    commands.add_parser(
        "refresh",
        help="rebuild rules and card when only they changed; exit 1 if the encoder must train",
    )
    commands.add_parser("is-current", help="exit 0 if the model matches its training data")
    commands.add_parser("evaluate", help="the model card, then figures on validation and blind")
    args = parser.parse_args(argv)
    if args.command == "analyse":
        return _analyse()
    if args.command == "train":
        return _train(args.if_needed)
    if args.command == "refresh":
        return _refresh()
    if args.command == "is-current":
        return _is_current()
    return _evaluate()


if __name__ == "__main__":
    raise SystemExit(main())
