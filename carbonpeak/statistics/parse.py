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

Where the parts live: the file read into rows of text in statistics/tables.py; the energy balance
checked as a whole in statistics/balance_checks.py; the rows of the enterprise kinds checked by
enterprise/validate.py, a meter register by metering/register.py, monthly metered energy by
metering/monthly.py.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from carbonpeak import units
from carbonpeak.errors import InputError, Problem
from carbonpeak.statistics.balance_checks import balance_problems
from carbonpeak.statistics.kinds import DataKind
from carbonpeak.statistics.rows import FLAGS, StatRow, line_row
from carbonpeak.statistics.tables import (
    BALANCE_SHEET,
    cell_location,
    cell_text,
    fail,
    long_rows,
    read_table,
    wide_balance,
)
from carbonpeak.validation import FirstSeen, problem


@dataclass(frozen=True)
class ParsedRecords:
    """A file of `kind` that passed every check: its rows by year, the file named and its bytes hashed."""

    kind: str
    filename: str
    sha256: str
    by_year: dict[int, tuple[StatRow, ...]]


def _records(
    kind: DataKind, filename: str, data: bytes, rows: Sequence[StatRow], problems: list[Problem]
) -> ParsedRecords:
    """The file's rows grouped by year; InputError listing every problem (`data.empty` when the file
    holds no row) instead, so nothing of a file with a fault is stored."""
    if not rows and not problems:
        problems.append(problem(filename, "data.empty"))
    if problems:
        raise fail(filename, problems)
    by_year: dict[int, list[StatRow]] = {}
    for r in rows:
        by_year.setdefault(r.year, []).append(r)
    return ParsedRecords(
        kind=kind.code,
        filename=filename,
        sha256=hashlib.sha256(data).hexdigest(),
        by_year={y: tuple(rs) for y, rs in sorted(by_year.items())},
    )


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
        raise fail(
            filename,
            [problem("--flag", "data.flag", default_flag, flags_list=", ".join(FLAGS))],
        )
    sheet, grid = read_table(data, filename, max_bytes)
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
        source_rows = list(wide_balance(grid, filename, year, region))
    else:
        source_rows = list(long_rows(grid, sheet, filename, layout))
    allowed = dict(kind.indicators)
    if kind.any_target_indicator:
        allowed.update(target_indicators or {})
    problems: list[Problem] = []
    rows: list[StatRow] = []
    cells: list[Mapping[str, str]] = []  # the location of every column of each row
    seen: FirstSeen[tuple[str, str, str, int]] = FirstSeen()
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
            if twice := seen.again(ident, where[value_col]):
                problems.append(twice)
                continue
            rows.append(
                line_row(v, default_source, where[value_col], key, field, v["region"], yr, value, unit, flag)
            )
            cells.append(where)
    if layout == "balance" and rows:
        problems += balance_problems(rows, cells, kind.tolerance)
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
        header = [cell_text(c) for c in grid[0]] if grid else []
        if grid and "month" not in header:
            raise fail(
                filename,
                [
                    problem(
                        cell_location(sheet, 1, len(header), filename),
                        "data.column",
                        text_key="problem.data.column.month",
                    )
                ],
            )
    source_rows = list(long_rows(grid, sheet, filename, kind.layout))
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

    header = [cell_text(c) for c in grid[0]] if grid else []
    if year is not None and grid and "year" not in header:
        grid = [[*grid[0], "year"], *([*r, str(year)] for r in grid[1:])]
    listed = list(long_rows(grid, sheet, filename, "meters"))
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
    checked, more = check_register(listed)
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

    rows, problems = check_months(long_rows(grid, sheet, filename, "unit_month"), flag=flag, source=source)
    return _records(kind, filename, data, rows, problems)
