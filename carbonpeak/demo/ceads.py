"""Cross-check of the demo inventory against the CEADs city inventories (Shan et al.).

    ceads_series()           data/ceads-city-co2.csv on today's boundary: 济南 + 莱芜 before 2019,
                             济南 from 2019 (the merged city); a year missing either part is left out
    residuals(ours, ceads)   year → (ours, ceads, ours/ceads − 1) for the years both have

CEADs counts scope-1 CO2 inside the city: fossil fuel combustion (apparent consumption, including
power and heating plants) and cement process CO2, 10^4 t CO2. The comparable figure of our inventory
is its direct total (`direct_t`: energy + process, without the indirect CO2 of imported
electricity). The residuals and their explanations: docs/methods/dataset.md#ceads.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from functools import cache

from carbonpeak.demo.build import DATA_DIR

CEADS_FILE = DATA_DIR / "ceads-city-co2.csv"
MERGER_YEAR = 2019  # 莱芜市 merged into 济南市 (State Council approval 2019-01-09)


@cache
def ceads_rows() -> tuple[dict[str, str], ...]:
    with CEADS_FILE.open(encoding="utf-8") as f:
        return tuple(csv.DictReader(f))


def ceads_series(parts: tuple[str, ...] = ("jinan", "laiwu")) -> dict[int, float]:
    """CEADs CO2 of today's Jinan by year, 10^4 t CO2 (万tCO2).

    Before MERGER_YEAR the sum of the old cities in `parts`, only for years where CEADs has every
    part (CEADs has no 莱芜 row for 2018); from MERGER_YEAR the row of 济南 alone, which CEADs already
    gives on the merged boundary.
    """
    by_year: dict[int, dict[str, float]] = {}
    for r in ceads_rows():
        if r["indicator"] == "co2_ceads":
            by_year.setdefault(int(r["year"]), {})[r["region"]] = float(r["value"])
    out: dict[int, float] = {}
    for year, values in sorted(by_year.items()):
        if year >= MERGER_YEAR:
            if "jinan" in values:
                out[year] = values["jinan"]
        elif all(p in values for p in parts):
            out[year] = sum(values[p] for p in parts)
    return out


def residuals(ours: Mapping[int, float], ceads: Mapping[int, float]) -> dict[int, tuple[float, float, float]]:
    """year → (ours, ceads, relative residual ours/ceads − 1) for the years in both (same unit)."""
    return {y: (ours[y], ceads[y], ours[y] / ceads[y] - 1.0) for y in sorted(set(ours) & set(ceads))}


__all__ = ["CEADS_FILE", "MERGER_YEAR", "ceads_rows", "ceads_series", "residuals"]
