"""Lineage of one figure: where a number on the overview (or any target card) comes from.

    lineage_page(settings, figure=…, db=…)   LineagePage: the value, the snapshot it was computed
                                              from, the formula and its section of docs/methods, the
                                              input series year by year (value, source, flag), the
                                              data records behind them (submission, version, file,
                                              cells) and, for inventory figures, the grid factors

`figure`: a headline key of the overview (total_co2, co2_intensity_reduction, non_fossil_share,
peak_probability) or a target code. The recipes (inputs, formula, doc section) are data:
carbonpeak/indicators/lineage.yaml.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from carbonpeak.accounting import factors
from carbonpeak.errors import NotFound
from carbonpeak.services import dataset
from carbonpeak.services.pages import targets as target_pages
from carbonpeak.services.pages.common import PageBase, load_plan_for, weakest
from carbonpeak.settings import Settings
from carbonpeak.store.db import Database

RECIPES_FILE = Path(__file__).resolve().parents[2] / "indicators" / "lineage.yaml"
HEADLINES = ("total_co2", "co2_intensity_reduction", "non_fossil_share", "peak_probability")
RECORD = re.compile(r"\[submission (\d+) v(\d+), (\S+) ([^\]]*)\]")


@cache
def recipes() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = yaml.safe_load(RECIPES_FILE.read_text(encoding="utf-8"))
    return data


class InputPoint(BaseModel):
    series: str
    year: int
    value: float | None
    unit: str
    flag: str | None = None
    source: str = ""


class RecordRef(BaseModel):
    submission_id: int
    version: int
    kind: str
    year: int
    filename: str
    rows: int = 0
    cells: list[str] = Field(default_factory=list)  # the first cells read, sheet!cell or file:line:col


class FactorRef(BaseModel):
    table: str
    key: str
    value: float
    unit: str
    source: str


class LineagePage(PageBase):
    figure: str = ""
    name_zh: str = ""
    name_en: str = ""
    value: float | None = None
    unit: str | None = None
    year: int | None = None
    base_year: int | None = None
    formula_zh: str = ""
    formula_en: str = ""
    doc: str = ""
    inputs: list[InputPoint] = Field(default_factory=list)
    records: list[RecordRef] = Field(default_factory=list)
    factors: list[FactorRef] = Field(default_factory=list)
    origin: str = ""  # store · files


def lineage_page(settings: Settings, *, figure: str | None, db: Database | None = None) -> LineagePage:
    plan = load_plan_for(settings)
    if plan is None:
        return LineagePage(missing=["plan"])
    tracked = target_pages.tracking(plan, db)
    targets = {t.code: t for t in plan.targets}
    code = figure or HEADLINES[0]
    row: dict[str, Any] | None = None
    if code in HEADLINES:
        key = {"total_co2": "co2_peak_2030", "non_fossil_share": "non_fossil_share_2025"}.get(code)
        row = tracked.rows.get(key) if key else None
        recipe_key = code if code != "total_co2" else "co2_total"
    elif code in targets:
        row = tracked.rows.get(code)
        recipe_key = targets[code].indicator
    else:
        raise NotFound(f"no figure {code!r}", message_zh=f"没有名为 {code} 的指标")
    recipe = recipes().get(recipe_key) or recipes().get(str((row or {}).get("series"))) or {}
    inputs = list(recipe.get("inputs") or ([row["series"]] if row and row.get("series") else []))
    region = tracked.region
    observations = target_pages.observations_for(region, db)
    year = int(row["latest_year"]) if row and row.get("latest_year") else tracked.year
    base: int | None = None
    value: float | None = None
    unit: str | None = None
    if code == "co2_intensity_reduction":
        base = 2005
        s = observations.get("co2_intensity", region) if observations is not None and region else None
        if s is not None and s.value(2005) and year is not None and s.value(year) is not None:
            value, unit = (
                round((1.0 - float(s.value(year) or 0.0) / float(s.value(2005) or 1.0)) * 100, 4),
                "%",
            )
    elif code == "peak_probability":
        value, unit = (
            (float(row["peak_probability"]), "") if row and row.get("peak_probability") else (None, "")
        )
    elif code == "total_co2":
        value, unit = (
            (float(row["latest"]), str(row.get("unit"))) if row and row.get("latest") else (None, None)
        )
    elif row is not None:
        value, unit = row.get("latest"), row.get("unit")
        base = row.get("judged_base_year") or targets[code].base_year if code in targets else None
    years = sorted({y for y in (base, year) if y is not None})
    if recipe.get("chain") and len(years) == 2:
        years = list(range(years[0], years[1] + 1))
    points: list[InputPoint] = []
    for name in inputs:
        s = observations.get(name, region) if observations is not None and region else None
        for y in years if name == "gdp_index" else sorted({y for y in (base, year) if y is not None}):
            if s is None:
                points.append(InputPoint(series=name, year=y, value=None, unit=""))
                continue
            k = [int(v) for v in s.years].index(y) if y in [int(v) for v in s.years] else None
            points.append(
                InputPoint(
                    series=name,
                    year=y,
                    value=None if k is None else float(s.values[k]),
                    unit=s.unit,
                    flag=None if k is None else s.flags[k],
                    source="" if k is None else s.sources[k],
                )
            )
    data = dataset.current(db)
    records = _records(data, inputs, {p.year for p in points}, bool(recipe.get("inventory")))
    name = targets.get(code)
    return LineagePage(
        snapshot=data.id,
        factor_library=dataset.versions()["factor_library"],
        methods=dataset.versions()["methods"],
        origin=data.origin,
        figure=code,
        name_zh=name.name_zh if name else "",
        name_en=name.name_en if name else "",
        value=value,
        unit=unit,
        year=year,
        base_year=base,
        formula_zh=str(recipe.get("formula_zh") or ""),
        formula_en=str(recipe.get("formula_en") or ""),
        doc=str(recipe.get("doc") or "docs/methods/indicators.md"),
        inputs=points,
        records=records,
        factors=_grid_factors(years[-1]) if recipe.get("inventory") and years else [],
        flag=weakest([p.flag for p in points]) if points else None,
    )


def _records(data: dataset.DataSet, inputs: list[str], years: set[int], inventory: bool) -> list[RecordRef]:
    """The data records of `data` behind the input series in `years`: the energy balance of those
    years for inventory figures, the record holding each series value otherwise."""
    found: dict[int, RecordRef] = {}
    if inventory:
        for r in data.balance:
            if int(r["year"]) not in years:
                continue
            m = RECORD.search(r.get("source", ""))
            if m is None:
                continue
            sid = int(m.group(1))
            ref = found.setdefault(
                sid,
                RecordRef(
                    submission_id=sid,
                    version=int(m.group(2)),
                    kind="energy_balance",
                    year=int(r["year"]),
                    filename=m.group(3),
                ),
            )
            ref.rows += 1
            if len(ref.cells) < 5:
                ref.cells.append(m.group(4))
    for rec in data.records:
        if rec.key in inputs and rec.year in years:
            ref = found.setdefault(
                rec.submission_id,
                RecordRef(
                    submission_id=rec.submission_id,
                    version=rec.version,
                    kind=rec.kind,
                    year=rec.year,
                    filename=rec.filename,
                ),
            )
            ref.rows += 1
            if len(ref.cells) < 5:
                ref.cells.append(rec.location)
    return sorted(found.values(), key=lambda r: (r.kind, r.year, r.submission_id))


def _grid_factors(year: int) -> list[FactorRef]:
    """The grid CO2 factors of `year` (or the nearest year tabulated) that price imported electricity."""
    rows = factors.grid_factors()
    if not rows:
        return []
    nearest = min({g.year for g in rows}, key=lambda y: (abs(y - year), -y))
    return [
        FactorRef(
            table="grid_factors.csv",
            key=f"{g.region} {g.year} {g.kind}",
            value=g.ef,
            unit="tCO2/MWh",
            source=g.source,
        )
        for g in rows
        if g.year == nearest and g.region in ("CN", "华北", "山东")
    ]


__all__ = ["HEADLINES", "LineagePage", "lineage_page", "recipes"]
