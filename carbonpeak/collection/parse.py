"""`parse_upload`: an uploaded template (.xlsx or .csv) checked against its spec, all problems at once.

Stages (docs/methods/collection.md has every rule):

1. bytes — empty, too large, wrong extension; then for .xlsx the zip directory (zip bomb, not a
   zip, not a workbook) and DTDs, all before openpyxl opens anything; for .csv the encoding.
2. identity and structure — template identity (unit, year, round, version), sheets, headers,
   shifted columns, merged cells, values outside the template's columns. A file of another unit or
   period stops here: comparing its rows with this spec would only add noise. A sheet whose
   headers are broken is not read further; the other sheets are.
3. rows — types, formulas, units (converted to the spec's), ranges, statuses, completeness,
   consistency (parts sum to totals, status vs percent, project dates), and warnings (year-on-year
   jumps, capacity above plan).

Any error raises `UploadError` with every problem found; warnings come back in `ParsedUpload`.
Pure: bytes in, values out; nothing is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

from carbonpeak import units
from carbonpeak.collection import layout as L
from carbonpeak.collection.reading import Grid, Workbook, read_csv, read_xlsx
from carbonpeak.collection.results import IndicatorValue, ParsedUpload, ProjectReport, TaskProgress
from carbonpeak.collection.rules import (
    CellFault,
    is_blank,
    looks_like_formula,
    problem,
    range_text,
    read_date,
    read_number,
    read_status,
    text_of,
)
from carbonpeak.collection.spec import PROJECT_STATUSES, TASK_STATUSES, TemplateSpec, known_unit
from carbonpeak.collection.templates import expected_sheets, row_inputs
from carbonpeak.collection.xlsx_safety import (
    DEFAULT_LIMITS,
    UploadLimits,
    bytes_problems,
    container_problems,
    file_kind,
    part_problems,
)
from carbonpeak.errors import Problem, UploadError
from carbonpeak.i18n import t

IDENTITY_RULES = ("structure.metadata_missing", "structure.metadata_mismatch", "structure.csv_sheet")


def _fail(filename: str, problems: list[Problem]) -> UploadError:
    n = sum(p.severity == "error" for p in problems)
    return UploadError(
        f"{filename}: {n} problem(s); nothing was stored",
        problems,
        message_zh=f"{filename}：发现{n}个问题，未保存任何数据",
    )


@dataclass
class Row:
    """One data row of a sheet: raw values by column key, and where each cell is."""

    grid: Grid
    number: int
    raw: dict[str, object]

    def at(self, key: str) -> str:
        for col in L.COLUMNS[self.grid.sheet]:
            if col.key == key:
                return L.location(self.grid.sheet, self.number, col.zh)
        raise KeyError(key)


class Checker:
    """Collects problems while reading rows; `read` turns a cell into a value or records its fault."""

    def __init__(self) -> None:
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def add(self, p: Problem) -> None:
        (self.warnings if p.severity == "warning" else self.errors).append(p)

    def read(self, row: Row, key: str, reader: Callable[[object], object]) -> tuple[object, bool]:
        """(value, ok): ok is False when the cell broke a rule (already recorded)."""
        raw = row.raw.get(key)
        col = L.column_index(row.grid.sheet, key)
        if (row.number, col) in row.grid.formulas:
            self.add(problem("cell.formula", row.at(key), raw))
            return None, False
        try:
            value = reader(raw)
        except CellFault as fault:
            extra = {}
            if fault.rule == "status.unknown":
                extra["allowed"] = "、".join(_status_labels(row.grid.sheet))
            self.add(problem(fault.rule, row.at(key), text_of(raw), **extra))
            return None, False
        if reader is text_of and isinstance(value, str) and looks_like_formula(value):
            self.add(problem("cell.formula_text", row.at(key), value))
        return value, True


def _status_labels(sheet: str) -> list[str]:
    return list((TASK_STATUSES if sheet == L.TASKS else PROJECT_STATUSES).values())


# -- stage 2: identity and structure -------------------------------------------------------------
def identity_problems(book: Workbook, spec: TemplateSpec, filename: str = "") -> list[Problem]:
    if book.identity is None:
        return [problem("structure.metadata_missing", book.identity_location or filename)]
    expected = {
        "unit_code": spec.unit_code,
        "year": str(spec.period.year),
        "round_code": spec.period.round_code,
    }
    out = []
    for key, want in expected.items():
        got = book.identity.get(key, "")
        if got != want:
            out.append(
                problem(
                    "structure.metadata_mismatch",
                    book.identity_at(key),
                    got,
                    expected=want,
                    field_zh=t(f"collection.identity.{key}", "zh"),
                    field_en=t(f"collection.identity.{key}", "en"),
                )
            )
    version = book.identity.get("template_version", "")
    if not out and version != L.TEMPLATE_VERSION:
        out.append(
            problem(
                "structure.template_version",
                book.identity_at("template_version"),
                version,
                expected=L.TEMPLATE_VERSION,
            )
        )
    return out


def structure_problems(grid: Grid) -> tuple[list[Problem], int]:
    """Header, shift, merge and out-of-columns problems of a sheet; and its first data row."""
    columns = L.COLUMNS[grid.sheet]
    out: list[Problem] = []
    found = [L.normalise_label(grid.cell(L.HEADER_ROW, c)) for c in range(len(columns))]
    header = grid.rows[L.HEADER_ROW - 1] if len(grid.rows) >= L.HEADER_ROW else []
    row2 = [L.normalise_label(v) for v in header]
    for c, col in enumerate(columns):
        want = L.normalise_label(col.zh)
        if found[c] == want:
            continue
        where = L.location(grid.sheet, L.HEADER_ROW, col.zh)
        if want in row2:
            out.append(
                problem(
                    "structure.columns_shifted",
                    where,
                    text_of(grid.cell(L.HEADER_ROW, c)),
                    expected=col.zh,
                    found_at=L.column_letter(row2.index(want)),
                )
            )
        else:
            out.append(
                problem("structure.header", where, text_of(grid.cell(L.HEADER_ROW, c)) or "", expected=col.zh)
            )
    for rng, first_row in grid.merged:
        if first_row >= L.HEADER_ROW:
            out.append(problem("structure.merged_cells", f"{grid.sheet}!{rng}", rng, range=rng))
    for r in range(L.HEADER_ROW, len(grid.rows) + 1):
        for c in range(len(columns), len(grid.rows[r - 1])):
            value = grid.rows[r - 1][c]
            if not is_blank(value):
                out.append(
                    problem(
                        "structure.data_outside_columns",
                        L.location(grid.sheet, r, L.column_letter(c)),
                        text_of(value),
                    )
                )
    en = [L.normalise_label(col.en) for col in columns]
    has_en = [L.normalise_label(grid.cell(L.HEADER_EN_ROW, c)) for c in range(len(columns))] == en
    return out, L.HEADER_EN_ROW + 1 if has_en else L.HEADER_EN_ROW


def _same(value: object) -> object:
    """A cell as compared with the template's: blank → None, numbers as floats, dates as dates,
    text stripped (a number or ISO date typed as text, as in a CSV, as the number or date)."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return float(text)
        except ValueError:
            pass
        try:
            return dt.date.fromisoformat(text[:10]) if len(text) in (10, 19) else text
        except ValueError:
            return text
    return value


