"""The city's GHG inventory for pages: totals, by sector group and by fuel kind, flows, drill-down.

The balance is the demo data set's energy balance (carbonpeak/demo/data/energy-balance.csv, flagged
`estimated` row by row) until approved balances come from the store; the inventory is
services/dataset.current_inventory (compute_inventory with the `guideline` factor set: the same
computation the reports show), and a figure's inputs and
factors by accounting.lineage. Sectors are grouped by the `group` column of sectors.csv and fuels
by the `kind` column of fuels.csv (both documented in docs/methods/inventory.md); net imported
electricity is its own row ("IMPORT-EXPORT").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from carbonpeak import accounting
from carbonpeak.accounting import factors
from carbonpeak.i18n import t
from carbonpeak.services.dataset import current_inventory
from carbonpeak.services.pages.common import PageBase, Series, weakest
from carbonpeak.services.pages.enterprise import ReconciliationSection, reconciliation_section
from carbonpeak.services.pages.snapshot_cache import per_snapshot
from carbonpeak.settings import Settings
from carbonpeak.store.db import Database

UNIT = "万tCO2"
TONNES_PER_UNIT = 1e4
INDIRECT = "IMPORT-EXPORT"


def balance_file(db: Database | None = None) -> str | None:
    """Where the data set's balance came from: "snapshot <id>" or the packaged file's name."""
    found = current_inventory(db)
    return found.source if found else None


def city_inventory(
    db: Database | None = None,
) -> tuple[dict[str, Any], accounting.Inventory, list[dict[str, str]]] | None:
    """(compute_inventory's answer, the Inventory, the balance rows) of the data set of `db`
    (services/dataset.current_inventory, the computation the reports show), or None."""
    found = current_inventory(db)
    return (found.result, found.inventory, found.rows) if found else None


def totals_by_year(db: Database | None = None) -> dict[int, float]:
    """Total CO2 (万tCO2, energy + processes + net imported electricity) by year."""
    found = city_inventory(db)
    if found is None:
        return {}
    return {int(r["year"]): r["total_t"] / TONNES_PER_UNIT for r in found[0]["totals"]}


class Flow(BaseModel):
    source: str  # fuel kind
    target: str  # sector group
    value: float  # 万tCO2


class InventoryLine(BaseModel):
    sector: str
    fuel: str
    scope: str
    emissions: float  # 万tCO2
    activity: float | None = None
    activity_unit: str | None = None
    factor: str | None = None  # the factor row as read (NCV × carbon content × oxidation, or an EF)
    factor_source: str | None = None
    input_source: str | None = None
    flag: str | None = None


class InventoryPage(PageBase):
    unit: str = UNIT
    region: str | None = None
    years: list[int] = Field(default_factory=list)
    year: int | None = None
    totals: list[float] = Field(default_factory=list)  # aligned with years
    by_sector: list[Series] = Field(default_factory=list)
    by_fuel: list[Series] = Field(default_factory=list)
    flows: list[Flow] = Field(default_factory=list)
    # sector codes, groups, fuel codes and kinds → {zh, en}
    labels: dict[str, dict[str, str]] = Field(default_factory=dict)
    group: str | None = None
    lines: list[InventoryLine] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    # top-down vs bottom-up: the year's direct CO2 by industry against the enterprise accounts
    reconciliation: ReconciliationSection | None = None


def _labels() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for code, s in factors.sectors().items():
        out[code] = {"zh": s.name_zh, "en": s.name_en}
    for code, f in factors.fuels().items():
        out[code] = {"zh": f.name_zh, "en": f.name_en}
    import csv

    # industrial-process products by their names in the factor table (accounting/data/process_factors.csv)
    with (Path(factors.__file__).parent / "data" / "process_factors.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["product"], {"zh": row["name_zh"], "en": row["name_en"]})
    groups = {s.group for s in factors.sectors().values()} | {f.kind for f in factors.fuels().values()}
    for g in [*groups, "indirect", "process"]:
        out[f"group:{g}"] = {
            "zh": t(f"web.inventory.group.{g}", "zh"),
            "en": t(f"web.inventory.group.{g}", "en"),
        }
    out[INDIRECT] = out["group:indirect"]
    return out


def inventory_page(
    settings: Settings, *, year: int | None = None, group: str | None = None, db: Database | None = None
) -> InventoryPage:
    """Stacked history by sector group and fuel kind, fuel→sector flows of `year` (default: the latest),
    and the inputs and factors behind every figure of that year (of one sector group if given); built
    once per snapshot, year and group (snapshot_cache)."""
    return per_snapshot("inventory", settings, db, (year, group), lambda: _inventory_page(year, group, db))


def _inventory_page(year: int | None, group: str | None, db: Database | None) -> InventoryPage:
    found = city_inventory(db)
    if found is None:
        return InventoryPage(missing=["inventory"], year=year, group=group)
    result, inv, rows = found
    sectors, fuels = factors.sectors(), factors.fuels()
    years = [int(y) for y in result["years"]]
    year = year if year in years else years[-1]
    region = result["regions"][0]

    def sector_group(code: str) -> str:
        return "indirect" if code == INDIRECT else sectors[code].group if code in sectors else "other"

    def fuel_kind(code: str, scope: str) -> str:
        if scope == "process":
            return "process"
        if scope == "indirect":
            return "indirect"
        return fuels[code].kind if code in fuels else "other"

    by_group: dict[str, dict[int, float]] = {}
    by_kind: dict[str, dict[int, float]] = {}
    flows: dict[tuple[str, str], float] = {}
    for c in result["cells"]:
        if c["region"] != region:
            continue
        v = c["co2_t"] / TONNES_PER_UNIT
        g, k = sector_group(c["sector"]), fuel_kind(c["fuel"], c["scope"])
        by_group.setdefault(g, {}).setdefault(c["year"], 0.0)
        by_group[g][c["year"]] += v
        by_kind.setdefault(k, {}).setdefault(c["year"], 0.0)
        by_kind[k][c["year"]] += v
        if c["year"] == year and g != "indirect":
            flows[(k, g)] = flows.get((k, g), 0.0) + v
    labels = _labels()

    def series(groups: dict[str, dict[int, float]]) -> list[Series]:
        out = []
        for key, values in sorted(groups.items(), key=lambda kv: -sum(kv[1].values())):
            label = labels.get(f"group:{key}", {"zh": key, "en": key})
            out.append(
                Series(
                    key=key,
                    label_zh=label["zh"],
                    label_en=label["en"],
                    values=[round(values.get(y, 0.0), 4) for y in years],
                )
            )
        return out

    lines = _lines(inv, result, rows, region, year, group, sector_group, fuel_kind)
    totals = {
        int(r["year"]): r["total_t"] / TONNES_PER_UNIT for r in result["totals"] if r["region"] == region
    }
    return InventoryPage(
        flag=weakest([r.get("flag") for r in rows]),
        data_source=balance_file(db),
        region=region,
        years=years,
        year=year,
        totals=[round(totals.get(y, 0.0), 4) for y in years],
        by_sector=series(by_group),
        by_fuel=series(by_kind),
        flows=[Flow(source=k, target=g, value=round(v, 4)) for (k, g), v in sorted(flows.items()) if v > 0],
        labels=labels,
        group=group,
        lines=lines,
        notes=[n for n in result["notes"] if f"for {year} " in n],
        reconciliation=reconciliation_section(db, year),
    )


def _lines(
    inv: accounting.Inventory,
    result: dict[str, Any],
    rows: list[dict[str, str]],
    region: str,
    year: int,
    group: str | None,
    sector_group: Any,
    fuel_kind: Any,
) -> list[InventoryLine]:
    """The cells of `year` (of sector group `group`), each with its inputs and factor (accounting.lineage)."""
    out = []
    for c in result["cells"]:
        if c["region"] != region or c["year"] != year or (group and sector_group(c["sector"]) != group):
            continue
        sector, fuel = c["sector"], c["fuel"]
        if c["scope"] == "indirect":
            sector = "IMPORT"  # lineage names net imports by the balance's own row
        try:
            lin = accounting.lineage(inv, region, year, sector, fuel)
        except (KeyError, ValueError, IndexError):
            lin = None
        first = lin.input_rows[0] if lin and lin.input_rows else {}
        fac = lin.factor_rows[0] if lin and lin.factor_rows else {}
        out.append(
            InventoryLine(
                sector=c["sector"],
                fuel=fuel,
                scope=c["scope"],
                emissions=round(c["co2_t"] / TONNES_PER_UNIT, 4),
                activity=sum(float(str(r.get("quantity") or 0)) for r in lin.input_rows)
                if lin and lin.input_rows
                else None,
                activity_unit=str(first.get("unit")) if first else None,
                factor=_factor_text(fac),
                factor_source=str(fac.get("source")) if fac else None,
                input_source=str(first.get("source")) if first.get("source") else None,
                flag=str(first.get("flag")) if first.get("flag") else None,
            )
        )
    out.sort(key=lambda line: -abs(line.emissions))
    return out


def _factor_text(fac: dict[str, Any]) -> str | None:
    if not fac:
        return None
    if fac.get("file") == "combustion_factors.csv":
        if fac.get("co2_ef"):
            return f"EF {fac['co2_ef']}"
        ncv = f"NCV {fac.get('ncv')} {fac.get('ncv_unit') or ''}"
        return f"{ncv} · C {fac.get('carbon_content')} t/TJ · O {fac.get('oxidation')}"
    return f"EF {fac.get('ef')} tCO2/{'MWh' if fac.get('file') == 'grid_factors.csv' else 't'}"
