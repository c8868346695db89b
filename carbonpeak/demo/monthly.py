"""The demo's monthly electricity consumption (data kind `electricity_monthly`), built from the demo
energy balance and stated assumptions; written to carbonpeak/demo/data/electricity-monthly.csv by
`python -m carbonpeak.demo.monthly` and checked equal to this build by the tests.

No published monthly series of Jinan's 全社会用电量 by sector was at hand offline, so every row is
`estimated` (city) or `sample` (districts), each with its method:

- city, 2015–2024: the year's electricity use by sector in the demo energy balance (第一产业 = S01;
  第二产业 = S02–S42; 第三产业 = S43–S45; 城乡居民生活 = S46–S47) spread over the months by PROFILE;
- city, 2025 and January–October 2026: the 2024 (2025) figure grown by GROWTH, spread the same way;
- districts: the city's sector figure split by DISTRICT_WEIGHTS (sector weight × 2023 GDP, population
  for households), with DISTRICT_2026 extra growth in 2026 — written to show the warnings, `sample`.
Replace with the power company's monthly figures: `carbonpeak data import electricity_monthly FILE`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from carbonpeak import units
from carbonpeak.accounting import factors

DATA = Path(__file__).resolve().parent / "data"
OUT = DATA / "electricity-monthly.csv"
FIRST_YEAR, BALANCE_LAST, LAST_YEAR, LAST_MONTH = 2015, 2024, 2026, 10
SECTORS = ("primary", "secondary", "tertiary", "residential")
GROUP_SECTOR = {
    "primary": "primary",
    "industry": "secondary",
    "construction": "secondary",
    "transport": "tertiary",
    "services": "tertiary",
    "households": "residential",
}
# ASSUMPTION: monthly shares of the year (normalised), of the shape of China's monthly 全社会用电量:
# February low (Spring Festival), summer peak of cooling, winter peak of electric heating in homes.
PROFILE = {
    "primary": (60, 55, 75, 85, 95, 105, 105, 100, 90, 85, 75, 70),
    "secondary": (80, 68, 85, 82, 85, 84, 88, 89, 84, 82, 85, 88),
    "tertiary": (90, 78, 75, 70, 73, 85, 105, 108, 85, 72, 75, 84),
    "residential": (105, 95, 78, 68, 65, 75, 105, 110, 80, 65, 70, 94),
}
# ASSUMPTION: growth of electricity use by sector after the balance's last year, of the order of
# Shandong's recent growth (%).
GROWTH = {
    2025: {"primary": 8.0, "secondary": 3.5, "tertiary": 8.0, "residential": 5.0},
    2026: {"primary": 6.0, "secondary": 4.0, "tertiary": 7.0, "residential": 4.0},
}
# ASSUMPTION (sample): relative weight of a district's use per unit of GDP by sector (households: per
# resident); the industrial districts weigh more in the secondary sector.
DISTRICT_WEIGHTS = {
    "lixia": (0.3, 0.3, 1.3),
    "shizhong": (0.3, 0.4, 1.3),
    "huaiyin": (0.5, 0.6, 1.2),
    "tianqiao": (0.6, 0.7, 1.1),
    "licheng": (1.0, 1.6, 1.0),
    "changqing": (1.5, 1.5, 0.9),
    "zhangqiu": (1.5, 2.0, 0.9),
    "jiyang": (2.0, 1.8, 0.8),
    "laiwu": (1.5, 2.5, 0.9),
    "gangcheng": (1.5, 3.0, 0.8),
    "pingyin": (2.5, 2.0, 0.8),
    "shanghe": (3.0, 1.3, 0.8),
    "high_tech_zone": (0.2, 0.8, 1.2),
    "qibu_zone": (1.0, 1.5, 0.9),
    "southern_mountain": (2.0, 0.5, 0.9),
}  # (primary, secondary, tertiary) per unit of GDP
DISTRICT_2026 = {"gangcheng": 10.0, "laiwu": 5.0, "high_tech_zone": 3.0}  # extra % in 2026 (sample)
SOURCE = "carbonpeak demo (carbonpeak/demo/monthly.py)"


def _annual_city() -> dict[int, dict[str, float]]:
    """Electricity use (亿kWh) by sector and year from the demo balance, then grown by GROWTH."""
    group = {code: s.group for code, s in factors.sectors().items()}
    out: dict[int, dict[str, float]] = {}
    with (DATA / "energy-balance.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            year = int(r["year"])
            sector = GROUP_SECTOR.get(group.get(r["sector"], ""))
            if r["fuel"] != "electricity" or sector is None or not FIRST_YEAR <= year <= BALANCE_LAST:
                continue
            q = float(units.convert(float(r["quantity"]), units.lookup(r["unit"]).name, "亿kWh"))
            by = out.setdefault(year, dict.fromkeys(SECTORS, 0.0))
            by[sector] += q
    for year in sorted(GROWTH):
        out[year] = {s: out[year - 1][s] * (1 + GROWTH[year][s] / 100) for s in SECTORS}
    return out


def _district_shares() -> dict[str, dict[str, float]]:
    """sector → district → share (sum 1) from DISTRICT_WEIGHTS × 2023 GDP (population for homes)."""
    gdp: dict[str, float] = {}
    pop: dict[str, float] = {}
    with (DATA / "districts.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["year"] == "2023":
                (gdp if r["indicator"] == "gdp" else pop)[r["region"]] = float(r["value"])
    out: dict[str, dict[str, float]] = {}
    for i, sector in enumerate(SECTORS[:3]):
        raw = {d: w[i] * gdp[d] for d, w in DISTRICT_WEIGHTS.items() if d in gdp}
        out[sector] = {d: v / sum(raw.values()) for d, v in raw.items()}
    people = {d: pop.get(d, 0.0) for d in DISTRICT_WEIGHTS}
    out["residential"] = {d: v / sum(people.values()) for d, v in people.items()}
    return out


def build_rows() -> Iterator[dict[str, object]]:
    """The rows of electricity-monthly.csv in the kind's layout."""
    annual = _annual_city()
    shares = _district_shares()
    profile = {s: [v / sum(p) for v in p] for s, p in PROFILE.items()}
    for year in sorted(annual):
        months = LAST_MONTH if year == LAST_YEAR else 12
        later = year > BALANCE_LAST
        method = (
            f"demo balance {min(year, BALANCE_LAST)} electricity by sector"
            + (" grown by assumed rates (demo/monthly.py GROWTH)" if later else "")
            + " × assumed monthly profile (demo/monthly.py PROFILE)"
        )
        for m in range(months):
            city = {s: annual[year][s] * profile[s][m] for s in SECTORS}
            base = {"region": "jinan", "year": year, "month": m + 1, "unit": "亿kWh"}
            yield {
                **base,
                "indicator": "electricity_total",
                "value": round(sum(city.values()), 4),
                "flag": "estimated",
                "method": method + "; total = sum of the sectors",
                "source": SOURCE,
            }
            for s in SECTORS:
                yield {
                    **base,
                    "indicator": f"electricity_{s}",
                    "value": round(city[s], 4),
                    "flag": "estimated",
                    "method": method,
                    "source": SOURCE,
                }
            extra = {
                d: 1 + DISTRICT_2026.get(d, 0.0) / 100 if year == LAST_YEAR else 1.0 for d in DISTRICT_WEIGHTS
            }
            for d in DISTRICT_WEIGHTS:
                for s in SECTORS:
                    yield {
                        "region": d,
                        "year": year,
                        "month": m + 1,
                        "unit": "亿kWh",
                        "indicator": f"electricity_{s}",
                        "value": round(city[s] * shares[s][d] * (extra[d] if s == "secondary" else 1.0), 4),
                        "flag": "sample",
                        "method": "city figure × assumed district share (demo/monthly.py DISTRICT_WEIGHTS"
                        + (", DISTRICT_2026" if year == LAST_YEAR else "")
                        + ")",
                        "source": SOURCE,
                    }


COLUMNS = ("indicator", "region", "year", "month", "value", "unit", "flag", "method", "source")


def csv_text() -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(build_rows())
    return buf.getvalue()


if __name__ == "__main__":
    OUT.write_text(csv_text(), encoding="utf-8")
