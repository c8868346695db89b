"""The energy balance of an import checked as a whole (pure): its codes and units through
accounting.balance.read_balance, its problems located at the file's cells; then supply against use
for every fuel with supply rows, within the kind's tolerance (docs/methods/dataset.md).

    balance_problems(rows, cells, tolerance)   every problem of the balance, or []
"""

from __future__ import annotations

from collections.abc import Mapping

from carbonpeak import units
from carbonpeak.accounting import factors
from carbonpeak.errors import InputError, Problem
from carbonpeak.statistics.rows import StatRow, balance_row
from carbonpeak.validation import problem

SUPPLY, LOSS = "supply", "loss"


def balance_problems(rows: list[StatRow], cells: list[Mapping[str, str]], tolerance: float) -> list[Problem]:
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
    return supply_use_gap(rows, tolerance)


# fuels whose supply is accounted together (primary electricity is delivered as electricity)
SUPPLY_GROUP = {"primary_electricity": "electricity"}


def supply_use_gap(rows: list[StatRow], tolerance: float) -> list[Problem]:
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
