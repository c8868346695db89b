"""Every user-facing problem text lives in the catalogue: no `Problem(...)` in carbonpeak/ is given a
zh or en message written in the code, and every rule a `problem(...)` call names has its entry in
both languages (read from the code's syntax tree, so a new call is checked the day it is written)."""

from __future__ import annotations

import ast
import string
from pathlib import Path

from carbonpeak.accounting.balance import RULES as BALANCE_RULES
from carbonpeak.i18n import catalogue
from carbonpeak.validation import problem

PACKAGE = Path(__file__).resolve().parents[1] / "carbonpeak"
# calls that build a problem from a rule code: function name → index of the rule argument
RULE_ARGUMENT = {"problem": 1, "fail": 1, "_problem": 3, "fault": 0}


def _modules() -> list[tuple[str, ast.Module]]:
    return [
        (path.relative_to(PACKAGE).as_posix(), ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(PACKAGE.rglob("*.py"))
    ]


def _called(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _texts(node: ast.Call) -> list[ast.expr]:
    """The zh and en message arguments of a `Problem(...)` call."""
    given = dict(zip(("location", "rule", "message_zh", "message_en"), node.args, strict=False))
    given.update({k.arg: k.value for k in node.keywords if k.arg})
    return [given[k] for k in ("message_zh", "message_en") if k in given]


def _literal(expr: ast.expr) -> bool:
    return isinstance(expr, ast.JoinedStr) or (isinstance(expr, ast.Constant) and isinstance(expr.value, str))


def test_no_problem_carries_a_message_written_in_the_code() -> None:
    found = [
        f"{name}:{node.lineno}"
        for name, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _called(node) == "Problem" and any(map(_literal, _texts(node)))
    ]
    assert found == [], "Problem(...) with a zh/en text in the code; use validation.problem and the catalogue"


def _catalogue_keys_named() -> set[str]:
    """Every catalogue key a call names: `text_key="…"`, else `problem.<rule>` of a literal rule."""
    keys = {f"problem.{rule}" for rule in BALANCE_RULES}
    for _, tree in _modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or _called(node) not in RULE_ARGUMENT:
                continue
            text_key = next((k.value for k in node.keywords if k.arg == "text_key"), None)
            if isinstance(text_key, ast.Constant) and isinstance(text_key.value, str):
                keys.add(text_key.value)
                continue
            i = RULE_ARGUMENT[str(_called(node))]
            rule = node.args[i] if len(node.args) > i else None
            if isinstance(rule, ast.Constant) and isinstance(rule.value, str) and "." in rule.value:
                keys.add(f"problem.{rule.value}")
    return keys


def test_every_rule_named_in_the_code_has_its_texts_in_both_languages() -> None:
    keys = _catalogue_keys_named()
    assert len(keys) > 150  # the scan sees the calls
    labels = catalogue()
    missing = sorted(k for k in keys if not (labels.get(k, {}).get("zh") and labels.get(k, {}).get("en")))
    assert missing == []


def test_every_problem_entry_of_the_catalogue_is_named_in_the_code() -> None:
    constants = {
        node.value
        for _, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    unused = [
        key
        for key in catalogue()
        if key.startswith("problem.")
        and key not in constants
        and key.removeprefix("problem.") not in constants
    ]
    assert unused == []


def test_problem_entries_are_format_strings_with_named_fields() -> None:
    for key, labels in catalogue().items():
        if not key.startswith("problem."):
            continue
        for lang in ("zh", "en"):
            fields = [f for _, f, _, _ in string.Formatter().parse(labels[lang]) if f is not None]
            assert all(f.isidentifier() for f in fields), (key, lang, fields)


def test_problem_fills_the_catalogue_text_and_keeps_rule_location_and_value() -> None:
    p = problem("plan.yaml:targets[0].lead_units[1]", "target.lead_not_responsible", "U9", ref="U9")
    assert (p.location, p.rule, p.value, p.severity) == (
        "plan.yaml:targets[0].lead_units[1]",
        "target.lead_not_responsible",
        "U9",
        "error",
    )
    assert p.message_zh == "牵头单位“U9”不在该目标的责任单位中"
    assert p.message_en == 'lead unit "U9" is not one of the target\'s responsible units'
    assert (
        problem("x", "yaml.duplicate_key", key="k", lang="zh").message_en
        == "key 'k' appears twice in one mapping"
    )


def test_the_scan_sees_a_message_written_in_the_code() -> None:
    tree = ast.parse('Problem("a", "r", f"坏{x}", message_en="bad")\nProblem("a", "r", zh, en)')
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert [any(map(_literal, _texts(c))) for c in calls] == [True, False]
