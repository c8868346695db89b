"""The .xlsx template of a `TemplateSpec`: instructions, one sheet per kind of row, a hidden identity.

Sheets: 说明 (instructions), 指标 (indicators), 任务进展 (task progress), 重点项目 (key projects, only
when the spec has projects, likewise for the other two) and `_meta`, very hidden. Each data sheet
follows layout.py: identity in row 1, headers in Chinese (row 2) and English (row 3), data from row
4. Sheets are protected without a password (a guard against slips, not a security control): the
template's cells are locked and grey, input cells unlocked and white. Drop-down lists (data
validation) offer statuses and the units each row can convert from; numbers are validated as
decimals within the row's range. The workbook structure is locked so sheets cannot be renamed,
added or unhidden.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from carbonpeak import units
from carbonpeak.collection import layout as L
from carbonpeak.collection.rules import range_text
from carbonpeak.collection.spec import PROJECT_STATUSES, TASK_STATUSES, TemplateSpec, prefill_key
from carbonpeak.i18n import t

LOCKED_FILL = PatternFill("solid", fgColor="E7E6E6")
HEADER_FILL = PatternFill("solid", fgColor="BDD7EE")
HEADER_FONT = Font(bold=True)
EN_FONT = Font(italic=True, color="595959")
UNLOCKED = Protection(locked=False)


def unit_choices(unit: str) -> list[str]:
    """Units a value in `unit` may be reported in: `unit` first, then the table's units of its dimension."""
    dimension = units.lookup(unit).dimension
    same = [u.name for u in dict.fromkeys(units.unit_table().values()) if u.dimension == dimension]
    return [unit, *[u for u in same if u != unit and units.canonical(unit) != u]]


KIND_OF_SHEET = {L.INDICATORS: "indicator", L.TASKS: "task", L.PROJECTS: "project"}


def row_inputs(spec: TemplateSpec, sheet: str, code: str) -> dict[str, object]:
    """The input cells of row `code` of `sheet` as the template writes them: the unit columns'
    defaults, then the row's pre-filled values (spec.prefilled; statuses as their Chinese labels,
    dates as dates). The comment column is never pre-filled: a comment belongs to one upload."""
    out: dict[str, object] = {}
    if sheet == L.INDICATORS:
        out["unit"] = spec.indicator(code).unit
    elif sheet == L.PROJECTS:
        unit = next((p.capacity_unit for p in spec.projects if p.code == code), None)
        if unit:
            out["capacity_unit"] = unit
    values: Mapping[str, Any] = (spec.prefilled or {}).get(prefill_key(KIND_OF_SHEET[sheet], code)) or {}
    labels = TASK_STATUSES if sheet == L.TASKS else PROJECT_STATUSES
    for col in L.COLUMNS[sheet]:
        value = values.get(col.key)
        if not col.input or col.key == "comment" or value is None:
            continue
        if col.key == "status":
            value = labels.get(str(value), value)
        elif col.key in ("start_date", "operation_date") and isinstance(value, str):
            value = dt.date.fromisoformat(value[:10])
        out[col.key] = value
    return out


def _write_inputs(ws: Worksheet, spec: TemplateSpec, sheet: str, row: int, code: str) -> None:
    for key, value in row_inputs(spec, sheet, code).items():
        ws.cell(row, L.column_index(sheet, key) + 1, value)


def _list_validation(choices: list[str]) -> DataValidation:
    # Excel limits an inline list to 255 characters; unit lists of one dimension stay well below.
    formula = '"' + ",".join(choices)[:253] + '"'
    dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True)
    dv.error = t("collection.validation.list", "zh", allowed="、".join(choices))[:255]
    return dv


def _frame(ws: Worksheet, sheet: str, spec: TemplateSpec) -> None:
    """Row 1 identity, rows 2–3 headers, column widths, frozen panes."""
    identity = {
        "unit_code": spec.unit_code,
        "year": spec.period.year,
        "round_code": spec.period.round_code,
        "template_version": L.TEMPLATE_VERSION,
    }
    row: list[object] = [sheet]
    labels = L.identity_labels()
    for key in L.IDENTITY_KEYS:
        row.extend([labels[key], identity[key]])
    ws.append(row)
    ws.cell(1, 1).font = HEADER_FONT
    columns = L.COLUMNS[sheet]
    for n, col in enumerate(columns, start=1):
        zh = ws.cell(L.HEADER_ROW, n, col.zh)
        en = ws.cell(L.HEADER_EN_ROW, n, col.en)
        zh.font, zh.fill, en.font, en.fill = HEADER_FONT, HEADER_FILL, EN_FONT, HEADER_FILL
        zh.alignment = en.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[L.column_letter(n - 1)].width = col.width
    ws.freeze_panes = ws.cell(L.FIRST_DATA_ROW, 3)


