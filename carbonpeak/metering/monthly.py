"""Monthly energy by unit from the meters (layout `unit_month` of statistics/kinds.yaml): the rows of
a data record of kind `metered_energy`, which the enterprise accounts and the monthly nowcast read.

Columns: uscc, energy_kind, month (YYYY-MM), quantity, unit, completeness[, flag, method, source].
A record holds one year; the platform makes it from the meters (services/metering.monthly_energy_csv)
and it is reviewed and published like every other record. Nothing here reads a file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from carbonpeak.errors import Problem
from carbonpeak.metering.register import energy_unit_fault, valid_uscc
from carbonpeak.validation import finite_number

COLUMNS = ("uscc", "energy_kind", "month", "quantity", "unit", "completeness")
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class MonthRow:
    """key = uscc, field = `<energy_kind>:<YYYY-MM>`, the quantity in the kind's unit."""

    key: str
    field: str
    year: int
    value: float
    unit: str
    completeness: float
    location: str


def check_months(
    rows: Iterable[tuple[Mapping[str, str], Mapping[str, str]]],
) -> tuple[list[MonthRow], list[Problem]]:
    out: list[MonthRow] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, str], str] = {}
    for v, where in rows:
        bad: list[Problem] = []
        if not valid_uscc(v["uscc"]):
            bad.append(
                Problem(
                    where["uscc"],
                    "metering.uscc",
                    "统一社会信用代码无效",
                    "not a valid unified social credit code",
                    v["uscc"],
                )
            )
        kind = v["energy_kind"]
        if fault := energy_unit_fault(kind, v["unit"]):
            column, rule, zh, en = fault
            bad.append(Problem(where[column], rule, zh, en, v[column]))
        m = MONTH.match(v["month"])
        if not m:
            bad.append(
                Problem(
                    where["month"], "metering.month", "月份须为YYYY-MM", "month must be YYYY-MM", v["month"]
                )
            )
        q, c = finite_number(v["quantity"]), finite_number(v["completeness"])
        if q is None or q < 0:
            bad.append(
                Problem(
                    where["quantity"],
                    "data.value",
                    "用量须为非负数",
                    "quantity must be a number ≥ 0",
                    v["quantity"],
                )
            )
        if c is None or not 0 <= c <= 1:
            bad.append(
                Problem(
                    where["completeness"],
                    "metering.completeness",
                    "完整率须在0到1之间",
                    "completeness must be 0-1",
                    v["completeness"],
                )
            )
        if bad:
            problems += bad
            continue
        ident = (v["uscc"], f"{kind}:{v['month']}")
        if ident in seen:
            problems.append(
                Problem(
                    where["quantity"],
                    "data.duplicate",
                    f"与 {seen[ident]} 重复",
                    f"the same value is given at {seen[ident]}",
                )
            )
            continue
        seen[ident] = where["quantity"]
        assert m is not None and q is not None and c is not None
        out.append(MonthRow(v["uscc"], ident[1], int(m.group(1)), q, v["unit"], c, where["quantity"]))
    return out, problems
