"""Helpers of the collection tests: a small plan, a spec with every kind of row, and a filler that
writes a template the way a user does (openpyxl on the downloaded bytes)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from openpyxl import load_workbook

from carbonpeak.collection import IndicatorSpec, Period, TemplateSpec, parse_upload, spec_for_unit
from carbonpeak.collection import layout as L
from carbonpeak.errors import Problem, UploadError
from carbonpeak.plan.schema import (
    Capacity,
    KeyProject,
    Measure,
    Plan,
    Programme,
    ResponsibleUnit,
    Source,
    Target,
)

SRC = Source(section="test", quote="test")


def small_plan() -> Plan:
    def unit(code: str, zh: str) -> ResponsibleUnit:
        return ResponsibleUnit(code=code, name_zh=zh, name_en=code, kind="department")

    def task(code: str, n: int, lead: list[str], co: list[str]) -> Measure:
        return Measure(
            code=code,
            number=n,
            title_zh=f"任务{n}",
            title_en=f"Task {n}",
            text_zh="……",
            lead_units=lead,
            co_units=co,
            source=SRC,
        )

    return Plan(
        code="test-city",
        city_zh="测试市",
        city_en="Test City",
        title_zh="测试方案",
        title_en="Test plan",
        source_note="test",
        units=[unit("energy_bureau", "市能源局"), unit("transport_bureau", "市交通局")],
        targets=[
            Target(
                code="pv_2030",
                indicator="pv_capacity",
                name_zh="光伏发电装机规模",
                name_en="PV capacity",
                metric="level",
                unit="万千瓦",
                target_year=2030,
                target_value=500,
                direction="at_least",
                responsible_units=["energy_bureau"],
                source=SRC,
            ),
            Target(
                code="gas_share_2030",
                indicator="gas_share",
                name_zh="天然气消费比重",
                name_en="Gas share",
                metric="share",
                unit="%",
                target_year=2030,
                target_value=10,
                direction="at_least",
                responsible_units=["energy_bureau"],
                source=SRC,
            ),
            Target(
                code="ev_2025",
                indicator="ev_chargers",
                name_zh="充电桩",
                name_en="EV chargers",
                metric="count",
                unit="个",
                target_year=2025,
                target_value=1000,
                direction="at_least",
                responsible_units=["transport_bureau"],
                source=SRC,
            ),
        ],
        programmes=[
            Programme(
                code="P1",
                number=1,
                name_zh="能源",
                name_en="Energy",
                text_zh="……",
                source=SRC,
                tasks=[
                    task("P1.T1", 1, ["energy_bureau"], []),
                    task("P1.T2", 2, ["transport_bureau"], ["energy_bureau"]),
                    task("P1.T3", 3, ["transport_bureau"], []),
                ],
            )
        ],
        guarantees=[task("G1", 1, ["energy_bureau"], [])],
        organisation=[],
        key_projects=[
            KeyProject(
                code="C1.2.1",
                column=1,
                group="光伏",
                category="pv",
                name_zh="某光伏电站",
                kind="new_build",
                serves_targets=["pv_2030"],
                source=SRC,
                capacities=[Capacity(quantity="power", value=200, unit="MW", text="200MW")],
            ),
            KeyProject(
                code="C1.8.4",
                column=1,
                group="储能",
                category="storage",
                name_zh="某储能电站",
                kind="new_build",
                serves_targets=["pv_2030"],
                source=SRC,
                capacities=[
                    Capacity(quantity="energy", value=400, unit="MWh", text="400MWh"),
                    Capacity(quantity="power", value=100, unit="MW", text="100MW", count=2),
                ],
            ),
            KeyProject(
                code="C3.1.1",
                column=3,
                group="交通",
                category="transport",
                name_zh="某充电网络",
                kind="programme",
                serves_targets=["ev_2025"],
                source=SRC,
            ),
        ],
    )


def full_spec() -> TemplateSpec:
    """The energy bureau's spec: totals with parts, a range, previous values, tasks and projects."""
    indicators = [
        IndicatorSpec(
            "renewable_capacity",
            "可再生能源装机",
            "Renewable capacity",
            "MW",
            minimum=0,
            previous=1000,
            parts=("pv_capacity", "wind_capacity"),
        ),
        IndicatorSpec("pv_capacity", "光伏发电装机", "PV capacity", "MW", minimum=0, previous=700),
        IndicatorSpec("wind_capacity", "风电装机", "Wind capacity", "MW", minimum=0, previous=300),
        IndicatorSpec("gas_share", "天然气消费比重", "Gas share", "%", minimum=0, maximum=100, previous=6.0),
        IndicatorSpec("coal_use", "煤炭消费量", "Coal use", "万tce", required=False, minimum=0),
    ]
    return spec_for_unit(small_plan(), "energy_bureau", Period(2024, "2024-A"), indicators=indicators)


