"""A template filled as a user fills it parses back to the values typed (xlsx, and each sheet as CSV)."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from collection_helpers import fill, full_spec, sheet_as_csv, valid_answers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carbonpeak.collection import TASK_STATUSES, TemplateSpec, build_template, parse_upload
from carbonpeak.collection import layout as L


def test_round_trip_xlsx(spec: TemplateSpec, template: bytes) -> None:
    parsed = parse_upload(fill(template, valid_answers(spec)), "填报.xlsx", spec)
    assert parsed.indicator_values() == {
        "renewable_capacity": 1100.0,
        "pv_capacity": 800.0,  # 80 万千瓦 = 800 MW
        "wind_capacity": 300.0,
        "gas_share": 6.5,
        "coal_use": 1234.5,
    }
    pv = next(i for i in parsed.indicators if i.code == "pv_capacity")
    assert (pv.reported_value, pv.reported_unit, pv.unit) == (80.0, "万千瓦", "MW")
    assert pv.location == "指标!5:数值"
    assert [(t.code, t.status, t.percent, t.evidence) for t in parsed.tasks] == [
        ("P1.T1", "in_progress", 40.0, "文件1号"),
        ("P1.T2", "in_progress", 40.0, "文件1号"),
        ("G1", "in_progress", 40.0, "文件1号"),
    ]
    built = {p.code: p for p in parsed.projects}
    assert built["C1.2.1"].status == "in_operation"
    assert built["C1.2.1"].capacity_in_operation == 150.0
    assert built["C1.2.1"].start_date == dt.date(2023, 3, 1)
    assert built["C1.2.1"].operation_date == dt.date(2024, 6, 30)
    assert built["C1.8.4"].capacity_in_operation is None
    assert parsed.sheets == ("指标", "任务进展", "重点项目")
    assert (parsed.unit_code, parsed.year, parsed.round_code) == ("energy_bureau", 2024, "2024-A")
    assert parsed.format == "xlsx"
    assert parsed.warnings == () and parsed.ready_to_submit


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
@pytest.mark.parametrize("sheet", L.DATA_SHEETS)
def test_round_trip_each_sheet_as_csv(spec: TemplateSpec, template: bytes, sheet: str, encoding: str) -> None:
    filled = fill(template, valid_answers(spec))
    from_xlsx = parse_upload(filled, "填报.xlsx", spec)
    from_csv = parse_upload(sheet_as_csv(filled, sheet, encoding), f"{sheet}.csv", spec)
    assert from_csv.sheets == (sheet,) and from_csv.format == "csv"
    part = {"指标": "indicators", "任务进展": "tasks", "重点项目": "projects"}[sheet]
    assert getattr(from_csv, part) == getattr(from_xlsx, part)


def test_csv_covers_only_its_sheet(spec: TemplateSpec, template: bytes) -> None:
    # a CSV of the task sheet is complete on its own: indicators and projects are neither read nor required
    parsed = parse_upload(sheet_as_csv(fill(template, valid_answers(spec)), "任务进展"), "t.csv", spec)
    assert parsed.indicators == () and parsed.projects == () and len(parsed.tasks) == 3


# -- property: any valid filling round-trips ------------------------------------------------------
SPEC = full_spec()
TEMPLATE = build_template(SPEC)
MW_UNITS = {"MW": 1.0, "万kW": 10.0, "kW": 0.001, "GW": 1000.0, "万千瓦": 10.0}
TEXT = st.text(alphabet=st.sampled_from("进展顺利已完成部分工程abcXYZ 0123，。、（）-"), max_size=40)
TEXT = TEXT.map(str.strip)
Answers = dict[str, dict[str, dict[str, object]]]
number = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def answers(draw: st.DrawFn) -> tuple[Answers, dict[str, float]]:
    pv_mw, wind_mw = draw(number), draw(number)
    pv_unit, wind_unit = draw(st.sampled_from(sorted(MW_UNITS))), draw(st.sampled_from(sorted(MW_UNITS)))
    share = draw(st.floats(min_value=0, max_value=100))
    expected = {
        "renewable_capacity": pv_mw + wind_mw,
        "pv_capacity": pv_mw,
        "wind_capacity": wind_mw,
        "gas_share": share,
    }
    indicators: dict[str, dict[str, object]] = {
        "renewable_capacity": {"value": pv_mw + wind_mw, "unit": "MW"},
        "pv_capacity": {"value": pv_mw / MW_UNITS[pv_unit], "unit": pv_unit},
        "wind_capacity": {"value": wind_mw / MW_UNITS[wind_unit], "unit": wind_unit},
        "gas_share": {"value": share, "comment": draw(TEXT) or None},
    }
    tasks = {}
    for task in SPEC.tasks:
        status = draw(st.sampled_from(sorted(TASK_STATUSES)))
        percent = {"not_started": 0.0, "completed": 100.0}.get(
            status, draw(st.floats(min_value=0, max_value=99.9))
        )
        tasks[task.code] = {
            "status": TASK_STATUSES[status],
            "percent": percent,
            "narrative": draw(TEXT) or None,
            "next_steps": draw(TEXT) or None,
            "evidence": draw(TEXT) or None,
        }
    start = draw(st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31)))
    operation = start + dt.timedelta(days=draw(st.integers(0, 2000)))
    projects = {
        "C1.2.1": {
            "status": "已投运",
            "capacity": draw(st.floats(min_value=0, max_value=200)),
            "start_date": dt.datetime.combine(start, dt.time()),
            "operation_date": dt.datetime.combine(operation, dt.time()),
        },
        "C1.8.4": {"status": draw(st.sampled_from(["计划中", "已审批", "已取消"]))},
    }
    return {L.INDICATORS: indicators, L.TASKS: tasks, L.PROJECTS: projects}, expected


# Excel keeps 15 significant digits and openpyxl writes 16: values round-trip to 1e-12, not bit for bit.
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers())
def test_any_valid_filling_round_trips(case: tuple[Answers, dict[str, float]]) -> None:
    filled, expected = case
    parsed = parse_upload(fill(TEMPLATE, filled), "x.xlsx", SPEC)
    got = parsed.indicator_values()
    assert got.keys() == expected.keys()
    for code, value in expected.items():
        assert math.isclose(got[code], value, rel_tol=1e-12, abs_tol=1e-12), code
    for task in parsed.tasks:
        typed = filled[L.TASKS][task.code]
        assert TASK_STATUSES[str(task.status)] == typed["status"]
        assert math.isclose(float(task.percent or 0), float(typed["percent"]), rel_tol=1e-12)  # type: ignore[arg-type]
        assert (task.narrative, task.next_steps, task.evidence) == (
            typed["narrative"],
            typed["next_steps"],
            typed["evidence"],
        )
    projects = {p.code: p for p in parsed.projects}
    typed = filled[L.PROJECTS]["C1.2.1"]
    assert math.isclose(projects["C1.2.1"].capacity_in_operation or 0, typed["capacity"], rel_tol=1e-12)  # type: ignore[arg-type]
    assert projects["C1.2.1"].operation_date == typed["operation_date"].date()  # type: ignore[attr-defined]
