"""Checks of the enterprise data kinds' rows (pure): the register and the annual / monthly reports.

    check_register(rows, region) -> (StatRow list, Problem list)
    check_reports(rows, region, monthly, context) -> (StatRow list, Problem list)

`rows` are (line, values by column, location by column) as statistics/parse.py reads any long table.
Register columns: uscc, year, name_zh, name_en, industry, district, key_energy_unit, ets, lianggao
[, flag, method, source]. Report columns: uscc, year[, month], item, value, unit[, flag, method,
source]. Rules (every problem located, in zh and en; statistics/parse.py then stores nothing):
- USCC: 18 characters with the GB 32100-2015 check character (enterprise/uscc.py);
- register: industry a GB/T 4754 division or class of data/industries.csv; key_energy_unit and ets
  yes/no; lianggao blank or a product of data/efficiency-levels.csv; name and district given;
- reports: the enterprise in the register (`context.register`, when given); item known
  (enterprise/accounts.items); unit convertible to the item's unit (a 两高 level's unit exactly);
  value_added > 0; energy, process and ETS quantities ≥ 0; month 1–12 in the monthly kind;
- metering (the seam for metered monthly energy, data kind `metered_energy`): when
  `context.metered` holds an enterprise-month's metered energy (tce), the reported energy of that
  month (tce, calorific value) may differ from it by at most `context.tolerance` (fraction of the
  metered figure); an annual report is checked against the sum of twelve metered months.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from carbonpeak.enterprise import accounts
from carbonpeak.enterprise.efficiency import levels
from carbonpeak.enterprise.industries import division_of
from carbonpeak.enterprise.uscc import uscc_error
from carbonpeak.errors import Problem
from carbonpeak.statistics.kinds import LONG_COLUMNS
from carbonpeak.statistics.rows import StatRow, line_row
from carbonpeak.validation import FirstSeen, TableRow, problem

# the register's values: the columns of its layout after uscc and year, and `reporters` (may be left out)
REGISTER_FIELDS = (*(c for c in LONG_COLUMNS["register"] if c not in ("uscc", "year")), "reporters")
YES_NO = {
    "yes": "yes",
    "no": "no",
    "是": "yes",
    "否": "no",
    "1": "yes",
    "0": "no",
    "true": "yes",
    "false": "no",
}
FLAGS = ("published", "estimated", "sample")


@dataclass(frozen=True)
class Context:
    """What a report is checked against: the register's USCCs (None: not checked), metered energy
    (tce) by (USCC, year, month) and the tolerance of the difference (fraction)."""

    register: frozenset[str] | None = None
    metered: Mapping[tuple[str, int, int], float] = field(default_factory=dict)
    tolerance: float = 0.05


def _year(v: Mapping[str, str], where: Mapping[str, str], problems: list[Problem]) -> int | None:
    try:
        y = float(v.get("year", ""))
        if not y.is_integer() or not 1900 <= y <= 2100:
            raise ValueError
        return int(y)
    except ValueError:
        problems.append(problem(where.get("year", "?"), "data.year", v.get("year"), year=v.get("year")))
        return None


def _flag(
    v: Mapping[str, str], where: Mapping[str, str], default: str, problems: list[Problem]
) -> str | None:
    flag = v.get("flag") or default
    if flag not in FLAGS:
        problems.append(problem(where.get("flag", "?"), "data.flag", flag, flags_list=", ".join(FLAGS)))
        return None
    return flag


def _uscc(v: Mapping[str, str], where: Mapping[str, str], problems: list[Problem]) -> str | None:
    code = v.get("uscc", "").strip()
    err = uscc_error(code)
    if err:
        problems.append(Problem(where.get("uscc", "?"), "enterprise.uscc", err[0], err[1], code))
        return None
    return code


def check_register(
    rows: Iterable[TableRow],
    region: str,
    *,
    default_flag: str = "published",
    default_source: str = "",
) -> tuple[list[StatRow], list[Problem]]:
    out: list[StatRow] = []
    problems: list[Problem] = []
    seen: FirstSeen[tuple[str, int]] = FirstSeen(text_key="problem.data.duplicate.enterprise")
    for _line, v, where in rows:
        n = len(problems)
        code, year = _uscc(v, where, problems), _year(v, where, problems)
        flag = _flag(v, where, default_flag, problems)
        values = {f: (v.get(f) or "").strip() for f in REGISTER_FIELDS}
        for f in ("name_zh", "district", "industry"):
            if not values[f]:
                problems.append(problem(where.get(f, "?"), "enterprise.required", f=f))
        if values["industry"] and division_of(values["industry"]) is None:
            problems.append(
                problem(
                    where["industry"], "enterprise.industry", values["industry"], values=values["industry"]
                )
            )
        for f in ("key_energy_unit", "ets"):
            answer = YES_NO.get(values[f].lower())
            if answer is None:
                problems.append(problem(where.get(f, "?"), "enterprise.yes_no", values[f], f=f))
            else:
                values[f] = answer
        if values["lianggao"] and values["lianggao"] not in levels():
            problems.append(
                problem(
                    where["lianggao"],
                    "enterprise.lianggao",
                    values["lianggao"],
                    values=values["lianggao"],
                    x=", ".join(levels()),
                )
            )
        if len(problems) > n or code is None or year is None or flag is None:
            continue
        if twice := seen.again((code, year), where["uscc"]):
            problems.append(twice)
            continue
        for f in REGISTER_FIELDS:
            location = where.get(f, where["uscc"])
            out.append(line_row(v, default_source, location, code, f, region, year, 0.0, "", flag, values[f]))
    return out, problems


ENERGY = ("fuel", "electricity", "heat", "green", "own")
NON_NEGATIVE = (*ENERGY, "process", "ets", "output")


def check_reports(
    rows: Iterable[TableRow],
    region: str,
    *,
    monthly: bool,
    context: Context | None = None,
    default_flag: str = "published",
    default_source: str = "",
) -> tuple[list[StatRow], list[Problem]]:
    ctx = context or Context()
    catalogue = accounts.items()
    out: list[StatRow] = []
    problems: list[Problem] = []
    seen: FirstSeen[tuple[str, int, int, str]] = FirstSeen()
    energy: dict[tuple[str, int, int], list[tuple[str, float]]] = {}  # canonical quantities per month
    first_cell: dict[tuple[str, int, int], str] = {}
    for _line, v, where in rows:
        n = len(problems)
        code, year = _uscc(v, where, problems), _year(v, where, problems)
        flag = _flag(v, where, default_flag, problems)
        month = 0
        if monthly:
            try:
                m = float(v.get("month", ""))
                if not m.is_integer() or not 1 <= m <= 12:
                    raise ValueError
                month = int(m)
            except ValueError:
                problems.append(
                    problem(where.get("month", "?"), "enterprise.month", v.get("month"), month=v.get("month"))
                )
        if code is not None and ctx.register is not None and code not in ctx.register:
            problems.append(problem(where["uscc"], "enterprise.unregistered", code, code=code))
        item_code = (v.get("item") or "").strip()
        it = catalogue.get(item_code)
        if it is None:
            problems.append(
                problem(where.get("item", "?"), "enterprise.item", item_code, item_code=item_code)
            )
        unit = (v.get("unit") or "").strip()
        try:
            value = float(v.get("value", ""))
            if not math.isfinite(value):
                raise ValueError
        except ValueError:
            problems.append(
                problem(
                    where.get("value", "?"),
                    "data.value",
                    v.get("value"),
                    text_key="problem.data.value.finite",
                    shown=v.get("value"),
                )
            )
            value = math.nan
        canonical = math.nan
        if it is not None:
            if it.role == "efficiency":
                if unit != it.unit:
                    problems.append(problem(where.get("unit", "?"), "data.unit", unit, unit=it.unit))
                canonical = value
            else:
                try:
                    canonical = accounts.canonical_value(value, unit, item_code)
                except Exception:  # unknown unit or another dimension: one problem, named
                    problems.append(
                        problem(
                            where.get("unit", "?"),
                            "data.unit",
                            unit,
                            text_key="problem.data.unit.convertible",
                            unit=unit,
                            unit2=it.unit,
                        )
                    )
            if not math.isnan(value):
                if it.role == "value_added" and value <= 0:
                    problems.append(problem(where["value"], "enterprise.value_added", value, shown=value))
                elif it.role in NON_NEGATIVE and value < 0:
                    problems.append(
                        problem(
                            where["value"],
                            "enterprise.negative",
                            value,
                            name_zh=it.name_zh,
                            name_en=it.name_en,
                        )
                    )
        if len(problems) > n or code is None or year is None or flag is None or it is None:
            continue
        ident = (code, year, month, item_code)
        if twice := seen.again(ident, where["value"]):
            problems.append(twice)
            continue
        key = f"{code}/{month:02d}" if monthly else code
        out.append(
            line_row(v, default_source, where["value"], key, item_code, region, year, value, unit, flag)
        )
        if it.role in ("fuel", "electricity", "heat"):
            energy.setdefault((code, year, month), []).append((item_code, canonical))
            first_cell.setdefault((code, year, month), where["uscc"])
    if ctx.metered and not problems:
        problems += _metering(energy, first_cell, ctx, monthly)
    return out, problems


def _metering(
    energy: Mapping[tuple[str, int, int], list[tuple[str, float]]],
    cells: Mapping[tuple[str, int, int], str],
    ctx: Context,
    monthly: bool,
) -> list[Problem]:
    """Reported energy (tce) against metered energy beyond `ctx.tolerance`."""
    from carbonpeak.enterprise.scheme import load_scheme

    problems = []
    for (code, year, month), pairs in sorted(energy.items()):
        if monthly:
            metered = ctx.metered.get((code, year, month))
        else:
            months = [ctx.metered.get((code, year, m)) for m in range(1, 13)]
            metered = (
                None if any(m is None for m in months) else float(sum(m for m in months if m is not None))
            )
        if metered is None or metered <= 0:
            continue
        codes = tuple(c for c, _ in pairs)
        f = accounts.factor_vector(codes, year, load_scheme())
        reported = float(accounts.energy_tce(np.asarray([q for _, q in pairs]), f))
        gap = (reported - metered) / metered
        if abs(gap) > ctx.tolerance:
            when = f"{year}-{month:02d}" if monthly else str(year)
            problems.append(
                problem(
                    cells[(code, year, month)],
                    "enterprise.metering",
                    f"{gap:+.4f}",
                    code=code,
                    when=when,
                    reported=reported,
                    metered=metered,
                    gap=gap,
                    tolerance=ctx.tolerance,
                )
            )
    return problems


__all__ = ["REGISTER_FIELDS", "Context", "check_register", "check_reports"]