def untouched(row: Row, spec: TemplateSpec, code: str) -> bool:
    """Whether every input cell of `row` is as the pre-filled template wrote it."""
    written = row_inputs(spec, row.grid.sheet, code)
    return all(
        _same(row.raw.get(col.key)) == _same(written.get(col.key))
        for col in L.COLUMNS[row.grid.sheet]
        if col.input
    )


def data_rows(
    grid: Grid, first: int, check: Checker, known: list[str], spec: TemplateSpec | None = None
) -> list[Row]:
    """Non-blank rows from `first` with a code of the spec; records missing/unknown/duplicate codes.
    With a pre-filled `spec` (spec.prefilled not None), rows left as the template wrote them are
    left out: they are not reported again and keep their approved values."""
    columns = L.COLUMNS[grid.sheet]
    partial = spec is not None and spec.prefilled is not None
    seen: dict[str, int] = {}
    rows = []
    for r in range(first, len(grid.rows) + 1):
        raw = {col.key: grid.cell(r, c) for c, col in enumerate(columns)}
        row = Row(grid, r, raw)
        if all(is_blank(raw[col.key]) for col in columns if col.input or col.key == "code"):
            continue
        code = text_of(raw["code"])
        if code is None:
            check.add(problem("structure.row_code_missing", row.at("code")))
        elif code not in known:
            check.add(problem("structure.row_unknown", row.at("code"), code))
        elif code in seen:
            check.add(problem("structure.row_duplicate", row.at("code"), code, first_row=seen[code]))
        else:
            seen[code] = r
            if partial and spec is not None and untouched(row, spec, code):
                continue
            rows.append(row)
    return rows


