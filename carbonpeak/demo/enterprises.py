"""The demo population of enterprises, built as files of the enterprise data kinds (statistics/kinds.yaml:
`enterprises`, `enterprise_year`, `enterprise_month`) that `demo load` imports through the same path
as any upload (services/demo.py) and that services/enterprise.py reads before anything is published.

    demo_files(data_dir) -> [(kind, file name, bytes)]

Who is in it (docs/methods/enterprise.md#demo):
- the big units of the plan's industries (data/enterprise-units.csv): the plan names no company, so
  each is named after the plan's site or industry it stands for (钢城 steel, 刁镇 and 商河 chemical
  parks, coal power and heat, 长清 cement, refining and coking). Their energy and process figures are
  `estimated`: a stated share (`share`) of their inventory sectors' rows (`sectors`) of the demo energy
  balance of the year (carbonpeak/demo/data/energy-balance.csv); value added = energy (tce, calorific)
  ÷ an assumed energy intensity (`va_intensity`, tce/万元). Their register rows are `estimated` too
  (the USCC is generated with a valid check digit; it is not the enterprise's code);
- their ETS and 两高 figures are `sample` (illustrative: allocation and surrender are not published;
  verified = the account's direct CO2; steel enters the market in 2024 with allocation = verified);
- a synthetic tail of smaller enterprises (seeded random numbers), flagged `sample`.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np

from carbonpeak.enterprise import accounts
from carbonpeak.enterprise.scheme import load_scheme
from carbonpeak.enterprise.uscc import check_character

DATA_DIR = Path(__file__).with_name("data")
YEARS = (2021, 2022, 2023, 2024)
MONTHLY_YEAR = 2024
SEED = 20241
PREFIX = "demo-sample-"
BALANCE_SOURCE = "carbonpeak demo: share of the demo energy balance (carbonpeak/demo/data/energy-balance.csv)"
# the synthetic tail: division → number of enterprises, in the industries the demo balance has rows for
# (power, 44, and refining and coking, 25, have fewer named units than the minimum population: not graded)
TAIL = {"13": 8, "26": 10, "30": 10, "31": 6, "34": 10, "36": 8, "39": 6}
TAIL_DISTRICTS = (
    ("licheng", "370112"),
    ("zhangqiu", "370114"),
    ("laiwu", "370116"),
    ("gangcheng", "370117"),
    ("changqing", "370113"),
    ("jiyang", "370115"),
    ("tianqiao", "370105"),
    ("pingyin", "370124"),
    ("shanghe", "370126"),
    ("huaiyin", "370104"),
)


def uscc_for(division: str, seq: int) -> str:
    """A synthetic USCC: 9 (工商) 1 (企业), the district's division code, an organisation code `MA` +
    7 digits, and the GB 32100-2015 check character."""
    first = f"91{division}MA{seq:07d}"
    return first + check_character(first)


def _csv(rows: list[dict[str, object]]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _balance(data_dir: Path) -> list[dict[str, str]]:
    with (data_dir / "energy-balance.csv").open(encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if int(r["year"]) in YEARS]


def _seasonal(m: int, amplitude: float) -> float:
    """Month weight of a year (Σ over 12 months = 1): 1 + a·cos(2π(m−1)/12), heavier in winter."""
    return (1 + amplitude * math.cos(2 * math.pi * (m - 1) / 12)) / 12


def demo_files(data_dir: Path = DATA_DIR) -> list[tuple[str, str, bytes]]:
    with (data_dir / "enterprise-units.csv").open(encoding="utf-8") as fh:
        units = list(csv.DictReader(fh))
    balance = _balance(data_dir)
    catalogue = accounts.items()
    scheme = load_scheme()
    register: list[dict[str, object]] = []
    annual: list[dict[str, object]] = []
    monthly: list[dict[str, object]] = []
    # energy and process quantities of each unit and year, canonical units
    quantities: dict[tuple[str, int], dict[str, float]] = {}

    def add(
        uscc: str, year: int, item: str, value: float, unit: str, flag: str, method: str, source: str
    ) -> None:
        annual.append(
            {
                "uscc": uscc,
                "year": year,
                "item": item,
                "value": round(value, 3),
                "unit": unit,
                "flag": flag,
                "method": method,
                "source": source,
            }
        )

    for seq, u in enumerate(units, start=1):
        uscc = uscc_for(u["division"], seq)
        for year in YEARS:
            register.append(
                {
                    "uscc": uscc,
                    "year": year,
                    "name_zh": u["name_zh"],
                    "name_en": u["name_en"],
                    "industry": u["industry"],
                    "district": u["district"],
                    "key_energy_unit": "yes",
                    "ets": u["ets"],
                    "lianggao": u["lianggao"],
                    "reporters": u["reporters"],
                    "flag": "estimated",
                    "method": f"named after the plan: {u['note']}; USCC generated (valid check digit)",
                    "source": "carbonpeak demo (carbonpeak/demo/data/enterprise-units.csv)",
                }
            )
        share = float(u["share"])
        sectors = set(u["sectors"].split())
        for year in YEARS:
            q: dict[str, float] = {}
            for r in balance:
                if int(r["year"]) != year or r["sector"] not in sectors or float(r["quantity"]) <= 0:
                    continue
                code = r["fuel"] if r["fuel"] in catalogue else f"process:{r['fuel']}"
                if code not in catalogue:
                    continue
                value = accounts.canonical_value(float(r["quantity"]) * share, r["unit"], code)
                q[code] = q.get(code, 0.0) + value
            quantities[(uscc, year)] = q
            method = f"{share:.0%} of rows {'+'.join(sorted(sectors))} of the demo energy balance {year}"
            for code, value in sorted(q.items()):
                add(uscc, year, code, value, catalogue[code].unit, "estimated", method, BALANCE_SOURCE)
            codes = tuple(q)
            fv = accounts.factor_vector(codes, year, scheme)
            vec = np.asarray([q[c] for c in codes])
            tce = float(accounts.energy_tce(vec, fv))
            va = tce / float(u["va_intensity"])
            add(
                uscc,
                year,
                "value_added",
                va,
                "万元",
                "estimated",
                f"energy {tce:,.0f} tce ÷ assumed {u['va_intensity']} tce/万元",
                "carbonpeak demo assumption",
            )
            direct = float(accounts.co2(vec, fv)[0])
            ets_method = "illustrative: verified = the account's direct CO2; allocation and surrender assumed"
            if u["ets"] == "yes" and (u["key"] != "steel" or year == 2024):
                allocated = direct if u["key"] == "steel" else direct * 0.97
                add(uscc, year, "ets_verified", direct, "tCO2", "sample", ets_method, "carbonpeak demo")
                add(uscc, year, "ets_allocated", allocated, "tCO2", "sample", ets_method, "carbonpeak demo")
                if not (u["key"] == "power_c" and year == 2024):  # 2024 not yet surrendered
                    surrendered = direct * (0.95 if (u["key"] == "power_b" and year == 2023) else 1.0)
                    add(
                        uscc,
                        year,
                        "ets_surrendered",
                        surrendered,
                        "tCO2",
                        "sample",
                        ets_method,
                        "carbonpeak demo",
                    )
            if u["lianggao"]:
                lv = catalogue[f"sec:{u['lianggao']}"]
                add(
                    uscc,
                    year,
                    lv.code,
                    float(u["sec_value"]) * (1 + 0.01 * (2024 - year)),
                    lv.unit,
                    "sample",
                    "illustrative specific energy use",
                    "carbonpeak demo",
                )
            if year == MONTHLY_YEAR:
                amp = 0.25 if u["key"].startswith("power") else 0.08
                for m in range(1, 13):
                    w = _seasonal(m, amp)
                    for code, value in [*sorted(q.items()), ("value_added", va)]:
                        monthly.append(
                            {
                                "uscc": uscc,
                                "year": year,
                                "month": m,
                                "item": code,
                                "value": round(value * (w if code != "value_added" else 1 / 12), 3),
                                "unit": catalogue[code].unit,
                                "flag": "estimated",
                                "method": f"annual figure × month weight {w * 12:.3f}/12",
                                "source": BALANCE_SOURCE,
                            }
                        )
    rng = np.random.default_rng(SEED)
    seq = 100
    for division, count in TAIL.items():
        for i in range(count):
            seq += 1
            district, code6 = TAIL_DISTRICTS[(seq + i) % len(TAIL_DISTRICTS)]
            uscc = uscc_for(code6, seq)
            for year in YEARS:
                register.append(
                    {
                        "uscc": uscc,
                        "year": year,
                        "name_zh": f"示例企业{seq:03d}",
                        "name_en": f"Sample enterprise {seq:03d}",
                        "industry": division,
                        "district": district,
                        "key_energy_unit": "yes" if i % 3 == 0 else "no",
                        "ets": "no",
                        "lianggao": "",
                        "reporters": "",
                        "flag": "sample",
                        "method": "synthetic tail",
                        "source": "carbonpeak demo",
                    }
                )
            base_el = float(rng.lognormal(math.log(8000), 0.6))
            base_gas = float(rng.lognormal(math.log(60), 0.8))
            coal = (
                float(rng.lognormal(math.log(1500), 0.7))
                if division in ("13", "22", "26", "30", "17")
                else 0.0
            )
            va0 = float(rng.lognormal(math.log(9000), 0.5)) * (0.4 if i == 0 else 1.0)
            for year in YEARS:
                trend = 1 - 0.03 * (year - YEARS[0])
                q = {"electricity": base_el * trend, "natural_gas": base_gas * trend}
                if coal:
                    q["raw_coal"] = coal * trend
                va = va0 * (1 + 0.05 * (year - YEARS[0]))
                for code, value in sorted(q.items()):
                    add(
                        uscc,
                        year,
                        code,
                        value,
                        catalogue[code].unit,
                        "sample",
                        "synthetic tail",
                        "carbonpeak demo",
                    )
                add(uscc, year, "value_added", va, "万元", "sample", "synthetic tail", "carbonpeak demo")
                if year == MONTHLY_YEAR:
                    for m in range(1, 13):
                        w = _seasonal(m, 0.08)
                        for code, value in [*sorted(q.items()), ("value_added", va)]:
                            monthly.append(
                                {
                                    "uscc": uscc,
                                    "year": year,
                                    "month": m,
                                    "item": code,
                                    "value": round(value * (w if code != "value_added" else 1 / 12), 3),
                                    "unit": catalogue[code].unit,
                                    "flag": "sample",
                                    "method": "synthetic tail",
                                    "source": "carbonpeak demo",
                                }
                            )
    return [
        ("enterprises", f"{PREFIX}enterprises.csv", _csv(register)),
        ("enterprise_year", f"{PREFIX}enterprise-year.csv", _csv(annual)),
        ("enterprise_month", f"{PREFIX}enterprise-month.csv", _csv(monthly)),
    ]


__all__ = ["MONTHLY_YEAR", "YEARS", "demo_files", "uscc_for"]
