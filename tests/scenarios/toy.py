"""A tiny hand-checkable scenario: 2 sectors x 3 fuels, base year 2020, horizon 2023."""

from __future__ import annotations

import numpy as np

from carbonpeak.scenarios.drivers import Dist, Driver
from carbonpeak.scenarios.model import BaseYear, Fuel, LocalFossil, NonFossilTech, Scenario

YEARS = (2020, 2023)


def base(**kw: object) -> BaseYear:
    values: dict[str, object] = dict(
        year=2020,
        population=1_000_000.0,
        gdp=1_000_000.0,  # 万元
        sectors=("industry", "households"),
        activity_basis=("gdp", "population"),
        fuels=(
            Fuel("coal", "fossil", 2.0),
            Fuel("electricity", "electricity"),
            Fuel("renewables", "non_fossil"),
        ),
        # tce: industry 100 coal + 12.29 electricity (100 MWh); households 0 coal + 12.29 elec + 10 renewables
        energy=np.array([[100.0, 12.29, 0.0], [0.0, 12.29, 10.0]]),
        electricity_imported_mwh=150.0,
        grid_factor=0.5,
        grid_non_fossil_share=0.2,
        local_fossil=(LocalFossil("coal", 50.0, 0.3),),
        non_fossil_techs=(NonFossilTech("pv", True),),
        process_emissions=20.0,
        electricity_tce_per_mwh=0.1229,
        equivalent_coal_rate=0.3,
        storage_hours=2.0,
        storage_cycles=100.0,
        storage_efficiency=0.9,
        storage_cover_ratio=0.5,
    )
    values.update(kw)
    return BaseYear(**values)  # type: ignore[arg-type]


def rate(key: str, *dists: Dist, periods: tuple[tuple[int, int], ...] = ((2021, 2023),)) -> Driver:
    return Driver(key, "rate", periods, dists)


def level(key: str, points: dict[int, Dist]) -> Driver:
    return Driver(key, "level", tuple((y, y) for y in points), tuple(points.values()))


def point(v: float) -> Dist:
    return Dist("point", value=v)


def scenario(drivers: list[Driver], **kw: object) -> Scenario:
    values: dict[str, object] = dict(
        name="toy", base=base(), horizon=YEARS[1], drivers={d.key: d for d in drivers}, tolerance=0.0
    )
    values.update(kw)
    return Scenario(**values)  # type: ignore[arg-type]
