"""Row checks: types, formulas, units, ranges, statuses, completeness, consistency, warnings."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
from collection_helpers import edit, fill, found, problems_of, rezip, valid_answers

from carbonpeak.collection import IndicatorSpec, TemplateSpec, build_template, parse_upload
from carbonpeak.errors import UploadError


def answers_with(spec: TemplateSpec, changes: dict[str, dict[str, dict[str, object]]]) -> Any:
    answers = valid_answers(spec)
    for sheet, rows in changes.items():
        for code, cells in rows.items():
            answers[sheet][code] = {**answers[sheet].get(code, {}), **cells}
    return answers


def test_every_problem_of_a_file_comes_back_at_once(spec: TemplateSpec, template: bytes) -> None:
    data = fill(
        template,
        answers_with(
            spec,
            {
                "指标": {
                    "pv_capacity": {"value": "约80"},
                    "wind_capacity": {"unit": "万吨"},
                    "gas_share": {"value": 120},
                },
                "任务进展": {"P1.T1": {"status": "快完成了"}, "P1.T2": {"percent": 150}},
                "重点项目": {"C1.2.1": {"start_date": "2024-07-01"}},
            },
        ),
    )
    with pytest.raises(UploadError) as err:
        parse_upload(data, "a.xlsx", spec)
    assert found(err.value.problems) == {
        ("cell.type", "指标!5:数值"),
        ("unit.incompatible", "指标!6:计量单位"),
        ("value.range", "指标!7:数值"),
        ("status.unknown", "任务进展!4:进展状态"),
        ("value.percent", "任务进展!5:完成进度(%)"),
        ("consistency.dates", "重点项目!4:投运日期"),
    }
    by_location = {p.location: p for p in err.value.problems}
    assert by_location["指标!5:数值"].value == "约80"
    assert by_location["指标!7:数值"].message_zh == "数值120%超出有效范围0–100"
    assert by_location["指标!7:数值"].message_en == "the value 120 % is outside the valid range 0–100"
    assert "未开始、进行中、已完成、滞后" in by_location["任务进展!4:进展状态"].message_zh
    assert "nothing was stored" in str(err.value) and "未保存任何数据" in err.value.message_zh


@pytest.mark.parametrize("typed", ["约80", "80万", "八十", True, "1.2.3"])
def test_text_in_a_number_cell(spec: TemplateSpec, template: bytes, typed: object) -> None:
    data = fill(template, answers_with(spec, {"指标": {"coal_use": {"value": typed}}}))
    assert found(problems_of(data, "a.xlsx", spec)) == {("cell.type", "指标!8:数值")}


@pytest.mark.parametrize("typed", ["1,234.5", " 1234.5 ", "１２３４.５", "1，234.5"])
def test_plain_numbers_written_as_text_are_read(spec: TemplateSpec, template: bytes, typed: str) -> None:
    data = fill(template, answers_with(spec, {"指标": {"coal_use": {"value": typed}}}))
    assert parse_upload(data, "a.xlsx", spec).indicator_values()["coal_use"] == 1234.5


def test_formula_cells_are_refused(spec: TemplateSpec, template: bytes) -> None:
    data = fill(
        template,
        answers_with(
            spec,
            {
                "指标": {"renewable_capacity": {"value": "=D5+D6"}},
                "任务进展": {"G1": {"narrative": '=CONCAT("已","完成")'}},
            },
        ),
    )
    problems = problems_of(data, "a.xlsx", spec)
    assert found(problems) == {("cell.formula", "指标!4:数值"), ("cell.formula", "任务进展!6:进展情况")}
    assert problems[0].value == "=D5+D6"


def test_unknown_unit(spec: TemplateSpec, template: bytes) -> None:
    data = fill(template, answers_with(spec, {"指标": {"pv_capacity": {"unit": "千兆瓦"}}}))
    assert found(problems_of(data, "a.xlsx", spec)) == {("unit.unknown", "指标!5:计量单位")}


def test_units_are_converted_before_the_range_check(spec: TemplateSpec, template: bytes) -> None:
    # -0.5 万千瓦 is -5 MW: below the range ≥ 0, and reported in the spec's unit
    data = fill(template, answers_with(spec, {"指标": {"wind_capacity": {"value": -0.5, "unit": "万千瓦"}}}))
    problems = problems_of(data, "a.xlsx", spec)
    assert found(problems) == {("value.range", "指标!6:数值")}
    assert problems[0].value == "-5" and "MW" in problems[0].message_en


def test_required_value_left_blank_and_optional_blank_allowed(spec: TemplateSpec, template: bytes) -> None:
    blanks = {"指标": {"gas_share": {"value": None}, "coal_use": {"value": None}}}
    data = fill(template, answers_with(spec, blanks))
    problems = problems_of(data, "a.xlsx", spec)
    assert found(problems) == {("required.missing", "指标!7:数值")}
    assert "天然气消费比重" in problems[0].message_zh


def test_task_status_and_percent_are_required(spec: TemplateSpec, template: bytes) -> None:
    data = fill(template, answers_with(spec, {"任务进展": {"P1.T2": {"status": None, "percent": None}}}))
    assert found(problems_of(data, "a.xlsx", spec)) == {
        ("required.missing", "任务进展!5:进展状态"),
        ("required.missing", "任务进展!5:完成进度(%)"),
    }


def test_parts_must_sum_to_their_total(spec: TemplateSpec, template: bytes) -> None:
    data = fill(template, answers_with(spec, {"指标": {"renewable_capacity": {"value": 1200}}}))
    problems = problems_of(data, "a.xlsx", spec)
    assert found(problems) == {("consistency.parts_sum", "指标!4:数值")}
    assert problems[0].message_en == (
        "the parts (pv_capacity、wind_capacity) sum to 1100 MW, not the total 1200 MW"
    )


def test_parts_within_tolerance_and_in_other_units_pass(spec: TemplateSpec, template: bytes) -> None:
    # 1.1 GW total; 80 万千瓦 + 300 MW = 1100 MW; 1104 MW is 0.36 % off, inside the 0.5 % tolerance
    for total, unit in ((1.1, "GW"), (1104, "MW")):
        typed = {"指标": {"renewable_capacity": {"value": total, "unit": unit}}}
        data = fill(template, answers_with(spec, typed))
        parse_upload(data, "a.xlsx", spec)
    data = fill(template, answers_with(spec, {"指标": {"renewable_capacity": {"value": 1106}}}))
    assert {p.rule for p in problems_of(data, "a.xlsx", spec)} == {"consistency.parts_sum"}


@pytest.mark.parametrize(
    ("status", "percent"), [("已完成", 80), ("未开始", 10), ("进行中", 100), ("滞后", 100)]
)
def test_status_must_fit_percent(spec: TemplateSpec, template: bytes, status: str, percent: float) -> None:
    data = fill(template, answers_with(spec, {"任务进展": {"G1": {"status": status, "percent": percent}}}))
    expected = {("consistency.status_percent", "任务进展!6:完成进度(%)")}
    assert found(problems_of(data, "a.xlsx", spec)) == expected


def test_status_in_english_code_and_percent_sign_are_accepted(spec: TemplateSpec, template: bytes) -> None:
    typed = {"任务进展": {"G1": {"status": "Completed", "percent": "100%"}}}
    data = fill(template, answers_with(spec, typed))
    task = parse_upload(data, "a.xlsx", spec).tasks[2]
    assert (task.code, task.status, task.percent) == ("G1", "completed", 100.0)


def test_project_rules(spec: TemplateSpec, template: bytes) -> None:
    data = fill(
        template,
        answers_with(
            spec,
            {
                "重点项目": {
                    "C1.2.1": {"operation_date": None, "capacity_unit": "万吨"},
                    "C1.8.4": {"status": "计划中", "capacity": 50, "start_date": "2024年13月1日"},
                }
            },
        ),
    )
    assert found(problems_of(data, "a.xlsx", spec)) == {
        ("consistency.operation_date", "重点项目!4:投运日期"),
        ("unit.incompatible", "重点项目!4:规模单位"),
        ("consistency.project_capacity", "重点项目!5:投运规模"),
        ("cell.date", "重点项目!5:开工日期"),
    }


@pytest.mark.parametrize("typed", ["2024-06-30", "2024/6/30", "2024年6月30日", "2024.06.30"])
def test_dates_as_text(spec: TemplateSpec, template: bytes, typed: str) -> None:
    data = fill(template, answers_with(spec, {"重点项目": {"C1.2.1": {"operation_date": typed}}}))
    assert parse_upload(data, "a.xlsx", spec).projects[0].operation_date.isoformat() == "2024-06-30"  # type: ignore[union-attr]


def test_year_on_year_jump_is_a_warning_that_needs_a_comment(spec: TemplateSpec, template: bytes) -> None:
    # against last year (total 1000, pv 700, wind 300 MW): total 1250 is +25 %, within the 30 % threshold;
    # pv 95 万千瓦 = 950 MW is +35.7 %; wind 300 → 450 MW is +50 %
    jump = {
        "指标": {
            "pv_capacity": {"value": 95},
            "wind_capacity": {"value": 450},
            "renewable_capacity": {"value": 1400},
        }
    }
    parsed = parse_upload(fill(template, answers_with(spec, jump)), "a.xlsx", spec)
    assert [(w.rule, w.location, w.severity) for w in parsed.warnings] == [
        ("yoy.jump", "指标!4:数值", "warning"),  # 1400 against 1000: +40 %
        ("yoy.jump", "指标!5:数值", "warning"),
        ("yoy.jump", "指标!6:数值", "warning"),
    ]
    assert "+50.0%" in parsed.warnings[2].message_en and "30%" in parsed.warnings[2].message_zh
    assert "+35.7%" in parsed.warnings[1].message_en
    assert not parsed.ready_to_submit and len(parsed.uncommented_warnings) == 3

    jump["指标"]["wind_capacity"]["comment"] = "新增风电场并网"
    parsed = parse_upload(fill(template, answers_with(spec, jump)), "a.xlsx", spec)
    assert [w.location for w in parsed.uncommented_warnings] == ["指标!4:数值", "指标!5:数值"]
    assert next(i for i in parsed.indicators if i.code == "wind_capacity").comment == "新增风电场并网"


def test_year_on_year_threshold_per_indicator_and_from_zero(spec: TemplateSpec) -> None:
    inds = tuple(
        dataclasses.replace(i, yoy_threshold=0.05) if i.code == "gas_share" else i for i in spec.indicators
    )
    inds += (IndicatorSpec("new_thing", "新指标", "New", "个", required=False, previous=0.0),)
    tight = dataclasses.replace(spec, indicators=inds)
    answers = answers_with(tight, {"指标": {"new_thing": {"value": 5}}})
    warnings = parse_upload(fill(build_template(tight), answers), "a.xlsx", tight).warnings
    assert [w.location for w in warnings] == ["指标!7:数值", "指标!9:数值"]  # gas share 6 → 6.5 is +8 %
    assert "+∞" in warnings[1].message_en  # from 0 last year: any value is a jump


def test_capacity_above_plan_is_a_warning(spec: TemplateSpec, template: bytes) -> None:
    typed = {"重点项目": {"C1.2.1": {"capacity": 25, "capacity_unit": "万kW"}}}
    data = fill(template, answers_with(spec, typed))
    parsed = parse_upload(data, "a.xlsx", spec)
    assert [(w.rule, w.location) for w in parsed.warnings] == [("project.above_plan", "重点项目!4:投运规模")]
    assert parsed.projects[0].capacity_in_operation == 250.0


def test_blank_rows_and_user_widened_rows_are_ignored(spec: TemplateSpec, template: bytes) -> None:
    def widen(wb: Any) -> None:
        wb["指标"].row_dimensions[5].height = 60

    data = edit(fill(template, valid_answers(spec)), widen)
    assert len(parse_upload(data, "a.xlsx", spec).indicators) == 5


def test_formula_is_refused_even_with_a_cached_value(spec: TemplateSpec, template: bytes) -> None:
    # as Excel saves it: the formula and its last computed value; the value is not taken on trust
    data = fill(template, answers_with(spec, {"指标": {"renewable_capacity": {"value": "=D5+D6"}}}))

    def cache(xml: bytes) -> bytes:
        # openpyxl writes an empty value as <v /> with its own writer and as <v></v> with lxml
        empty = re.search(rb"<f>D5\+D6</f>(<v ?/>|<v></v>)", xml)
        assert empty is not None
        return xml.replace(empty.group(0), b"<f>D5+D6</f><v>1100</v>")

    data = rezip(data, "xl/worksheets/sheet2.xml", cache)
    assert found(problems_of(data, "a.xlsx", spec)) == {("cell.formula", "指标!4:数值")}
