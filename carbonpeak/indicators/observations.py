"""Loading observations from the long CSV contract (the edge of the indicators package).

    indicator, region, year, value, unit, source[, flag]

One row per indicator, region and year; `flag` is published | estimated | sample (default
published when the column is absent). Every fault is reported at once as an InputError whose
problems name the file, row and column (`observations.csv:12:value`); nothing is returned half-read.

    read_observations(path)       a CSV file → Observations
    parse_observations(text)      the same from text (an upload, a test)
    SAMPLE_FILE                   the packaged sample (flag `sample`: written to show the platform)
"""

from __future__ import annotations

import math
from pathlib import Path

from carbonpeak.errors import InputError, Problem
from carbonpeak.indicators.series import FLAGS, Observations, Series
from carbonpeak.units import lookup
from carbonpeak.validation import csv_rows, problem, read_text

SAMPLE_FILE = Path(__file__).with_name("data") / "sample-observations.csv"
REQUIRED = ("indicator", "region", "year", "value", "unit", "source")
OPTIONAL = ("flag",)


def read_observations(path: Path | str) -> Observations:
    """Observations from a CSV file; InputError listing every problem."""
    path = Path(path)
    return parse_observations(read_text(path, "observations", rule="file.read"), name=path.name)


def parse_observations(text: str, *, name: str = "observations.csv") -> Observations:
    """Observations from CSV text; InputError listing every problem."""
    header, rows = csv_rows(text)
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    problems = [problem(f"{name}:1:{c}", "observations.column_missing", c=c) for c in missing] + [
        problem(f"{name}:1:{c}", "observations.column_unknown", c=c) for c in unknown
    ]
    if problems:
        raise InputError(f"{name} does not follow the observations contract", problems)
    points: dict[tuple[str, str], dict[int, tuple[float, str, str, str]]] = {}
    for line, row in rows:
        where = f"{name}:{line}"
        parsed = _row(row, where, problems)
        if parsed is None:
            continue
        indicator, region, year, value, unit, source, flag = parsed
        key = (indicator, region)
        units = {u for _, u, _, _ in points.get(key, {}).values()}
        if units and unit not in units:
            other = next(iter(units))
            problems.append(problem(f"{where}:unit", "observations.unit_consistent", unit, other=other))
            continue
        if year in points.get(key, {}):
            problems.append(
                problem(
                    f"{where}:year",
                    "observations.duplicate",
                    str(year),
                    indicator=indicator,
                    region=region,
                    year=year,
                )
            )
            continue
        points.setdefault(key, {})[year] = (value, unit, source, flag)
    if problems:
        raise InputError(f"{name} has {len(problems)} problem(s)", problems, message_zh=f"{name} 存在错误")
    series = {}
    for (indicator, region), by_year in points.items():
        unit = by_year[min(by_year)][1]
        cells = {y: (v, s, f) for y, (v, _, s, f) in by_year.items()}
        series[(indicator, region)] = Series.of_points(indicator, region, unit, cells)
    return Observations(series)


def _row(
    row: dict[str, str], where: str, problems: list[Problem]
) -> tuple[str, str, int, float, str, str, str] | None:
    before = len(problems)
    for col in REQUIRED:
        if not row.get(col):
            problems.append(problem(f"{where}:{col}", "observations.required", col=col))
    if len(problems) > before:
        return None
    year_text, value_text = row["year"], row["value"].replace(",", "")
    year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None
    if year is None:
        problems.append(problem(f"{where}:year", "observations.year", year_text))
    try:
        value: float | None = float(value_text)
        if value is not None and not math.isfinite(value):
            raise ValueError
    except ValueError:
        value = None
        problems.append(problem(f"{where}:value", "observations.number", row["value"]))
    unit = row["unit"]
    try:
        unit = lookup(unit).name
    except InputError:
        problems.append(problem(f"{where}:unit", "unit.known", unit, unit=unit))
    flag = row.get("flag") or "published"
    if flag not in FLAGS:
        problems.append(
            problem(
                f"{where}:flag",
                "observations.flag",
                flag,
                flags_zh="/".join(FLAGS),
                flags_en=", ".join(FLAGS),
            )
        )
    if len(problems) > before or year is None or value is None:
        return None
    return row["indicator"], row["region"], year, value, unit, row["source"], flag


__all__ = ["SAMPLE_FILE", "parse_observations", "read_observations"]
