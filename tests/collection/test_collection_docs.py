"""The rules, their messages, the docs and the tests stay in step; the public names are pinned."""

from __future__ import annotations

import re
from pathlib import Path

import carbonpeak.collection as collection
from carbonpeak.collection import RULES, rules_table
from carbonpeak.i18n import catalogue

ROOT = Path(__file__).resolve().parents[2]


def test_every_rule_has_zh_and_en_messages() -> None:
    labels = catalogue()
    for code in RULES:
        assert {"zh", "en"} <= labels[f"collection.rule.{code}"].keys(), code


def test_methods_doc_holds_the_rules_table() -> None:
    doc = (ROOT / "docs" / "methods" / "collection.md").read_text(encoding="utf-8")
    assert rules_table() in doc


def test_every_rule_is_exercised_by_a_test() -> None:
    text = "".join(
        p.read_text(encoding="utf-8")
        for p in Path(__file__).parent.glob("test_*.py")
        if p.name != Path(__file__).name
    )
    untested = [code for code in RULES if not re.search(rf'["(]\s*"?{re.escape(code)}"', text)]
    assert not untested, f"rules no test asserts: {untested}"


def test_public_names() -> None:
    assert sorted(collection.__all__) == sorted(
        [
            "DATA_SHEETS",
            "DEFAULT_LIMITS",
            "PROJECT_STATUSES",
            "RULES",
            "TASK_STATUSES",
            "TEMPLATE_VERSION",
            "IndicatorSpec",
            "IndicatorValue",
            "ParsedUpload",
            "Period",
            "ProjectReport",
            "ProjectSpec",
            "TaskProgress",
            "TaskSpec",
            "TemplateSpec",
            "UploadLimits",
            "build_template",
            "indicators_from_targets",
            "parse_upload",
            "rules_table",
            "spec_for_unit",
        ]
    )