def _protect_row(ws: Worksheet, sheet: str, row: int) -> None:
    for n, col in enumerate(L.COLUMNS[sheet], start=1):
        cell = ws.cell(row, n)
        if col.input:
            cell.protection = UNLOCKED
        else:
            cell.fill = LOCKED_FILL
        if col.key in ("name", "title", "narrative", "next_steps", "comment"):
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _indicator_sheet(ws: Worksheet, spec: TemplateSpec) -> None:
    sheet = L.INDICATORS
    _frame(ws, sheet, spec)
    unit_col = L.column_letter(L.column_index(sheet, "unit"))
    value_col = L.column_letter(L.column_index(sheet, "value"))
    for row, ind in enumerate(spec.indicators, start=L.FIRST_DATA_ROW):
        values = {
            "code": ind.code,
            "name": f"{ind.name_zh}\n{ind.name_en}",
            "unit": None,  # the input cells: _write_inputs
            "value": None,
            "previous": ind.previous,
            "range": range_text(ind.minimum, ind.maximum),
            "required": t("collection.required.yes" if ind.required else "collection.required.no", "zh"),
            "comment": None,
        }
        for n, col in enumerate(L.COLUMNS[sheet], start=1):
            ws.cell(row, n, values[col.key])
        _write_inputs(ws, spec, sheet, row, ind.code)
        _protect_row(ws, sheet, row)
        units_dv = _list_validation(unit_choices(ind.unit))
        ws.add_data_validation(units_dv)
        units_dv.add(f"{unit_col}{row}")
        number = DataValidation(type="decimal", allow_blank=True, showErrorMessage=True)
        if ind.minimum is not None and ind.maximum is not None:
            number.operator, number.formula1, number.formula2 = "between", str(ind.minimum), str(ind.maximum)
        elif ind.minimum is not None:
            number.operator, number.formula1 = "greaterThanOrEqual", str(ind.minimum)
        elif ind.maximum is not None:
            number.operator, number.formula1 = "lessThanOrEqual", str(ind.maximum)
        else:
            number.operator, number.formula1, number.formula2 = "between", "-1E+300", "1E+300"
        shown = range_text(ind.minimum, ind.maximum) or "—"
        number.error = t("collection.validation.number", "zh", range=shown)
        ws.add_data_validation(number)
        number.add(f"{value_col}{row}")


def _task_sheet(ws: Worksheet, spec: TemplateSpec) -> None:
    sheet = L.TASKS
    _frame(ws, sheet, spec)
    last = L.FIRST_DATA_ROW + len(spec.tasks) - 1
    for row, task in enumerate(spec.tasks, start=L.FIRST_DATA_ROW):
        ws.cell(row, 1, task.code)
        ws.cell(row, 2, f"{task.title_zh}\n{task.title_en}")
        ws.cell(row, 3, t(f"collection.role.{task.role}", "zh"))
        _write_inputs(ws, spec, sheet, row, task.code)
        _protect_row(ws, sheet, row)
    status = _list_validation(list(TASK_STATUSES.values()))
    ws.add_data_validation(status)
    col = L.column_letter(L.column_index(sheet, "status"))
    status.add(f"{col}{L.FIRST_DATA_ROW}:{col}{last}")
    percent = DataValidation(
        type="decimal",
        operator="between",
        formula1="0",
        formula2="100",
        allow_blank=True,
        showErrorMessage=True,
    )
    percent.error = t("collection.validation.number", "zh", range="0–100")
    ws.add_data_validation(percent)
    col = L.column_letter(L.column_index(sheet, "percent"))
    percent.add(f"{col}{L.FIRST_DATA_ROW}:{col}{last}")