class _Item(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def required(self) -> bool: ...


ItemT = TypeVar("ItemT", bound=_Item)


def spec_rows(
    grid: Grid,
    first: int,
    spec: TemplateSpec,
    check: Checker,
    items: Sequence[ItemT],
    name: Callable[[ItemT], str],
) -> list[tuple[Row, ItemT]]:
    """The rows of a sheet of the spec's `items` (indicators, tasks or projects; data_rows), each
    with its item, and, unless the template is pre-filled, `required.missing` for each required item
    without a row."""
    rows = data_rows(grid, first, check, [i.code for i in items], spec)
    if spec.prefilled is None:
        present = {text_of(r.raw["code"]) for r in rows}
        for item in items:
            if item.required and item.code not in present:
                check.add(
                    problem("required.missing", f"{grid.sheet}!{item.code}", item.code, row_name=name(item))
                )
    by_code = {i.code: i for i in items}
    return [(r, by_code[str(text_of(r.raw["code"]))]) for r in rows]


# -- stage 3: rows --------------------------------------------------------------------------------
def _unit(check: Checker, row: Row, key: str, spec_unit: str | None) -> tuple[str | None, bool]:
    """The row's unit (blank → the spec's) and whether it converts to the spec's unit."""
    chosen, ok = check.read(row, key, text_of)
    if not ok:
        return None, False
    unit = chosen if isinstance(chosen, str) else spec_unit
    if unit is None:
        return None, True
    if not known_unit(unit):
        check.add(problem("unit.unknown", row.at(key), unit))
        return None, False
    if spec_unit is not None and not units.convertible(unit, spec_unit):
        check.add(problem("unit.incompatible", row.at(key), unit, expected=spec_unit))
        return None, False
    return unit, True


def _header(sheet: str, key: str) -> str:
    return L.COLUMNS[sheet][L.column_index(sheet, key)].zh


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def indicator_rows(grid: Grid, first: int, spec: TemplateSpec, check: Checker) -> list[IndicatorValue]:
    out: dict[str, IndicatorValue] = {}
    for row, ind in spec_rows(grid, first, spec, check, spec.indicators, lambda i: i.name_zh):
        value, value_ok = check.read(row, "value", read_number)
        unit, unit_ok = _unit(check, row, "unit", ind.unit)
        comment, _ = check.read(row, "comment", text_of)
        if value is None:
            if value_ok and ind.required:
                check.add(problem("required.missing", row.at("value"), row_name=ind.name_zh))
            continue
        if not unit_ok or unit is None:
            continue
        assert isinstance(value, float)
        converted = units.convert(value, unit, ind.unit)
        if (ind.minimum is not None and converted < ind.minimum) or (
            ind.maximum is not None and converted > ind.maximum
        ):
            check.add(
                problem(
                    "value.range",
                    row.at("value"),
                    _fmt(converted),
                    unit=ind.unit,
                    range=range_text(ind.minimum, ind.maximum),
                )
            )
            continue
        out[ind.code] = IndicatorValue(
            ind.code,
            converted,
            ind.unit,
            value,
            unit,
            comment if isinstance(comment, str) else None,
            row.at("value"),
        )
        threshold = spec.yoy_threshold if ind.yoy_threshold is None else ind.yoy_threshold
        if ind.previous is not None:
            prev = ind.previous
            change = abs(converted - prev) / abs(prev) if prev else (0.0 if converted == 0 else float("inf"))
            if change > threshold:
                check.add(
                    problem(
                        "yoy.jump",
                        row.at("value"),
                        _fmt(converted),
                        previous=_fmt(prev),
                        change=f"{(converted - prev) / abs(prev):+.1%}" if prev else "+∞",
                        threshold=f"{threshold:.0%}",
                    )
                )
    for total in spec.totals():
        if total.code not in out or any(p not in out for p in total.parts):
            continue
        parts = sum(units.convert(out[p].value, out[p].unit, total.unit) for p in total.parts)
        value = out[total.code].value
        if abs(parts - value) > spec.sum_tolerance * max(abs(value), abs(parts)) + 1e-12:
            check.add(
                problem(
                    "consistency.parts_sum",
                    out[total.code].location,
                    _fmt(value),
                    total=_fmt(value),
                    sum=_fmt(parts),
                    parts="、".join(total.parts),
                    unit=total.unit,
                )
            )
    return list(out.values())


def task_rows(grid: Grid, first: int, spec: TemplateSpec, check: Checker) -> list[TaskProgress]:
    out = []
    for row, task in spec_rows(grid, first, spec, check, spec.tasks, lambda t: t.title_zh):
        status, status_ok = check.read(row, "status", lambda v: read_status(v, TASK_STATUSES))
        percent, percent_ok = check.read(row, "percent", lambda v: read_number(v, percent=True))
        texts = [check.read(row, k, text_of)[0] for k in ("narrative", "next_steps", "evidence", "comment")]
        narrative, next_steps, evidence, comment = (v if isinstance(v, str) else None for v in texts)
        if task.required:
            for key, value, ok in (("status", status, status_ok), ("percent", percent, percent_ok)):
                if value is None and ok:
                    check.add(
                        problem(
                            "required.missing", row.at(key), row_name=f"{task.code} {_header(L.TASKS, key)}"
                        )
                    )
        if isinstance(percent, float) and not 0 <= percent <= 100:
            check.add(problem("value.percent", row.at("percent"), _fmt(percent)))
            continue
        if isinstance(status, str) and isinstance(percent, float):
            wrong = (status == "completed") != (percent == 100) or (status == "not_started" and percent != 0)
            if wrong:
                check.add(
                    problem(
                        "consistency.status_percent",
                        row.at("percent"),
                        _fmt(percent),
                        status=TASK_STATUSES[status],
                    )
                )
        out.append(
            TaskProgress(
                task.code,
                status if isinstance(status, str) else None,
                percent if isinstance(percent, float) else None,
                narrative,
                next_steps,
                evidence,
                comment,
                row.at("code"),
            )
        )
    return out


def project_rows(grid: Grid, first: int, spec: TemplateSpec, check: Checker) -> list[ProjectReport]:
    out = []
    for row, prj in spec_rows(grid, first, spec, check, spec.projects, lambda p: p.name_zh):
        status, status_ok = check.read(row, "status", lambda v: read_status(v, PROJECT_STATUSES))
        capacity, capacity_ok = check.read(row, "capacity", read_number)
        unit, unit_ok = _unit(check, row, "capacity_unit", prj.capacity_unit)
        start_raw, _ = check.read(row, "start_date", read_date)
        operation_raw, operation_ok = check.read(row, "operation_date", read_date)
        start = start_raw if isinstance(start_raw, dt.date) else None
        operation = operation_raw if isinstance(operation_raw, dt.date) else None
        comment, _ = check.read(row, "comment", text_of)
        if status is None and status_ok and prj.required:
            check.add(problem("required.missing", row.at("status"), row_name=f"{prj.code} {prj.name_zh}"))
        converted = None
        if isinstance(capacity, float):
            if capacity < 0:
                check.add(
                    problem(
                        "value.range",
                        row.at("capacity"),
                        _fmt(capacity),
                        unit=unit or "",
                        range=range_text(0.0, None),
                    )
                )
            elif unit is None and unit_ok:
                check.add(
                    problem(
                        "required.missing",
                        row.at("capacity_unit"),
                        row_name=_header(L.PROJECTS, "capacity_unit"),
                    )
                )
            elif unit is not None:
                converted = units.convert(capacity, unit, prj.capacity_unit or unit)
        if status in ("planned", "approved") and capacity_ok and capacity:
            check.add(
                problem(
                    "consistency.project_capacity",
                    row.at("capacity"),
                    text_of(capacity),
                    status=PROJECT_STATUSES[str(status)],
                )
            )
        if status == "in_operation" and operation is None and operation_ok:
            check.add(problem("consistency.operation_date", row.at("operation_date")))
        if start is not None and operation is not None and operation < start:
            check.add(problem("consistency.dates", row.at("operation_date"), operation, start=start))
        if (
            converted is not None
            and prj.planned_capacity is not None
            and (converted > prj.planned_capacity * (1 + spec.sum_tolerance))
        ):
            check.add(
                problem(
                    "project.above_plan",
                    row.at("capacity"),
                    _fmt(converted),
                    planned=_fmt(prj.planned_capacity),
                    unit=prj.capacity_unit or "",
                )
            )
        out.append(
            ProjectReport(
                prj.code,
                status if isinstance(status, str) else None,
                converted,
                (prj.capacity_unit or unit) if converted is not None else None,
                capacity if isinstance(capacity, float) else None,
                unit if isinstance(capacity, float) else None,
                start,
                operation,
                comment if isinstance(comment, str) else None,
                row.at("code"),
            )
        )
    return out


# -- the entry point -------------------------------------------------------------------------------
def _commented(warning: Problem, comments: dict[str, str | None]) -> bool:
    sheet_row = warning.location.rsplit(":", 1)[0]
    return bool(comments.get(sheet_row))


def parse_upload(
    data: bytes,
    filename: str,
    spec: TemplateSpec,
    *,
    max_bytes: int | None = None,
    limits: UploadLimits = DEFAULT_LIMITS,
) -> ParsedUpload:
    """The typed rows of an uploaded template, or UploadError with every problem (see module doc).

    `max_bytes` overrides `limits.max_bytes`. Formula cells are refused, never evaluated nor read
    from their cached values: a submitted number must be the number the unit typed.
    """
    if max_bytes is not None:
        limits = replace(limits, max_bytes=max_bytes)
    problems = bytes_problems(data, filename, limits)
    if problems:
        raise _fail(filename, problems)
    kind = file_kind(filename)
    if kind == "xlsx":
        problems = container_problems(data, filename, limits) or part_problems(data, filename, limits)
        if problems:
            raise _fail(filename, problems)
        book = read_xlsx(data, filename)
    else:
        book = read_csv(data, filename, limits)
    if isinstance(book, list):
        raise _fail(filename, book)

    wanted = expected_sheets(spec)
    check = Checker()
    for p in identity_problems(book, spec, filename):
        check.add(p)
    sheets = wanted if book.format == "xlsx" else tuple(book.grids)
    for sheet in sheets:
        if sheet not in book.grids:
            check.add(
                problem(
                    "structure.sheet_missing",
                    sheet if book.format == "xlsx" else filename,
                    sheet,
                    sheet=sheet,
                )
            )
        elif sheet not in wanted:
            check.add(problem("structure.csv_sheet", L.location(sheet, 1, "A"), sheet))
    if any(p.rule in IDENTITY_RULES for p in check.errors):
        raise _fail(filename, check.errors)

    covered: list[str] = []
    indicators: list[IndicatorValue] = []
    tasks: list[TaskProgress] = []
    projects: list[ProjectReport] = []
    for sheet in sheets:
        grid = book.grids.get(sheet)
        if grid is None or sheet not in wanted:
            continue
        faults, first = structure_problems(grid)
        for p in faults:
            check.add(p)
        if any(p.rule in ("structure.header", "structure.columns_shifted") for p in faults):
            continue  # the sheet's columns cannot be trusted: its rows are not read
        covered.append(sheet)
        if sheet == L.INDICATORS:
            indicators = indicator_rows(grid, first, spec, check)
        elif sheet == L.TASKS:
            tasks = task_rows(grid, first, spec, check)
        else:
            projects = project_rows(grid, first, spec, check)
    if check.errors:
        raise _fail(filename, check.errors)

    items: list[IndicatorValue | TaskProgress | ProjectReport] = [*indicators, *tasks, *projects]
    comments = {item.location.rsplit(":", 1)[0]: item.comment for item in items}
    assert book.identity is not None
    return ParsedUpload(
        unit_code=spec.unit_code,
        year=spec.period.year,
        round_code=spec.period.round_code,
        template_version=book.identity.get("template_version", ""),
        format=book.format,
        filename=filename,
        sha256=hashlib.sha256(data).hexdigest(),
        sheets=tuple(covered),
        indicators=tuple(indicators),
        tasks=tuple(tasks),
        projects=tuple(projects),
        warnings=tuple(check.warnings),
        uncommented_warnings=tuple(w for w in check.warnings if not _commented(w, comments)),
    )
