"""The messages these tests feed the model are new to it: understanding, not memory.

A test input copied from content/training passes because the model was fitted to it (or,
for a held-out file, because its thresholds were chosen on it), so it says nothing about
messages the model has not seen. This reads every test in tests/nlp/ with `ast` and fails
when an input is a training message, ignoring case and spacing. The blind sets are never
read here: only `nlp evaluate` reads them.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path

from nlp import data

HERE = Path(__file__).resolve().parent
# Calls whose arguments are messages for the model or the redaction rules.
MODEL_CALLS = {"analyse", "analyse_many", "find_by_rules"}


def normalise(text: str) -> str:
    return " ".join(text.lower().split())


def training_messages() -> dict[str, str]:
    """Each message in content/training (blind sets aside), normalised, and its file."""
    found: dict[str, str] = {}
    for path in sorted(data.TRAINING.glob("*.jsonl")):
        if path.name.startswith("blind_"):
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else {}
            if isinstance(row.get("text"), str):
                found.setdefault(normalise(row["text"]), path.name)
    return found


def _strings(node: ast.AST, bound: dict[str, list[ast.expr]], seen: set[str]) -> Iterator[str]:
    """The string constants in `node`, following names bound in the same test."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
            yield inner.value
        elif isinstance(inner, ast.Name) and inner.id in bound and inner.id not in seen:
            for value in bound[inner.id]:
                yield from _strings(value, bound, seen | {inner.id})


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _parametrized(call: ast.Call) -> Iterator[ast.expr]:
    """The values of @pytest.mark.parametrize columns whose name holds "text"."""
    if len(call.args) < 2 or not isinstance(call.args[0], ast.Constant | ast.Tuple | ast.List):
        return
    first = call.args[0]
    if isinstance(first, ast.Constant):
        names = [name.strip() for name in str(first.value).split(",")]
    else:
        names = [str(getattr(name, "value", "")) for name in first.elts]
    columns = [i for i, name in enumerate(names) if "text" in name]
    rows = call.args[1]
    for row in rows.elts if isinstance(rows, ast.List | ast.Tuple) else []:
        if len(names) == 1:
            yield row
        elif isinstance(row, ast.Tuple | ast.List):
            yield from (row.elts[i] for i in columns if i < len(row.elts))


def inputs(source: str) -> Iterator[str]:
    """Every message a test module gives the model or the redaction rules."""
    tree = ast.parse(source)
    for test in ast.walk(tree):
        if not isinstance(test, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        bound: dict[str, list[ast.expr]] = {}
        for node in ast.walk(test):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    pairs = (
                        zip(target.elts, node.value.elts, strict=False)
                        if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple)
                        else [(target, node.value)]
                    )
                    for name, value in pairs:
                        if isinstance(name, ast.Name):
                            bound.setdefault(name.id, []).append(value)
            elif isinstance(node, ast.For) and isinstance(node.target, ast.Name):
                bound.setdefault(node.target.id, []).append(node.iter)
        for decorator in test.decorator_list:
            if isinstance(decorator, ast.Call) and _call_name(decorator) == "parametrize":
                for value in _parametrized(decorator):
                    yield from _strings(value, bound, set())
        for node in ast.walk(test):
            if isinstance(node, ast.Call) and _call_name(node) in MODEL_CALLS:
                for argument in node.args:
                    yield from _strings(argument, bound, set())
            elif isinstance(node, ast.Call):
                # What a command is given on standard input, one message a line.
                for keyword in node.keywords:
                    if keyword.arg == "input":
                        for text in _strings(keyword.value, bound, set()):
                            yield from text.splitlines()
            elif isinstance(node, ast.Dict):
                # {"text": ...}: a message for `python -m nlp analyse`.
                for key, value in zip(node.keys, node.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "text":
                        yield from _strings(value, bound, set())


def test_inputs_are_found() -> None:
    found = {normalise(text) for text in inputs((HERE / "test_analyse.py").read_text())}
    assert len(found) > 40
    assert {"honestly might just kms tonight", "segregation", "<b>hi</b>"} <= found
    cli = {normalise(text) for text in inputs((HERE / "test_cli.py").read_text())}
    assert "this is not json" in cli
    model = {normalise(text) for text in inputs((HERE / "test_model.py").read_text())}
    assert {"hello is anyone reading this", "i am going to kill myself tonight"} <= model


def test_a_copied_input_is_caught_whatever_its_case_and_spacing() -> None:
    copied = next(iter(training_messages()))
    source = f"def test_it():\n    nlp.analyse({'  ' + copied.upper().replace(' ', '   ')!r})\n"
    assert [normalise(text) for text in inputs(source)] == [copied]


def test_no_test_input_is_a_training_message() -> None:
    trained = training_messages()
    assert len(trained) > 5000
    copied = [
        f"{path.name}: {text!r} is in {trained[normalise(text)]}"
        for path in sorted(HERE.glob("test_*.py"))
        for text in dict.fromkeys(inputs(path.read_text(encoding="utf-8")))
        if normalise(text) in trained
    ]
    assert copied == [], "\n".join(copied)


def test_no_validation_message_is_a_training_message() -> None:
    """The thresholds are chosen on validation: a message also trained on would flatter it."""

    def texts(split: str) -> dict[str, str]:
        return {normalise(row["text"]): f"{split} {row['text']!r}" for row in data.examples(split)}

    trained = texts("train")
    both = [said for text, said in texts("test").items() if text in trained]
    assert both == [], "\n".join(both)
