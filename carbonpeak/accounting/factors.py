"""The factor library: code lists and factor tables read from `data/*.csv`, each row with its source.

    fuels()               data/fuels.csv            fuel codes of China's energy statistics, unit, kind
    sectors()             data/sectors.csv          47 CEADs sectors + transformation/adjustment/supply rows
    combustion_factors()  data/combustion_factors.csv   NCV, carbon content, oxidation (two sets)
    standard_coal()       data/standard_coal.csv    kgce per physical unit (GB/T 2589, calorific value)
    grid_factors()        data/grid_factors.csv     electricity CO2 factors by region and year (MEE)
    generation_coal_rate() data/generation_coal_rate.csv  gce/kWh for the coal-equivalent method
    process_factors()     data/process_factors.csv  clinker, lime, fluxes, steel, cement (tCO2/t)
    grid_regions()        data/grid_regions.csv     balance region → province → regional grid
    import_non_fossil_shares() data/import_non_fossil_share.csv  non-fossil share of a grid's generation

Every loader returns frozen dataclasses, read once per process by one reader (`_records`): each
field is the column of its name, read by the field's type (a blank `checked_against` is ""); `row`
is the 2-based line number in its CSV (header = 1), so a lineage can point at the exact factor row.
Column lists are in docs/methods/inventory.md.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import MISSING, asdict, dataclass, fields
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

from carbonpeak import units

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

DATA_DIR = Path(__file__).with_name("data")
T = TypeVar("T", bound="DataclassInstance")
FactorSet = Literal["guideline", "ipcc2006", "ceads"]
# ceads: the factors CEADs states for its inventories; for now only the cement process factor (a
# balance with fuel rows gets factor.missing errors under it until CEADs' combustion factors are added)
FACTOR_SETS: tuple[FactorSet, ...] = ("guideline", "ipcc2006", "ceads")
C_TO_CO2 = 44.0 / 12.0  # molar mass ratio CO2/C used by both the guideline and IPCC 2006 (Vol.2 eq. 2.1)


@dataclass(frozen=True)
class Fuel:
    code: str
    name_zh: str
    name_en: str
    kind: str  # coal | oil | gas | secondary | other
    unit: str
    ipcc_fuel: str


@dataclass(frozen=True)
class Sector:
    code: str
    name_zh: str
    name_en: str
    ipcc_category: str
    group: str
    role: str  # final | transformation_combustion | transformation | non_energy | loss | supply
    ceads_no: str


@dataclass(frozen=True)
class CombustionFactor:
    row: int
    factor_set: str
    fuel: str
    ncv: float
    ncv_unit: str
    carbon_content: float | None  # tC/TJ
    co2_ef: float | None  # kgCO2/TJ (IPCC Table 1.4 unit)
    oxidation: float
    ef_low: float | None
    ef_high: float | None
    uncertainty_pct: float | None
    active_from: int
    active_to: int | None
    source: str
    check_status: str
    checked_against: str = ""

    @property
    def ef_t_per_tj(self) -> float:
        """CO2 per unit of heat, t CO2/TJ, oxidation included."""
        if self.co2_ef is not None:
            return units.convert(self.co2_ef, "kgCO2", "tCO2") * self.oxidation
        assert self.carbon_content is not None
        return self.carbon_content * self.oxidation * C_TO_CO2

    @property
    def ef_uncertainty(self) -> float:
        """Half-width of the 95% interval of the CO2 factor as a fraction (IPCC range or stated %)."""
        if self.ef_low is not None and self.ef_high is not None and self.co2_ef:
            return max(self.ef_high - self.co2_ef, self.co2_ef - self.ef_low) / self.co2_ef
        return (self.uncertainty_pct or 0.0) / 100.0

    def ncv_tj_per(self, unit: str) -> float:
        """Net calorific value in TJ per one `unit` of the fuel (e.g. TJ per 万t)."""
        energy, per = _split(self.ncv_unit)
        return self.ncv * units.factor(energy, "TJ") / units.factor(per, unit)

    def active(self, year: int) -> bool:
        return self.active_from <= year and (self.active_to is None or year <= self.active_to)


@dataclass(frozen=True)
class StandardCoal:
    row: int
    fuel: str
    coefficient: float
    coefficient_unit: str
    active_from: int
    active_to: int | None
    source: str
    check_status: str

    def tce_per(self, unit: str) -> float:
        """tce per one `unit` of the fuel."""
        tce, per = _split(self.coefficient_unit)
        return self.coefficient * units.factor(tce, "tce") / units.factor(per, unit)


@dataclass(frozen=True)
class GridFactor:
    row: int
    region: str
    year: int
    ef: float  # tCO2/MWh
    kind: str
    uncertainty_pct: float
    published: str
    source: str
    check_status: str
    checked_against: str = ""


@dataclass(frozen=True)
class CoalRate:
    row: int
    year: int
    rate: float  # gce/kWh
    source: str
    check_status: str


@dataclass(frozen=True)
class ProcessFactor:
    row: int
    factor_set: str
    product: str
    name_zh: str
    name_en: str
    ef: float  # tCO2 per t of product
    ipcc_category: str
    uncertainty_pct: float
    active_from: int
    active_to: int | None
    source: str
    check_status: str
    checked_against: str = ""

    def active(self, year: int) -> bool:
        return self.active_from <= year and (self.active_to is None or year <= self.active_to)


@dataclass(frozen=True)
class GridRegion:
    row: int
    region: str  # as written in a balance's region column (name, code or alias)
    province: str
    grid: str  # regional grid of the MEE/NBS electricity CO2 factors (华北, 华东 …)
    source: str
    check_status: str


@dataclass(frozen=True)
class ImportShare:
    row: int
    grid: str
    year: int
    share: float  # non-fossil fraction of the grid's generation
    source: str
    check_status: str
    checked_against: str = ""


def _split(compound: str) -> tuple[str, str]:
    top, _, bottom = compound.partition("/")
    return top, bottom


def _rows(name: str) -> list[tuple[int, dict[str, str]]]:
    with (DATA_DIR / name).open(encoding="utf-8") as f:
        return [(i + 2, r) for i, r in enumerate(csv.DictReader(f))]


def _num(text: str) -> float | None:
    return float(text) if text.strip() else None


def _int(text: str) -> int | None:
    return int(text) if text.strip() else None


# how a column is read into a field, by the field's annotation
_READ: dict[str, Callable[[str], object]] = {
    "str": str,
    "int": int,
    "float": float,
    "float | None": _num,
    "int | None": _int,
}


def _records(cls: type[T], name: str, **computed: Callable[[dict[str, str]], object]) -> list[T]:
    """Each row of data/`name` as a `cls`: `row` its line number, every other field the column of its
    name read by the field's type (an empty or missing column leaves a field with a default at it);
    `computed` reads a field from the whole row."""
    out = []
    for i, r in _rows(name):
        values: dict[str, object] = {}
        for f in fields(cls):
            if f.name == "row":
                values[f.name] = i
            elif f.name in computed:
                values[f.name] = computed[f.name](r)
            elif f.default is not MISSING and not r.get(f.name):
                values[f.name] = f.default
            else:
                values[f.name] = _READ[str(f.type)](r[f.name])
        out.append(cls(**values))
    return out


def _table(
    cls: type[T], name: str, **computed: Callable[[dict[str, str]], object]
) -> Callable[[], tuple[T, ...]]:
    """The loader of data/`name`: its records in file order, read once."""
    return cache(lambda: tuple(_records(cls, name, **computed)))


def _keyed(cls: type[T], name: str, key: str) -> Callable[[], dict[str, T]]:
    """The loader of data/`name`: its records by their field `key` (a later row wins), read once."""
    return cache(lambda: {getattr(r, key): r for r in _records(cls, name)})


def _grid_ef(value: float, unit: str) -> float:
    """tCO2/MWh; kgCO2/kWh is the same number."""
    if unit not in ("tCO2/MWh", "kgCO2/kWh"):
        raise ValueError(f"grid_factors.csv: unit {unit!r} must be tCO2/MWh or kgCO2/kWh")
    return value


fuels = _keyed(Fuel, "fuels.csv", "code")
sectors = _keyed(Sector, "sectors.csv", "code")
combustion_factors = _table(CombustionFactor, "combustion_factors.csv")
standard_coal = _keyed(StandardCoal, "standard_coal.csv", "fuel")
grid_factors = _table(GridFactor, "grid_factors.csv", ef=lambda r: _grid_ef(float(r["ef"]), r["ef_unit"]))
generation_coal_rate = _table(CoalRate, "generation_coal_rate.csv")
process_factors = _table(ProcessFactor, "process_factors.csv")
grid_regions = _keyed(GridRegion, "grid_regions.csv", "region")
import_non_fossil_shares = _table(ImportShare, "import_non_fossil_share.csv")


def process_products() -> set[str]:
    return {p.product for p in process_factors()}


@cache
def _combustion_index() -> dict[tuple[str, str], tuple[CombustionFactor, ...]]:
    index: dict[tuple[str, str], list[CombustionFactor]] = {}
    for f in combustion_factors():
        index.setdefault((f.factor_set, f.fuel), []).append(f)
    return {k: tuple(v) for k, v in index.items()}


@cache  # the factor files are read once per process (above); so is each lookup
def combustion_factor(factor_set: str, fuel: str, year: int) -> CombustionFactor | None:
    """The factor row of `factor_set` for `fuel` active in `year`; None if there is none."""
    found = [f for f in _combustion_index().get((factor_set, fuel), ()) if f.active(year)]
    return found[-1] if found else None  # a correction is a later row with a narrower validity


@cache
def process_factor(factor_set: str, product: str, year: int) -> ProcessFactor | None:
    found = [
        p for p in process_factors() if p.factor_set == factor_set and p.product == product and p.active(year)
    ]
    return found[-1] if found else None


def grid_factor(region: str, year: int, kind: str | None = None) -> GridFactor | None:
    """The latest-published grid factor for `region` and `year` (of `kind` if given)."""
    found = [
        g
        for g in grid_factors()
        if g.region == region and g.year == year and (kind is None or g.kind == kind)
    ]
    return max(found, key=lambda g: g.published) if found else None


def coal_rate(year: int) -> CoalRate | None:
    """gce/kWh for `year`: the published year, else the nearest published year (noted by the caller)."""
    rates = generation_coal_rate()
    exact = [r for r in rates if r.year == year]
    if exact:
        return exact[0]
    return min(rates, key=lambda r: (abs(r.year - year), r.year)) if rates else None


GRID_CHAIN_KINDS = ("provincial_electricity_average", "regional_electricity_average")


def grid_chain(region: str, national_kind: str = "national_electricity_average") -> list[tuple[str, str]]:
    """(grid region, kind) to try for a balance region, most specific first: province, regional grid, CN."""
    found = grid_regions().get(region)
    chain = [(found.province, GRID_CHAIN_KINDS[0]), (found.grid, GRID_CHAIN_KINDS[1])] if found else []
    return [*chain, ("CN", national_kind)]


def export_factors() -> dict[str, list[dict[str, object]]]:
    """Every factor table as plain rows (for `carbonpeak factors export` and the API)."""
    return {
        "fuels": [asdict(f) for f in fuels().values()],
        "sectors": [asdict(s) for s in sectors().values()],
        "combustion": [
            {**asdict(f), "ef_t_per_tj": f.ef_t_per_tj, "ef_uncertainty": f.ef_uncertainty}
            for f in combustion_factors()
        ],
        "standard_coal": [asdict(s) for s in standard_coal().values()],
        "grid": [asdict(g) for g in grid_factors()],
        "generation_coal_rate": [asdict(r) for r in generation_coal_rate()],
        "process": [asdict(p) for p in process_factors()],
        "grid_regions": [asdict(g) for g in grid_regions().values()],
        "import_non_fossil_share": [asdict(s) for s in import_non_fossil_shares()],
    }
