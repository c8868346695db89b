"""Monthly energy by unit from the meters (layout `unit_month` of statistics/kinds.yaml): the rows of
a data record of kind `metered_energy`, which the enterprise accounts and the monthly nowcast read.

Columns: uscc, energy_kind, month (YYYY-MM), quantity, unit, completeness[, flag, method, source].
A record holds one year; the platform makes it from the meters (services/metering.monthly_energy_csv)
and it is reviewed and published like every other record. Nothing here reads a file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from carbonpeak.errors import Problem
from carbonpeak.metering.register import energy_unit_fault, valid_uscc
from carbonpeak.statistics.rows import FLAGS, StatRow, line_row
from carbonpeak.validation import FirstSeen, TableRow, finite_number, problem

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def check_months(rows: Iterable[TableRow], *, flag: str, source: str) -> tuple[list[StatRow], list[Problem]]:
    """The checked rows as the data spine stores them: key the USCC, field `<energy_kind>:<YYYY-MM>`,
    the quantity in the kind's unit, the completeness (0–1) as the row's text; `flag` and `source` for
    rows that do not give their own."""
    out: list[StatRow] = []
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
        row_flag = v.get("flag") or flag
        if row_flag not in FLAGS:
            problems.append(
                problem(
                    where["quantity"],
                    "data.flag",
                    row_flag,
                    text_key="problem.data.flag.unknown",
                    flags_list=", ".join(FLAGS),
                )
            )
        year, share = int(m.group(1)), f"{c:.6f}"
        out.append(
            line_row(
                v, source, where["quantity"], v["uscc"], ident[1], "", year, q, v["unit"], row_flag, share
            )
        )
    return out, problems
