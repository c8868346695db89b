"""Monthly energy by unit from the meters (layout `unit_month` of statistics/kinds.yaml): the rows of
a data record of kind `metered_energy`, which the enterprise accounts and the monthly nowcast read.

Columns: uscc, energy_kind, month (YYYY-MM), quantity, unit, completeness[, flag, method, source].
A record holds one year; the platform makes it from the meters (services/metering.monthly_energy_csv)
and it is reviewed and published like every other record. Nothing here reads a file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from carbonpeak.errors import Problem
from carbonpeak.metering.register import energy_unit_fault, valid_uscc
from carbonpeak.validation import FirstSeen, TableRow, finite_number, problem

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


def check_months(rows: Iterable[TableRow]) -> tuple[list[MonthRow], list[Problem]]:
    out: list[MonthRow] = []
    problems: list[Problem] = []
    seen: FirstSeen[tuple[str, str]] = FirstSeen()
    for _line, v, where in rows:
        bad: list[Problem] = []
        if not valid_uscc(v["uscc"]):
            bad.append(problem(where["uscc"], "metering.uscc", v["uscc"]))
        kind = v["energy_kind"]
        if fault := energy_unit_fault(kind, v["unit"]):
            column, rule, fields = fault
            bad.append(problem(where[column], rule, v[column], **fields))
        m = MONTH.match(v["month"])
        if not m:
            bad.append(problem(where["month"], "metering.month", v["month"]))
        q, c = finite_number(v["quantity"]), finite_number(v["completeness"])
        if q is None or q < 0:
            bad.append(problem(where["quantity"], "data.value", v["quantity"]))
        if c is None or not 0 <= c <= 1:
            bad.append(problem(where["completeness"], "metering.completeness", v["completeness"]))
        if bad:
            problems += bad
            continue
        ident = (v["uscc"], f"{kind}:{v['month']}")
        if twice := seen.again(ident, where["quantity"]):
            problems.append(twice)
            continue
        assert m is not None and q is not None and c is not None
        out.append(MonthRow(v["uscc"], ident[1], int(m.group(1)), q, v["unit"], c, where["quantity"]))
    return out, problems