def valid_answers(spec: TemplateSpec) -> dict[str, dict[str, dict[str, object]]]:
    """A complete, valid filling of `spec`: sheet → code → column key → value."""
    return {
        L.INDICATORS: {
            "renewable_capacity": {"value": 1100, "unit": "MW"},
            "pv_capacity": {"value": 80, "unit": "万千瓦"},  # 800 MW
            "wind_capacity": {"value": 300},
            "gas_share": {"value": 6.5},
            "coal_use": {"value": 1234.5, "unit": "万tce"},
        },
        L.TASKS: {
            t.code: {
                "status": "进行中",
                "percent": 40,
                "narrative": "推进中",
                "next_steps": "继续",
                "evidence": "文件1号",
            }
            for t in spec.tasks
        },
        L.PROJECTS: {
            "C1.2.1": {
                "status": "已投运",
                "capacity": 150,
                "capacity_unit": "MW",
                "start_date": dt.date(2023, 3, 1),
                "operation_date": dt.date(2024, 6, 30),
            },
            "C1.8.4": {"status": "在建", "capacity": None, "start_date": dt.date(2024, 1, 15)},
            "C3.1.1": {"status": "计划中"},
        },
    }


def fill(template: bytes, answers: Mapping[str, Mapping[str, Mapping[str, object]]]) -> bytes:
    """Type `answers` into the template the way a user does: into the rows whose code matches."""
    wb = load_workbook(io.BytesIO(template))
    for sheet, rows in answers.items():
        ws = wb[sheet]
        keys = [c.key for c in L.COLUMNS[sheet]]
        for r in range(L.FIRST_DATA_ROW, ws.max_row + 1):
            code = ws.cell(r, 1).value
            for key, value in rows.get(str(code), {}).items():
                ws.cell(r, keys.index(key) + 1).value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _csv_text(v: object) -> object:
    if v is None:
        return ""
    return v.date().isoformat() if isinstance(v, dt.datetime) else v


def sheet_as_csv(xlsx: bytes, sheet: str, encoding: str = "utf-8-sig") -> bytes:
    """The sheet saved as CSV, as Excel does ("CSV UTF-8" writes a BOM; "CSV" on Chinese Windows is GBK)."""
    ws = load_workbook(io.BytesIO(xlsx))[sheet]
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    for row in ws.iter_rows(values_only=True):
        writer.writerow([_csv_text(v) for v in row])
    return text.getvalue().encode(encoding)


def edit(xlsx: bytes, change: Callable[[Any], None]) -> bytes:
    """The workbook after `change(workbook)`: what a user does to the template outside its rules."""
    wb = load_workbook(io.BytesIO(xlsx))
    change(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rezip(xlsx: bytes, member: str, change: Callable[[bytes], bytes]) -> bytes:
    """The archive with one member's bytes replaced by `change(old)`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(info.filename, change(body) if info.filename == member else body)
    return out.getvalue()


def problems_of(data: bytes, filename: str, spec: TemplateSpec, **kwargs: Any) -> list[Problem]:
    """Every problem `parse_upload` reports (it must reject the file)."""
    with pytest.raises(UploadError) as err:
        parse_upload(data, filename, spec, **kwargs)
    assert err.value.problems, "an UploadError without problems"
    for p in err.value.problems:
        assert p.message_zh and p.message_en and p.rule, p
    return err.value.problems


def found(problems: list[Problem]) -> set[tuple[str, str]]:
    """(rule, location) of each problem."""
    return {(p.rule, p.location) for p in problems}
