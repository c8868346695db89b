"""The template a unit downloads: sheets, labels, protection, drop-downs, hidden identity; and the spec."""

from __future__ import annotations

import io

import pytest
from collection_helpers import small_plan
from openpyxl import load_workbook

from carbonpeak.collection import (
    IndicatorSpec,
    Period,
    TemplateSpec,
    indicators_from_targets,
    spec_for_unit,
)
from carbonpeak.collection import layout as L
from carbonpeak.errors import InputError, NotFound


def test_sheets_in_order_with_identity_very_hidden_and_structure_locked(template: bytes) -> None:
    wb = load_workbook(io.BytesIO(template))
    assert wb.sheetnames == ["说明", "指标", "任务进展", "重点项目", "_meta"]
    assert wb["_meta"].sheet_state == "veryHidden"
    assert wb.security is not None and wb.security.lockStructure
    meta = {k: v for k, v in wb["_meta"].iter_rows(min_row=2, values_only=True)}
    assert meta["unit_code"] == "energy_bureau"
    assert meta["unit_name_zh"] == "市能源局"
    assert (meta["year"], meta["round_code"]) == (2024, "2024-A")
    assert meta["template_version"] == L.TEMPLATE_VERSION


def test_headers_in_chinese_with_english_below_and_units_shown(template: bytes) -> None:
    ws = load_workbook(io.BytesIO(template))["指标"]
    assert [c.value for c in ws[2]][:8] == [
        "指标代码",
        "指标名称",
        "计量单位",
        "数值",
        "上年值",
        "有效范围",
        "是否必填",
        "说明",
    ]
    assert ws["D3"].value == "Value"
    assert [ws.cell(r, 1).value for r in range(4, 9)] == [
        "renewable_capacity",
        "pv_capacity",
        "wind_capacity",
        "gas_share",
        "coal_use",
    ]
    assert [ws.cell(r, 3).value for r in range(4, 9)] == ["MW", "MW", "MW", "%", "万tce"]
    assert ws["F7"].value == "0–100"
    assert ws["G8"].value == "否"  # coal_use is optional
    assert ws["E4"].value == 1000  # previous year's value, for the year-on-year check


def test_header_and_template_cells_locked_input_cells_unlocked(template: bytes) -> None:
    wb = load_workbook(io.BytesIO(template))
    for sheet in L.DATA_SHEETS:
        ws = wb[sheet]
        assert ws.protection.sheet, sheet
        for n, col in enumerate(L.COLUMNS[sheet], start=1):
            assert ws.cell(L.HEADER_ROW, n).protection.locked, (sheet, col.key)
            assert ws.cell(L.FIRST_DATA_ROW, n).protection.locked is (not col.input), (sheet, col.key)


def test_drop_down_lists_for_status_and_units(template: bytes) -> None:
    wb = load_workbook(io.BytesIO(template))
    lists = {
        (s, str(dv.sqref)): dv.formula1
        for s in L.DATA_SHEETS
        for dv in wb[s].data_validations.dataValidation
        if dv.type == "list"
    }
    assert lists[("任务进展", "D4:D6")] == '"未开始,进行中,已完成,滞后"'
    assert lists[("重点项目", "D4:D5")] == '"计划中,已审批,在建,已投运,已取消"'
    pv_units = lists[("指标", "C5")].strip('"').split(",")
    assert pv_units[0] == "MW" and "万kW" in pv_units and "kW" in pv_units
    assert "t" not in pv_units  # only units of the same dimension
    assert lists[("重点项目", "F4")].strip('"').split(",")[0] == "MW"
    values = {str(dv.sqref): dv for dv in wb["指标"].data_validations.dataValidation if dv.type == "decimal"}
    gas = values["D7"]  # gas share: 0–100 %
    assert (gas.operator, float(gas.formula1), float(gas.formula2)) == ("between", 0.0, 100.0)
    assert "0–100" in (gas.error or "")


def test_spec_for_unit_takes_led_and_co_led_tasks_and_projects_of_its_targets() -> None:
    spec = spec_for_unit(small_plan(), "energy_bureau", 2024)
    assert [(t.code, t.role) for t in spec.tasks] == [("P1.T1", "lead"), ("P1.T2", "co"), ("G1", "lead")]
    assert [p.code for p in spec.projects] == ["C1.2.1", "C1.8.4"]
    # the storage project's capacity: its power rating (2 × 100 MW), not its energy (MWh)
    assert (spec.projects[1].capacity_unit, spec.projects[1].planned_capacity) == ("MW", 200.0)
    assert spec.period == Period(2024, "2024")
    assert [i.code for i in spec.indicators] == ["pv_capacity", "gas_share"]


def test_spec_for_unit_explicit_projects_and_previous_values() -> None:
    ind = [IndicatorSpec("ev_chargers", "充电桩", "EV chargers", "个")]
    spec = spec_for_unit(
        small_plan(),
        "transport_bureau",
        Period(2025, "R1"),
        indicators=ind,
        previous={"ev_chargers": 420.0},
        projects=["C1.2.1"],
    )
    assert [p.code for p in spec.projects] == ["C1.2.1"]
    assert spec.indicator("ev_chargers").previous == 420.0
    assert [t.code for t in spec.tasks] == ["P1.T2", "P1.T3"]


def test_indicators_from_targets_bounds_shares() -> None:
    by_code = {i.code: i for i in indicators_from_targets(small_plan(), "energy_bureau")}
    assert (by_code["gas_share"].minimum, by_code["gas_share"].maximum) == (0.0, 100.0)
    assert (by_code["pv_capacity"].unit, by_code["pv_capacity"].maximum) == ("万千瓦", None)


def test_unknown_unit_is_not_found() -> None:
    with pytest.raises(NotFound):
        spec_for_unit(small_plan(), "no_such_unit", 2024)


def test_invalid_spec_reports_every_fault() -> None:
    with pytest.raises(InputError) as err:
        TemplateSpec(
            "u",
            "单位",
            Period(2024, "A"),
            indicators=(
                IndicatorSpec("a", "甲", "A", "MW", minimum=5, maximum=1, parts=("b", "c")),
                IndicatorSpec("b", "乙", "B", "万吨"),
                IndicatorSpec("b", "乙", "B", "furlongs"),
            ),
        )
    rules = [(p.location, p.value) for p in err.value.problems]
    assert ("spec.indicators", "b") in rules  # duplicate
    assert ("spec.indicators[0]", "5>1") in rules  # range upside down
    assert ("spec.indicators[0]", "c") in rules  # part not an indicator
    assert ("spec.indicators[2]", "furlongs") in rules  # unknown unit
    assert len(rules) == 5  # and b's unit (万吨) does not convert to MW


def test_spec_survives_json(spec: TemplateSpec) -> None:
    import json

    again = TemplateSpec.from_dict(json.loads(json.dumps(spec.to_dict(), ensure_ascii=False)))
    assert again == spec
    assert again.indicator("renewable_capacity").parts == ("pv_capacity", "wind_capacity")
