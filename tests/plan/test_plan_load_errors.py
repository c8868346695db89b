"""Bad plan files: every problem at once, each with its path in the file and its rule."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from carbonpeak.errors import PlanError
from carbonpeak.plan.load import load_plan, parse_plan
from carbonpeak.validation import path_of

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "plans"
GOOD = yaml.safe_load((FIXTURES / "yunze-2024.yaml").read_text(encoding="utf-8"))


def problems_of(data: Any) -> list[tuple[str, str]]:
    with pytest.raises(PlanError) as err:
        parse_plan(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return [(p.location, p.rule) for p in err.value.problems]


def broken(**edits: Any) -> dict[str, Any]:
    data = copy.deepcopy(GOOD)
    for path, value in edits.items():
        node: Any = data
        *head, last = [int(k) if k.isdigit() else k for k in path.split("__")]
        for key in head:
            node = node[key]
        if value is _DELETE:
            del node[last]
        else:
            node[last] = value
    return data


_DELETE = object()


def test_the_good_fixture_loads() -> None:
    assert parse_plan(yaml.safe_dump(GOOD, allow_unicode=True)).code == "yunze-2024"


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        (
            {"programmes__0__tasks__1__lead_units__0": "市发改委"},
            ("programmes[0].tasks[1].lead_units[0]", "reference.unit"),
        ),
        (
            {"targets__3__responsible_units__1": "nobody"},
            ("targets[3].responsible_units[1]", "reference.unit"),
        ),
        ({"organisation__0__co_units": ["nobody"]}, ("organisation[0].co_units[0]", "reference.unit")),
        (
            {"key_projects__0__serves_targets": ["pv_capacity_2035"]},
            ("key_projects[0].serves_targets[0]", "reference.target"),
        ),
        ({"targets__3__task": "P9.T9"}, ("targets[3].task", "reference.task")),
        ({"targets__3__task": "P2.T1"}, ("targets[3].task", "reference.task")),  # a task of another programme
        ({"targets__3__programme": "P7"}, ("targets[3].programme", "reference.programme")),
        ({"columns__0__programme": "P7"}, ("columns[0].programme", "reference.programme")),
        ({"key_projects__0__column": 9}, ("key_projects[0].column", "reference.column")),
        ({"targets__1__code": "non_fossil_share_2025"}, ("targets[1].code", "code.duplicate")),
        ({"programmes__1__tasks__0__code": "P1.T1"}, ("programmes[1].tasks[0].code", "code.duplicate")),
        ({"guarantees__0__code": "P1.T2"}, ("guarantees[0].code", "code.duplicate")),
        ({"units__1__code": "energy_bureau"}, ("units[1].code", "code.duplicate")),
        ({"key_projects__1__code": "C1.1.1"}, ("key_projects[1].code", "code.duplicate")),
        ({"units__1__aliases": ["市能源局"]}, ("units[1]", "unit.duplicate_name")),
        (
            {"programmes__0__tasks__0__co_units": ["energy_bureau"]},
            ("programmes[0].tasks[0]", "measure.duplicate_unit"),
        ),
        ({"targets__2__target_year": 2020}, ("targets[2].target_year", "target.year_order")),
        ({"targets__2__target_year": 2019}, ("targets[2].target_year", "target.year_order")),
        ({"targets__1__target_value": 18}, ("targets[1].target_value", "target.pending_with_value")),
        ({"targets__0__target_value": None}, ("targets[0].target_value", "target.value_missing")),
        ({"targets__0__base_value": 5.0}, ("targets[0].base_value", "target.base_value_without_year")),
        ({"targets__0__metric": "ratio"}, ("targets[0].metric", "schema.literal_error")),
        ({"targets__0__target_year": "soon"}, ("targets[0].target_year", "schema.int_parsing")),
        ({"targets__0__colour": "red"}, ("targets[0].colour", "schema.extra_forbidden")),
        ({"units__0__name_zh": _DELETE}, ("units[0].name_zh", "schema.missing")),
        ({"units__0__code": "Energy Bureau"}, ("units[0].code", "schema.string_pattern_mismatch")),
        (
            {"key_projects__0__capacities__0__quantity": "heat"},
            ("key_projects[0].capacities[0].quantity", "schema.literal_error"),
        ),
    ],
)
def test_each_rule(edits: dict[str, Any], expected: tuple[str, str]) -> None:
    assert expected in problems_of(broken(**edits))


def test_unknown_unit_message_names_the_unit_hints_the_code_and_gives_the_line() -> None:
    data = broken(programmes__0__tasks__1__lead_units__0="市能源局")
    text = yaml.safe_dump(data, allow_unicode=True)
    with pytest.raises(PlanError) as err:
        parse_plan(text)
    (p,) = err.value.problems
    assert str(p).startswith(
        'programmes[0].tasks[1].lead_units[0]: unknown unit "市能源局" '
        '(the unit named "市能源局" has code "energy_bureau") (line '
    )
    line = int(p.message_en.rsplit("(line ", 1)[1].rstrip(")"))
    assert text.splitlines()[line - 1].strip() == "- 市能源局"
    assert p.message_zh.startswith("未知单位“市能源局”")


def test_all_problems_at_once_schema_and_references_together() -> None:
    data = broken(
        programmes__0__tasks__1__lead_units__0="市发改委",
        targets__1__target_value=18,
        targets__2__target_year=2020,
        targets__0__metric="ratio",
        key_projects__1__code="C1.1.1",
        key_projects__0__serves_targets=["nothing"],
    )
    found = problems_of(data)
    assert len(found) == 6
    assert {rule for _, rule in found} == {
        "reference.unit",
        "target.pending_with_value",
        "target.year_order",
        "schema.literal_error",
        "code.duplicate",
        "reference.target",
    }


def test_yaml_syntax_error_names_the_line() -> None:
    with pytest.raises(PlanError) as err:
        parse_plan("code: x\nunits: [\n  - a\n")
    ((location, rule),) = [(p.location, p.rule) for p in err.value.problems]
    assert rule == "yaml.syntax" and location.startswith("line 3")


def test_duplicate_yaml_key_is_reported_with_its_line() -> None:
    text = (
        (FIXTURES / "yunze-2024.yaml")
        .read_text(encoding="utf-8")
        .replace("city_en: Yunze\n", "city_en: Yunze\ncity_en: Cloudmere\n")
    )
    with pytest.raises(PlanError) as err:
        parse_plan(text)
    assert [(p.location, p.rule) for p in err.value.problems] == [
        ("line 5, column 1", "yaml.duplicate_key")
    ]  # city_en is line 4


def test_top_level_must_be_a_mapping() -> None:
    with pytest.raises(PlanError) as err:
        parse_plan("- a\n- b\n")
    assert [p.rule for p in err.value.problems] == ["plan.mapping"]


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(PlanError) as err:
        load_plan(tmp_path / "absent.yaml")
    assert err.value.problems[0].rule == "file.readable"


def test_path_of() -> None:
    assert path_of(("programmes", 2, "tasks", 4, "lead_units", 0)) == "programmes[2].tasks[4].lead_units[0]"
    assert path_of(()) == "(top)"
