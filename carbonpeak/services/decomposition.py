"""Use case: why did emissions move? (`carbonpeak decompose`, GET /api/decomposition)

    decompose_emissions(...)  the LMDI-I effects of population, affluence, structure, intensity, fuel mix
                              and emission factors between two years, chained year by year or in one step

Input: a decomposition table (carbonpeak/decomposition/table.py; the packaged sample is
`input_file=SAMPLE_FILE`), a KayaSeries, or by default the platform's current data set
(services/dataset.kaya_series: the inventory of the demo energy balance; `input` = "demo",
`flag` = "estimated"). `flag` is the weakest flag of the input when it is known, else None.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from carbonpeak.decomposition.lmdi import FACTORS, KayaSeries, decompose
from carbonpeak.decomposition.table import SAMPLE_FILE, UNITS, read_kaya_table
from carbonpeak.errors import InputError, Problem
from carbonpeak.i18n import t
from carbonpeak.services import dataset

if TYPE_CHECKING:
    from carbonpeak.store.db import Database


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
        series = dataset.kaya_series(database=database)
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
        Problem(
            name,
            "decomposition.year",
            f"数据中没有{y}年",
            f"the table has no year {y} (has {years[0]}–{years[-1]})",
            value=str(y),
        )
        for name, y in (("from", start), ("to", end))
        if y not in years
    ]
    if not problems and end <= start:
        problems.append(
            Problem("to", "decomposition.order", "终止年须晚于起始年", "--to must be after --from")
        )
    missing = [y for y in range(start, end + 1) if y not in years] if not problems else []
    problems += [
        Problem(
            "years",
            "decomposition.gap",
            f"缺少{y}年数据，无法逐年链式分解",
            f"year {y} is missing for the chain",
            value=str(y),
        )
        for y in missing
    ]
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


__all__ = ["decompose_emissions"]
