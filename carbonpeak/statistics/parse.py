"""One uploaded file of a data kind → typed rows grouped by year, every problem located and reported
at once (zh and en); nothing is returned half-checked.

Accepted files (docs/methods/dataset.md, "Statistics as data"):
- CSV or XLSX (first sheet) in the long layout of the kind:
  balance: region, year, sector, fuel, quantity, unit[, flag, method, source]
  series:  indicator, region, year, value, unit[, flag, method, source]
  monthly: indicator, region, year, month, value, unit[, flag, method, source] (month 1–12; the row's
           field is `m01` … `m12`)
- XLSX of the energy balance in the template layout (balance_template): sheet `能源平衡表`, row 1
  `sector` then fuel codes, row 2 `unit` then each fuel's unit, then one row per sector code;
  year and region from the command (`--year`, the city's region).

Checks: required columns; year an integer in 1900–2100 (and equal to `--year` when given); value a
finite number; unit known and convertible to the series' unit (balance: to the fuel's unit, by
accounting.balance.read_balance, which also checks sector and fuel codes); flag one of FLAGS; a row
given twice; a balance whose supply rows do not match consumption and losses beyond the kind's
tolerance.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from carbonpeak import units
from carbonpeak.accounting import factors
from carbonpeak.errors import InputError, Problem
from carbonpeak.statistics.kinds import LONG_COLUMNS, DataKind
from carbonpeak.statistics.rows import StatRow, balance_row, line_row
from carbonpeak.validation import column_letter, problem

FLAGS = ("published", "estimated", "sample")
BALANCE_SHEET = "能源平衡表"
OPTIONAL = ("flag", "method", "source")
MAX_ROWS = 200_000
SUPPLY, LOSS = "supply", "loss"


@dataclass(frozen=True)
class ParsedRecords:
    kind: str
    filename: str
    sha256: str
    by_year: dict[int, tuple[StatRow, ...]]


def _fail(filename: str, problems: list[Problem]) -> InputError:
    return InputError(
        f"{filename}: {len(problems)} problem(s); nothing was stored",
        problems,
        message_zh=f"{filename}：发现{len(problems)}个问题，未保存任何数据",
    )


def _records(
    kind: DataKind, filename: str, data: bytes, rows: Sequence[StatRow], problems: list[Problem]
) -> ParsedRecords:
    """The file's rows grouped by year; InputError listing every problem (`data.empty` when the file
    holds no row) instead, so nothing of a file with a fault is stored."""
    if not rows and not problems:
        problems.append(problem(filename, "data.empty"))
    if problems:
        raise _fail(filename, problems)
    by_year: dict[int, list[StatRow]] = {}
    for r in rows:
        by_year.setdefault(r.year, []).append(r)
    return ParsedRecords(
        kind=kind.code,
        filename=filename,
        sha256=hashlib.sha256(data).hexdigest(),
        by_year={y: tuple(rs) for y, rs in sorted(by_year.items())},
    )


# -- reading bytes into rows of text ----------------------------------------------------------------


def _table(data: bytes, filename: str, max_bytes: int) -> tuple[str, list[list[object]]]:
    """(sheet name, rows of cell values) of a CSV or the first sheet of an XLSX."""
    from carbonpeak.collection import xlsx_safety as safety

    limits = safety.UploadLimits(max_bytes=max_bytes)
    problems = safety.bytes_problems(data, filename, limits)
    if problems:
        raise _fail(filename, problems)
    if safety.file_kind(filename) == "csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _fail(
                filename,
                [problem(filename, "data.encoding", exc.start)],
            ) from None
        return filename, [list(r) for r in csv.reader(io.StringIO(text))]
    problems = safety.container_problems(data, filename, limits) or safety.part_problems(
        data, filename, limits
    )
    if problems:
        raise _fail(filename, problems)
    return _xlsx_table(data, filename)


MAX_COLUMNS = 200  # the template has ~40 fuel columns; nothing beyond is read


def _xlsx_table(data: bytes, filename: str) -> tuple[str, list[list[object]]]:
    """The sheet `能源平衡表` if there is one, else the first sheet, streamed (read-only mode) and cut
    at MAX_ROWS + 2 rows and MAX_COLUMNS columns, so a sheet whose dimension claims a million rows
    costs no more than its real cells; a formula cell is refused (its value is not what was typed)."""
    import warnings

    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many types on a damaged file
        raise _fail(
            filename,
            [problem(filename, "file.unreadable", __name__=type(exc).__name__)],
        ) from None
    try:
        if not wb.sheetnames:
            raise _fail(filename, [problem(filename, "data.sheet")])
        name = BALANCE_SHEET if BALANCE_SHEET in wb.sheetnames else wb.sheetnames[0]
        ws = wb[name]
        rows: list[list[object]] = []
        formulas: list[Problem] = []
        for r, row in enumerate(ws.iter_rows(max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS), start=1):
            values: list[object] = []
            for c, cell in enumerate(row):
                if getattr(cell, "data_type", None) == "f":
                    formulas.append(problem(_loc(name, r, c, filename), "data.formula"))
                values.append(getattr(cell, "value", None))
            while values and values[-1] is None:
                values.pop()
            rows.append(values)
        if formulas:
            raise _fail(filename, formulas)
        while rows and not rows[-1]:
            rows.pop()
        return name, rows
    finally:
        wb.close()


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _loc(sheet: str, row: int, col: int, filename: str) -> str:
    if sheet == filename:  # CSV: file:line:column
        return f"{filename}:{row}:{col + 1}"
    return f"{sheet}!{column_letter(col)}{row}"


def _long_rows(
    grid: Sequence[Sequence[object]], sheet: str, filename: str, layout: str
) -> Iterable[tuple[int, dict[str, str], dict[str, str]]]:
    """(line, values by column, location by column) of a long-layout table; InputError on headers."""
    if not grid:
        raise _fail(filename, [problem(filename, "data.empty")])
    header = [_text(c) for c in grid[0]]
    missing = [c for c in LONG_COLUMNS[layout] if c not in header]
    if missing:
        raise _fail(
            filename,
            [
                problem(
                    _loc(sheet, 1, len(header), filename),
                    "data.column",
                    c=c,
                    long_columns_list=", ".join(LONG_COLUMNS[layout]),
                )
                for c in missing
            ],
        )
    if len(grid) - 1 > MAX_ROWS:
        raise _fail(
            filename,
            [problem(filename, "data.rows", len(grid) - 1, max_rows=MAX_ROWS)],
        )
    cols = {name: j for j, name in enumerate(header) if name}
    for i, raw in enumerate(grid[1:], start=2):
        values = {name: _text(raw[j]) if j < len(raw) else "" for name, j in cols.items()}
        if not any(values.values()):
            continue
        yield i, values, {name: _loc(sheet, i, j, filename) for name, j in cols.items()}


def _wide_balance(
    grid: Sequence[Sequence[object]], filename: str, year: int | None, region: str
) -> Iterable[tuple[int, dict[str, str], dict[str, str]]]:
    """The template layout as long rows (one per non-blank cell)."""
    sheet = BALANCE_SHEET
    if year is None:
        raise _fail(
            filename,
            [problem("--year", "data.year_required")],
        )
    if len(grid) < 2 or _text(grid[0][0] if grid[0] else None) != "sector":
        raise _fail(
            filename,
            [problem(f"{sheet}!A1", "data.template")],
        )
    fuels = [_text(c) for c in grid[0]]
    unit_row = [_text(c) for c in grid[1]]
    for i, raw in enumerate(grid[2:], start=3):
        sector = _text(raw[0] if raw else None)
        for j in range(1, len(fuels)):
            cell = _text(raw[j]) if j < len(raw) else ""
            if not cell or not fuels[j]:
                continue
            where = _loc(sheet, i, j, filename)
            yield (
                i,
                {
                    "region": region,
                    "year": str(year),
                    "sector": sector,
                    "fuel": fuels[j],
                    "quantity": cell,
                    "unit": unit_row[j] if j < len(unit_row) else "",
                },
                {
                    "region": where,
                    "year": "--year",
                    "sector": _loc(sheet, i, 0, filename),
                    "fuel": _loc(sheet, 1, j, filename),
                    "quantity": where,
                    "unit": _loc(sheet, 2, j, filename),
                },
            )


# -- checking ---------------------------------------------------------------------------------------


def parse_records(
    kind: DataKind,
    filename: str,
    data: bytes,
    *,
    year: int | None = None,
    region: str,
    target_indicators: Mapping[str, str] | None = None,
    default_flag: str = "published",
    default_source: str = "",
    max_bytes: int = 20_000_000,
    context: Any = None,
) -> ParsedRecords:
    """Check a file of `kind` and return its rows by year; InputError listing every problem.

    `region`: the city's region code (the template layout's region). `target_indicators`: indicator
    code → unit of the series the plan's targets read (kinds with `any_target_indicator`).
    `context`: what an enterprise report is checked against (enterprise.validate.Context)."""
    if default_flag not in FLAGS:
        raise _fail(
            filename,
            [problem("--flag", "data.flag", default_flag, flags_list=", ".join(FLAGS))],
        )
    sheet, grid = _table(data, filename, max_bytes)
    layout = kind.layout
    if layout in ("register", "enterprise"):
        return _enterprise_records(
            kind, filename, data, sheet, grid, year, region, default_flag, default_source, context
        )
    if layout == "meters":
        return _meter_records(kind, filename, data, grid, sheet, year, default_flag, default_source)
    if layout == "unit_month":
        return _month_records(kind, filename, data, grid, sheet, default_flag, default_source)
    if layout == "balance" and sheet == BALANCE_SHEET:
        source_rows = list(_wide_balance(grid, filename, year, region))
    else:
        source_rows = list(_long_rows(grid, sheet, filename, layout))
    allowed = dict(kind.indicators)
    if kind.any_target_indicator:
        allowed.update(target_indicators or {})
    problems: list[Problem] = []
    rows: list[StatRow] = []
    cells: list[Mapping[str, str]] = []  # the location of every column of each row
    seen: dict[tuple[str, str, str, int], str] = {}
    value_col = "quantity" if layout == "balance" else "value"
    for _line, v, where in source_rows:
        ok = True
        key = v["sector"] if layout == "balance" else v["indicator"]
        field = v["fuel"] if layout == "balance" else "value"
        if layout == "monthly":
            field = month_field(v["month"])
            if not field:
                problems.append(problem(where["month"], "data.month", v["month"], v=v["month"]))
                ok = False
        try:
            yr = int(float(v["year"]))
            if yr != float(v["year"]) or not 1900 <= yr <= 2100:
                raise ValueError
        except ValueError:
            problems.append(problem(where["year"], "data.year", v["year"], year=v["year"]))
            ok, yr = False, 0
        if ok and year is not None and yr != year:
            problems.append(problem(where["year"], "data.year_match", yr, year=yr, year2=year))
            ok = False
        try:
            value = float(v[value_col])
            if not math.isfinite(value):
                raise ValueError
        except ValueError:
            problems.append(
                problem(
                    where[value_col],
                    "data.value",
                    v[value_col],
                    text_key="problem.data.value.finite",
                    shown=v[value_col],
                )
            )
            ok, value = False, 0.0
        flag = v.get("flag") or default_flag
        if flag not in FLAGS:
            problems.append(
                problem(where.get("flag", filename), "data.flag", flag, flags_list=", ".join(FLAGS))
            )
            ok = False
        if not v["region"]:
            problems.append(problem(where["region"], "data.region"))
            ok = False
        unit = v["unit"]
        if layout in ("series", "monthly"):
            if key not in allowed:
                problems.append(
                    problem(
                        where["indicator"],
                        "data.indicator",
                        key,
                        key=key,
                        name_zh=kind.name_zh,
                        allowed_list=", ".join(sorted(allowed)),
                        code=kind.code,
                    )
                )
                ok = False
            elif not _converts(unit, allowed[key]):
                problems.append(
                    problem(
                        where["unit"],
                        "data.unit",
                        unit,
                        text_key="problem.data.unit.convertible",
                        unit=unit,
                        unit2=allowed[key],
                    )
                )
                ok = False
        if ok:
            ident = (key, field, v["region"], yr)
            if ident in seen:
                problems.append(problem(where[value_col], "data.duplicate", seen=seen[ident]))
                continue
            seen[ident] = where[value_col]
            rows.append(
                line_row(v, default_source, where[value_col], key, field, v["region"], yr, value, unit, flag)
            )
            cells.append(where)
    if layout == "balance" and rows:
        problems += _balance_problems(rows, cells, kind.tolerance)
    return _records(kind, filename, data, rows, problems)


def _enterprise_records(
    kind: DataKind,
    filename: str,
    data: bytes,
    sheet: str,
    grid: Sequence[Sequence[object]],
    year: int | None,
    region: str,
    default_flag: str,
    default_source: str,
    context: Any,
) -> ParsedRecords:
    """The register and enterprise reports: rows checked by carbonpeak/enterprise/validate.py."""
    from carbonpeak.enterprise import validate

    if kind.layout == "enterprise" and kind.monthly:
        header = [_text(c) for c in grid[0]] if grid else []
        if grid and "month" not in header:
            raise _fail(
                filename,
                [
                    problem(
                        _loc(sheet, 1, len(header), filename),
                        "data.column",
                        text_key="problem.data.column.month",
                    )
                ],
            )
    source_rows = list(_long_rows(grid, sheet, filename, kind.layout))
    if kind.layout == "register":
        rows, problems = validate.check_register(
            source_rows, region, default_flag=default_flag, default_source=default_source
        )
    else:
        ctx = context if context is not None else validate.Context(tolerance=kind.tolerance)
        rows, problems = validate.check_reports(
            source_rows,
            region,
            monthly=kind.monthly,
            context=ctx,
            default_flag=default_flag,
            default_source=default_source,
        )
    if year is not None:
        problems += [
            problem(r.location, "data.year_match", r.year, year=r.year, year2=year)
            for r in rows
            if r.year != year
        ]
    return _records(kind, filename, data, rows, problems)


def month_field(text: str) -> str:
    """`m01` … `m12` for a month written 1–12 (or 1.0); "" for anything else."""
    try:
        number = float(text)
    except ValueError:
        return ""
    if not number.is_integer() or not 1 <= number <= 12:
        return ""
    return f"m{int(number):02d}"


def _converts(unit: str, target: str) -> bool:
    """`unit` is known and (when `target` is given) converts to it."""
    try:
        if not target:
            return bool(units.lookup(unit).name)
        return units.convertible(units.lookup(unit).name, units.lookup(target).name)
    except (KeyError, ValueError, InputError):
        return False


def _balance_problems(rows: list[StatRow], cells: list[Mapping[str, str]], tolerance: float) -> list[Problem]:
    """Codes and units through accounting.balance.read_balance (its problems re-located to the
    file's cells); then, for each region-year with supply rows, supply (production + inflow −
    outflow) against final and transformation use plus losses, in tce, within `tolerance`."""
    from carbonpeak.accounting.balance import read_balance

    problems: list[Problem] = []
    try:
        read_balance(balance_row(r) for r in rows)
    except InputError as exc:
        for p in exc.problems:
            # read_balance names `balance.csv:<line>:<column>`, line 2 = rows[0]
            try:
                _, line, column = p.location.rsplit(":", 2)
                where = cells[int(line) - 2]
                location = where.get(column) or where.get("quantity") or p.location
            except (ValueError, IndexError):
                location = p.location
            problems.append(Problem(location, p.rule, p.message_zh, p.message_en, p.value, p.severity))
    if problems:
        return problems
    return _supply_use_gap(rows, tolerance)


# fuels whose supply is accounted together (primary electricity is delivered as electricity)
SUPPLY_GROUP = {"primary_electricity": "electricity"}


def _supply_use_gap(rows: list[StatRow], tolerance: float) -> list[Problem]:
    """Per region, year and fuel that has supply rows (PRODUCTION, IMPORT, EXPORT), in the fuel's
    unit: production + inflow − outflow + transformation output = final use + transformation input
    + losses, within `tolerance` of the use side. Fuels without supply rows are not checked (a
    city balance often gives supply for electricity only)."""
    sectors, fuels = factors.sectors(), factors.fuels()
    by: dict[tuple[str, int, str], dict[str, float]] = {}
    for r in rows:
        sector, fuel = sectors[r.key], fuels.get(r.field)
        if fuel is None:  # a process product: no energy
            continue
        q = float(units.convert(r.value, units.lookup(r.unit).name, fuel.unit))
        group = SUPPLY_GROUP.get(r.field, r.field)
        acc = by.setdefault((r.region, r.year, group), {"supply": 0.0, "use": 0.0, "checked": 0.0})
        if sector.role == SUPPLY:
            acc["supply"] += -q if r.key == "EXPORT" else q
            acc["checked"] = 1.0
        elif q < 0 and sector.role in ("transformation", "transformation_combustion"):
            acc["supply"] -= q  # a process's output
        elif sector.role in ("final", "transformation", "transformation_combustion", LOSS):
            acc["use"] += q
    problems = []
    for (region, year, group), acc in sorted(by.items()):
        if not acc["checked"] or acc["use"] <= 0:
            continue
        gap = (acc["supply"] - acc["use"]) / acc["use"]
        if abs(gap) > tolerance:
            unit = fuels[group].unit
            problems.append(
                problem(
                    f"{region} {year} {group}",
                    "data.balance",
                    f"{gap:+.4f}",
                    group=group,
                    acc=acc["supply"],
                    unit=unit,
                    acc2=acc["use"],
                    gap=gap,
                    tolerance=tolerance,
                )
            )
    return problems


def _meter_records(
    kind: DataKind,
    filename: str,
    data: bytes,
    grid: Sequence[Sequence[object]],
    sheet: str,
    year: int | None,
    flag: str,
    source: str,
) -> ParsedRecords:
    """A meter register (layout `meters`): one row per metering point, checked by
    metering.register.check_register; the year from the `year` column (or --year when blank)."""
    from carbonpeak.metering.register import check_register

    header = [_text(c) for c in grid[0]] if grid else []
    if year is not None and grid and "year" not in header:
        grid = [[*grid[0], "year"], *([*r, str(year)] for r in grid[1:])]
    listed = list(_long_rows(grid, sheet, filename, "meters"))
    problems: list[Problem] = []
    years: list[int] = []
    for _line, v, where in listed:
        try:
            yr = int(v["year"] or (year or 0))
            if not 1900 <= yr <= 2100 or (year is not None and yr != year):
                raise ValueError
        except ValueError:
            problems.append(problem(where["year"], "data.year", year=v["year"]))
            yr = 0
        years.append(yr)
    checked, more = check_register((v, where) for _line, v, where in listed)
    problems += more
    by_loc = {where["meter"]: yr for (_line, _v, where), yr in zip(listed, years, strict=True)}
    rows = [
        StatRow(
            key=r.key,
            field="meter",
            region=r.region,
            year=by_loc[r.location],
            value=r.value,
            unit=r.unit,
            flag=flag,
            source=source,
            method="",
            location=r.location,
            text=r.text,
        )
        for r in checked
    ]
    return _records(kind, filename, data, rows, problems)


def _month_records(
    kind: DataKind,
    filename: str,
    data: bytes,
    grid: Sequence[Sequence[object]],
    sheet: str,
    flag: str,
    source: str,
) -> ParsedRecords:
    """Monthly energy by unit (layout `unit_month`, metering/monthly.py), one record per year."""
    from carbonpeak.metering.monthly import check_months

    listed = list(_long_rows(grid, sheet, filename, "unit_month"))
    checked, problems = check_months((v, where) for _line, v, where in listed)
    extra = {where["quantity"]: v for _line, v, where in listed}
    for r in checked:
        f = extra[r.location].get("flag") or flag
        if f not in FLAGS:
            problems.append(
                problem(
                    r.location,
                    "data.flag",
                    f,
                    text_key="problem.data.flag.unknown",
                    flags_list=", ".join(FLAGS),
                )
            )
    rows = []
    for r in checked:
        line = extra[r.location]
        row_flag, share = line.get("flag") or flag, f"{r.completeness:.6f}"
        rows.append(
            line_row(line, source, r.location, r.key, r.field, "", r.year, r.value, r.unit, row_flag, share)
        )
    return _records(kind, filename, data, rows, problems)
