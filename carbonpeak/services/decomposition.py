"""Use case: why did emissions move? (`carbonpeak decompose`, GET /api/decomposition)

    decompose_emissions(...)  the LMDI-I effects of population, affluence, structure, intensity, fuel mix
                              and emission factors between two years, chained year by year or in one step

Input: a decomposition table (carbonpeak/decomposition/table.py; the packaged sample is
`input_file=SAMPLE_FILE`), a KayaSeries, or by default the platform's current data set
(`kaya_series`: the inventory of the data set's energy balance; `input` = "demo" or the snapshot,
`flag` = "estimated"). `flag` is the weakest flag of the input when it is known, else None.

    kaya_series(region=None, database=None)       KayaSeries of the data set (services/dataset.py) for
                                                 the decomposition and the nowcast's sector shares
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from carbonpeak import units
from carbonpeak.accounting import factors
from carbonpeak.decomposition.lmdi import FACTORS, KayaSeries, decompose
from carbonpeak.decomposition.table import SAMPLE_FILE, UNITS, read_kaya_table
from carbonpeak.errors import InputError, NotFound
from carbonpeak.i18n import t
from carbonpeak.indicators.derived import gdp_constant
from carbonpeak.indicators.series import Observations
from carbonpeak.services import dataset
from carbonpeak.services.projection import inventory_history
from carbonpeak.validation import problem

if TYPE_CHECKING:
    from carbonpeak.services.dataset import DataSet
    from carbonpeak.store.db import Database

PRICE_YEAR = 2020  # constant prices of the decomposition's GDP (any year gives the same effects)
# Kaya sectors: the CEADs sector groups of accounting/data/sectors.csv aggregated to three
# value-added sectors and households (activity = GDP; see docs/methods/dataset.md).
KAYA_SECTORS = ("primary", "industry", "services", "households")
SECTOR_OF_GROUP = {
    "primary": "primary",
    "industry": "industry",
    "construction": "industry",
    "transport": "services",
    "services": "services",
    "households": "households",
}
KAYA_FUELS = ("coal", "oil", "gas", "electricity", "primary_electricity", "non_fossil")
# ASSUMPTION (flag estimated): shares of GDP (%) of the three sectors, linear between the two years.
# Jinan's demo set has no value added by sector; these are of the order of the three-sector
# structure in Jinan's statistical communiqués, not transcribed from them. Replace with the
# published 三次产业增加值 at comparable prices when the office loads them.
VALUE_ADDED_SHARES = {
    2005: {"primary": 6.0, "industry": 46.0, "services": 48.0},
    2024: {"primary": 3.5, "industry": 33.5, "services": 63.0},
}


def decompose_emissions(
    *,
    start: int | None = None,
    end: int | None = None,
    input_file: Path | str | None = None,
    series: KayaSeries | None = None,
    chained: bool = True,
    database: Database | None = None,
) -> dict[str, Any]:
    """Effects (万tCO2, and indices) of the six Kaya factors on the change of emissions, `start` → `end`."""
    source, flag, scope = "given", None, None
    if series is None and input_file:
        path = Path(input_file)
        series = read_kaya_table(path)
        if path.resolve() == SAMPLE_FILE.resolve():
            source, flag = "sample", "sample"
        else:
            source = str(path)
    elif series is None:
        series = kaya_series(database=database)
        data = dataset.current(database)
        label = dataset.LABEL if data.origin == "files" else f"snapshot {data.id}"
        source, flag, scope = label, dataset.FLAG, "decomposition.scope.dataset"
    series = _between(series, start, end)
    d = decompose(series, chained=chained)
    total_add, total_mult = d.total_additive(), d.total_multiplicative()
    first, last = float(d.start[0]), float(d.end[-1])
    change = last - first

    def effects(add: np.ndarray, mult: np.ndarray | None = None) -> list[dict[str, Any]]:
        return [
            {
                "factor": f,
                "label_zh": t(f"decomposition.factor.{f}", "zh"),
                "label_en": t(f"decomposition.factor.{f}", "en"),
                "additive": round(float(add[k]), 6),
                **({"multiplicative": round(float(mult[k]), 8)} if mult is not None else {}),
            }
            for k, f in enumerate(FACTORS)
        ]

    by_sector, by_fuel = d.by_sector().sum(axis=0), d.by_fuel().sum(axis=0)
    return {
        "method": "LMDI-I additive and multiplicative (Ang 2004, 2005); zeros by Ang & Liu (2007)",
        "chained": chained,
        "input": source,
        "flag": flag,
        # what the emissions cover (the data set's energy CO2; process CO2 has no energy to divide by)
        "scope_zh": t(scope, "zh") if scope else None,
        "scope_en": t(scope, "en") if scope else None,
        "unit": UNITS["emissions"],
        "from": series.years[0],
        "to": series.years[-1],
        "start_emissions": round(first, 6),
        "end_emissions": round(last, 6),
        "change": round(change, 6),
        "ratio": round(last / first, 8) if first > 0 else None,
        "effects": effects(total_add, total_mult),
        "by_period": [
            {"from": a, "to": b, "effects": effects(d.additive[k], d.multiplicative[k])}
            for k, (a, b) in enumerate(d.periods)
        ],
        "by_sector": [{"sector": s, "effects": effects(by_sector[:, k])} for k, s in enumerate(d.sectors)],
        "by_fuel": [{"fuel": f, "effects": effects(by_fuel[:, k])} for k, f in enumerate(d.fuels)],
    }


def _between(series: KayaSeries, start: int | None, end: int | None) -> KayaSeries:
    years = series.years
    start = years[0] if start is None else start
    end = years[-1] if end is None else end
    problems = [
        problem(name, "decomposition.year", str(y), y=y, years=years[0], years2=years[-1])
        for name, y in (("from", start), ("to", end))
        if y not in years
    ]
    if not problems and end <= start:
        problems.append(problem("to", "decomposition.order"))
    missing = [y for y in range(start, end + 1) if y not in years] if not problems else []
    problems += [problem("years", "decomposition.gap", str(y), y=y) for y in missing]
    if problems:
        raise InputError("the decomposition period does not fit the data", problems)
    a, b = years.index(start), years.index(end) + 1
    return KayaSeries(
        years=years[a:b],
        sectors=series.sectors,
        fuels=series.fuels,
        population=series.population[a:b],
        gdp=series.gdp[a:b],
        sector_gdp=series.sector_gdp[a:b],
        energy=series.energy[a:b],
        emissions=series.emissions[a:b],
    )


def kaya_series(region: str | None = None, *, database: Database | None = None) -> KayaSeries:
    """The decomposition input from the same inventory: population (万人), GDP at constant 2020
    prices (亿元), value added of primary / industry / services (assumed shares, see
    VALUE_ADDED_SHARES) and households (activity = GDP), final energy by sector × fuel group (万tce,
    electricity at calorific value, heating plants' fuel allocated to heat users) and energy CO2 by
    sector × fuel group (万tCO2, power plants' CO2 and the indirect CO2 of net imported electricity
    allocated to electricity use). Flag `estimated`. From the data set of `database`
    (services/dataset.current), computed once per data set; `region` defaults to the store's
    (Settings.region)."""
    region = region or dataset.region_of(database)
    data = dataset.current(database)
    key = (region, data.id)
    if key not in _KAYA:
        if len(_KAYA) >= 4:
            _KAYA.clear()
        if data.files is not None:  # the folder's files: their observations, no approved reports over them
            _KAYA[key] = _kaya_of(region, dataset.data_observations(region, data), data)
        else:
            _KAYA[key] = _kaya_of(region, dataset.dataset_observations(region, database=database), data)
    return _KAYA[key]


_KAYA: dict[tuple[str, str], KayaSeries] = {}


# --- the data set's decomposition input ----------------------------------------------------------


def value_added_shares(year: int) -> dict[str, float]:
    """The assumed value-added shares (fractions summing to 1) of primary, industry and services."""
    (y0, first), (y1, last) = sorted(VALUE_ADDED_SHARES.items())
    w = min(max((year - y0) / (y1 - y0), 0.0), 1.0)
    raw = {s: (1 - w) * first[s] + w * last[s] for s in first}
    total = sum(raw.values())
    return {s: v / total for s, v in raw.items()}


def _kaya_of(region: str, obs: Observations, data: DataSet) -> KayaSeries:
    pop, cur, idx = (obs.get(c, region) for c in ("population", "gdp_current", "gdp_index"))
    if pop is None or cur is None or idx is None:
        raise NotFound(
            f"the data set has no population or GDP for {region!r}",
            message_zh=f"数据集中没有 {region} 的常住人口或地区生产总值",
        )
    gdp = gdp_constant(cur, idx, PRICE_YEAR)
    history = inventory_history(region=region, data=data)
    years = tuple(y for y in sorted(history.records) if gdp.value(y) is not None and pop.value(y) is not None)
    group = {code: s.group for code, s in factors.sectors().items()}
    t, i, j = len(years), len(KAYA_SECTORS), len(KAYA_FUELS)
    energy, emissions = np.zeros((t, i, j)), np.zeros((t, i, j))
    population, gdp_arr, sector_gdp = np.zeros(t), np.zeros(t), np.zeros((t, i))
    el = KAYA_FUELS.index("electricity")
    for k, year in enumerate(years):
        rec = history.records[year]
        for (code, fuel), tce in rec.energy.items():
            s, f = KAYA_SECTORS.index(SECTOR_OF_GROUP[group[code]]), KAYA_FUELS.index(fuel)
            energy[k, s, f] += tce
            emissions[k, s, f] += rec.co2.get((code, fuel), 0.0)
        # what the inventory counts beyond final use and processes: local power plants' fuel and the
        # indirect CO2 of net imported electricity, allocated to the sectors by electricity use
        power = rec.total_co2 - rec.process_co2 - float(emissions[k].sum())
        use = energy[k, :, el]
        if use.sum() > 0:
            emissions[k, :, el] += power * use / use.sum()
        g = float(gdp.value(year) or 0.0)
        shares = value_added_shares(year)
        population[k], gdp_arr[k] = float(pop.value(year) or 0.0), g
        sector_gdp[k] = [g * shares[s] if s in shares else g for s in KAYA_SECTORS]
    used = [f for f in range(j) if energy[:, :, f].any() or emissions[:, :, f].any()]
    return KayaSeries(
        years=years,
        sectors=KAYA_SECTORS,
        fuels=tuple(KAYA_FUELS[f] for f in used),
        population=population,
        gdp=gdp_arr,
        sector_gdp=sector_gdp,
        energy=units.convert(energy[:, :, used], "tce", "万tce"),
        emissions=units.convert(emissions[:, :, used], "tCO2", "万tCO2"),
    )


__all__ = [
    "KAYA_FUELS",
    "KAYA_SECTORS",
    "VALUE_ADDED_SHARES",
    "decompose_emissions",
    "kaya_series",
    "value_added_shares",
]