def _project_sheet(ws: Worksheet, spec: TemplateSpec) -> None:
    sheet = L.PROJECTS
    _frame(ws, sheet, spec)
    last = L.FIRST_DATA_ROW + len(spec.projects) - 1
    unit_col = L.column_letter(L.column_index(sheet, "capacity_unit"))
    for row, prj in enumerate(spec.projects, start=L.FIRST_DATA_ROW):
        planned = "" if prj.planned_capacity is None else f"{prj.planned_capacity:g} {prj.capacity_unit}"
        ws.cell(row, 1, prj.code)
        ws.cell(row, 2, prj.name_zh)
        ws.cell(row, 3, planned)
        _write_inputs(ws, spec, sheet, row, prj.code)
        _protect_row(ws, sheet, row)
        for key in ("start_date", "operation_date"):
            ws.cell(row, L.column_index(sheet, key) + 1).number_format = "yyyy-mm-dd"
        if prj.capacity_unit:
            dv = _list_validation(unit_choices(prj.capacity_unit))
            ws.add_data_validation(dv)
            dv.add(f"{unit_col}{row}")
    status = _list_validation(list(PROJECT_STATUSES.values()))
    ws.add_data_validation(status)
    col = L.column_letter(L.column_index(sheet, "status"))
    status.add(f"{col}{L.FIRST_DATA_ROW}:{col}{last}")


def _instructions(ws: Worksheet, spec: TemplateSpec) -> None:
    ws.column_dimensions["A"].width = 110
    title = dict(unit=spec.unit_name_zh, year=spec.period.year, round=spec.period.round_code)
    ws.append([t("collection.instructions.title", "zh", **title)])
    ws.append([t("collection.instructions.title", "en", **{**title, "unit": spec.unit_code})])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    ident = [
        ("unit_name_zh", spec.unit_name_zh),
        ("unit_code", spec.unit_code),
        ("year", spec.period.year),
        ("round_code", spec.period.round_code),
    ]
    if spec.due:
        ident.append(("due", spec.due))
    for key, value in ident:
        label = f"collection.identity.{key}"
        ws.append([f"{t(label, 'zh')} / {t(label, 'en')}: {value}"])
    ws.append([])
    threshold = f"{spec.yoy_threshold:.0%}"
    for n in range(1, 9 if spec.prefilled is not None else 8):
        for lang in ("zh", "en"):
            text = t(f"collection.instructions.{n}", lang, threshold=threshold)
            cell = ws.cell(ws.max_row + 1, 1, f"{n}. {text}")
            cell.alignment = Alignment(wrap_text=True)
            if lang == "en":
                cell.font = EN_FONT
    ws.protection.sheet = True


def _meta(ws: Worksheet, spec: TemplateSpec) -> None:
    values = {
        "template": L.TEMPLATE_MARK,
        "unit_code": spec.unit_code,
        "unit_name_zh": spec.unit_name_zh,
        "year": spec.period.year,
        "round_code": spec.period.round_code,
        "template_version": L.TEMPLATE_VERSION,
        "plan_code": spec.plan_code or "",
    }
    ws.append(["key", "value"])
    for key in L.META_KEYS:
        ws.append([key, values[key]])
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True


def build_template(spec: TemplateSpec) -> bytes:
    """The .xlsx template of `spec` as bytes (deterministic apart from the workbook's timestamps)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = L.INSTRUCTIONS
    _instructions(ws, spec)
    builders = (
        (L.INDICATORS, spec.indicators, _indicator_sheet),
        (L.TASKS, spec.tasks, _task_sheet),
        (L.PROJECTS, spec.projects, _project_sheet),
    )
    for sheet, rows, builder in builders:
        if rows:
            data = wb.create_sheet(sheet)
            builder(data, spec)
            data.protection.sheet = True
            data.protection.formatRows = False  # users may resize rows to read long text
            data.protection.formatColumns = False
    _meta(wb.create_sheet(L.META), spec)
    wb.security = WorkbookProtection(lockStructure=True)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def expected_sheets(spec: TemplateSpec) -> tuple[str, ...]:
    """The data sheets a template of `spec` has (a kind of row with no rows has no sheet)."""
    present = {L.INDICATORS: spec.indicators, L.TASKS: spec.tasks, L.PROJECTS: spec.projects}
    return tuple(s for s in L.DATA_SHEETS if present[s])
