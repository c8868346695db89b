"""两高 projects: specific energy use against the national 能效标杆水平 / 基准水平 (pure).

    levels() -> {product: EfficiencyLevel}   data/efficiency-levels.csv, a source on every row
    efficiency_status(product, value)        "benchmark" (at or better than 标杆), "between",
                                             "below_baseline" (worse than 基准: to be upgraded or exit)

Lower is better for every level tabulated (kgce/t, kgoe/t; a negative converter figure means net
energy recovered). Columns: product, name_zh, name_en, indicator_zh, unit, benchmark, baseline,
edition, source, check_status (docs/methods/enterprise.md#lianggao).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LEVELS_FILE = Path(__file__).with_name("data") / "efficiency-levels.csv"
STATUSES = ("benchmark", "between", "below_baseline")


@dataclass(frozen=True)
class EfficiencyLevel:
    row: int
    product: str
    name_zh: str
    name_en: str
    indicator_zh: str
    unit: str
    benchmark: float
    baseline: float
    edition: str
    source: str
    check_status: str


@cache
def levels() -> dict[str, EfficiencyLevel]:
    with LEVELS_FILE.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out = {}
    for i, r in enumerate(rows, start=2):
        out[r["product"]] = EfficiencyLevel(
            i,
            r["product"],
            r["name_zh"],
            r["name_en"],
            r["indicator_zh"],
            r["unit"],
            float(r["benchmark"]),
            float(r["baseline"]),
            r["edition"],
            r["source"],
            r["check_status"],
        )
    return out


def efficiency_status(product: str, value: float) -> str:
    """Where `value` (in the level's unit) stands: benchmark, between or below_baseline."""
    lv = levels()[product]
    if value <= lv.benchmark:
        return "benchmark"
    if value <= lv.baseline:
        return "between"
    return "below_baseline"


__all__ = ["STATUSES", "EfficiencyLevel", "efficiency_status", "levels"]
