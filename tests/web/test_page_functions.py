"""The browser tests hand Playwright functions, never bare expressions.

Playwright runs a bare expression with eval on every try, and the chat page's policy forbids
eval: wait_for_function then fails whenever its first try is false, as it may be under load.
A function is read once, while Playwright is allowed to, and after that only called.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
TAKES_A_PAGE_FUNCTION = {"wait_for_function", "evaluate", "evaluate_handle"}
# Also given a selector first: the page function comes second.
TAKES_A_SELECTOR_FIRST = {"eval_on_selector", "eval_on_selector_all"}
A_FUNCTION = re.compile(r"\s*(async\s+)?(\(|[A-Za-z_$][\w$]*\s*=>|function\b)")


def bare_expressions(source: str) -> list[int]:
    """Lines where a page function is written as a string that is not a function."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name = node.func.attr
        if name in TAKES_A_PAGE_FUNCTION:
            given = node.args[:1]
        elif name in TAKES_A_SELECTOR_FIRST:
            given = node.args[1:2]
        else:
            continue
        for arg in given:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                if not A_FUNCTION.match(arg.value):
                    lines.append(node.lineno)
    return lines


def test_the_check_finds_a_bare_expression_and_passes_a_function() -> None:
    assert bare_expressions('page.wait_for_function("document.title")') == [1]
    assert bare_expressions('page.evaluate("() => document.title")') == []
    assert bare_expressions('page.wait_for_function("n => n > 1", arg=0)') == []


def test_no_browser_test_passes_a_bare_expression() -> None:
    found = [
        f"{path.relative_to(TESTS.parent)}:{line}"
        for path in sorted(TESTS.rglob("*.py"))
        for line in bare_expressions(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "write these as arrow functions: () => ..."
