"""The one validation toolkit (carbonpeak/validation.py) the loaders share."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from carbonpeak.errors import InputError
from carbonpeak.validation import (
    FirstSeen,
    column_letter,
    finite_number,
    path_of,
    read_text,
    read_yaml,
    schema_problems,
    validated,
)


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    value: float


class Doc(BaseModel):
    items: list[Item]


def test_schema_problems_are_located_in_the_file_with_a_rule_and_zh_text_per_type():
    with pytest.raises(ValidationError) as exc:
        Doc.model_validate({"items": [{"code": "a", "value": 1}, {"value": "x", "colour": 1}]})
    found = {
        (p.location, p.rule, p.message_zh) for p in schema_problems(exc.value, "scheme", location="s.yaml")
    }
    assert found == {
        ("s.yaml:items[1].code", "scheme.missing", "缺少必填字段"),
        ("s.yaml:items[1].value", "scheme.float_parsing", "应为数字"),
        ("s.yaml:items[1].colour", "scheme.extra_forbidden", "不允许的字段"),
    }


def test_a_form_names_its_fields_and_a_prefix_nests_them():
    with pytest.raises(ValidationError) as exc:
        Item.model_validate({"code": "a", "value": "abc"})
    assert [p.location for p in schema_problems(exc.value, "projection", form_prefix="p_")] == ["p_value"]
    assert [
        p.location for p in schema_problems(exc.value, "bundle", location="b.yaml", prefix=("rows", 3))
    ] == ["b.yaml:rows[3].value"]


def test_validated_raises_one_input_error_naming_the_file_and_the_kind():
    with pytest.raises(InputError) as err:
        validated(Doc, {"items": "no"}, "scheme", location="s.yaml")
    assert err.value.message == "s.yaml: invalid evaluation scheme"
    assert err.value.message_zh == "s.yaml：评价方案不符合要求"
    assert [p.rule for p in err.value.problems] == ["scheme.list_type"]
    assert validated(Item, {"code": "a", "value": 2}, "scheme").value == 2.0


def test_reading_names_the_file_and_the_line(tmp_path: Path):
    with pytest.raises(InputError) as err:
        read_text(tmp_path / "absent.yaml", "config")
    problem = err.value.problems[0]
    assert (problem.location, problem.rule) == ("absent.yaml", "config.read")
    assert "absent.yaml" in err.value.message and "无法读取文件" in problem.message_zh
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: 1\nb: [2\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_yaml(bad, "scheme")
    problem = err.value.problems[0]
    assert problem.rule == "scheme.yaml" and problem.location.startswith("bad.yaml:line 3")
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    assert read_yaml(empty, "scheme") == {}


def test_path_of():
    assert path_of(("programmes", 2, "tasks", 4, "lead_units", 0)) == "programmes[2].tasks[4].lead_units[0]"
    assert path_of(()) == "(top)"


def test_a_cell_number_is_finite_or_none():
    assert finite_number("1.5e3") == 1500.0
    assert finite_number(" -2 ") == -2.0
    assert [finite_number(t) for t in ("", "x", "nan", "inf", "-inf", "1,5")] == [None] * 6


def test_column_letters_as_a_spreadsheet_names_them():
    assert [column_letter(n) for n in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "A",
        "B",
        "Z",
        "AA",
        "AB",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


def test_the_second_row_of_a_key_is_a_problem_naming_the_first_and_a_third_names_the_first_too():
    seen: FirstSeen[tuple[str, int]] = FirstSeen("metering.duplicate")
    assert seen.again(("a", 1), "f.csv:2:value") is None
    assert seen.again(("b", 1), "f.csv:3:value") is None
    twice = seen.again(("a", 1), "f.csv:4:value", "M1")
    assert twice is not None
    assert (twice.location, twice.rule, twice.value) == ("f.csv:4:value", "metering.duplicate", "M1")
    assert "f.csv:2:value" in twice.message_zh and "f.csv:2:value" in twice.message_en
    third = seen.again(("a", 1), "f.csv:5:value")
    assert third is not None and "f.csv:2:value" in third.message_en
