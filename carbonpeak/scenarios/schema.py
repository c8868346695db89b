"""Schema of scenario and project files (pydantic), validated at load; compiled by scenarios/load.py.

Every `_Sourced` record must carry `source:` (publication, table, edition, or plan section) or
`assumption:` (what was assumed and why). The file format is documented in
docs/methods/projection.md#scenario-files.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from carbonpeak.scenarios.drivers import Dist
from carbonpeak.scenarios.model import Indicator, Target


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Sourced(_Strict):
    source: str | None = None
    assumption: str | None = None

    @model_validator(mode="after")
    def _has_provenance(self) -> _Sourced:
        if not (self.source or self.assumption):
            raise ValueError("needs `source:` or `assumption:` (every parameter states where it comes from)")
        return self


class Quantity(_Sourced):
    value: float
    unit: str = "1"


class DistSpec(_Strict):
    dist: Literal["normal", "lognormal", "triangular", "uniform"]
    mean: float | None = None
    sd: float | None = Field(default=None, ge=0)
    median: float | None = Field(default=None, gt=0)
    sigma: float | None = Field(default=None, ge=0)
    low: float | None = None
    mode: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _params(self) -> DistSpec:
        need = {
            "normal": ("mean", "sd"),
            "lognormal": ("median", "sigma"),
            "triangular": ("low", "mode", "high"),
            "uniform": ("low", "high"),
        }[self.dist]
        missing = [p for p in need if getattr(self, p) is None]
        if missing:
            raise ValueError(f"{self.dist} needs {', '.join(missing)}")
        if self.dist == "triangular" and not (self.low <= self.mode <= self.high):  # type: ignore[operator]
            raise ValueError("triangular needs low <= mode <= high")
        if self.dist == "uniform" and not (self.low <= self.high):  # type: ignore[operator]
            raise ValueError("uniform needs low <= high")
        return self

    def to_dist(self) -> Dist:
        values = {k: v for k, v in self.model_dump().items() if k != "dist" and v is not None}
        return Dist(self.dist, **values)


Spec = float | DistSpec


class DriverSpec(_Sourced):
    unit: str = "1"
    periods: dict[str, Spec] | None = None
    points: dict[int, Spec] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> DriverSpec:
        if (self.periods is None) == (self.points is None):
            raise ValueError(
                "a driver has either `periods` (a rate) or `points` (a level), not both or neither"
            )
        return self


class SectorRow(_Strict):
    activity: Literal["gdp", "population"] = "gdp"
    fuels: dict[str, float]


class EnergyTable(_Sourced):
    unit: str = "tce"
    sectors: dict[str, SectorRow]


class FuelSpec(_Sourced):
    kind: Literal["fossil", "electricity", "non_fossil"]
    co2_factor: float = Field(default=0.0, ge=0)
    unit: str = "tCO2/tce"


class LocalFossilSpec(_Strict):
    generation: Quantity | None = None  # from the inventory when the base is taken from it
    heat_rate: Quantity | None = None  # with an inventory: splits its thermal output between fuels


class TechSpec(_Sourced):
    variable: bool = False


class ElectricitySpec(_Strict):
    imported: Quantity | None = None  # these four come from the inventory with `from_inventory`
    grid_factor: Quantity | None = None
    calorific_tce_per_mwh: Quantity | None = None
    equivalent_coal_rate: Quantity | None = None
    grid_non_fossil_share: Quantity
    local_fossil: dict[str, LocalFossilSpec] = {}
    non_fossil_techs: dict[str, TechSpec] = {}
    storage_hours: Quantity | None = None
    storage_cycles: Quantity | None = None
    storage_efficiency: Quantity | None = None
    storage_cover_ratio: Quantity | None = None


class InventorySector(_Sourced):
    """A scenario sector as a set of the inventory's sector codes (CEADs S01…S47)."""

    codes: list[str] = Field(min_length=1)
    activity: Literal["gdp", "population"] = "gdp"


class BaseSpec(_Strict):
    year: int | None = None
    from_inventory: int | None = None
    history_from: int | None = None  # first year of the inventory's own trajectory before the base year
    flag: Literal["published", "estimated", "sample"] = "sample"
    population: Quantity | None = None
    gdp: Quantity | None = None
    fuels: dict[str, FuelSpec]
    energy: EnergyTable | None = None
    inventory_sectors: dict[str, InventorySector] | None = None
    electricity: ElectricitySpec
    process_emissions: Quantity | None = None

    @model_validator(mode="after")
    def _complete(self) -> BaseSpec:
        if self.from_inventory is not None:
            if self.inventory_sectors is None:
                raise ValueError(
                    "`from_inventory` needs `inventory_sectors` (scenario sector -> inventory codes)"
                )
            return self
        el = self.electricity
        needed = {
            "population": self.population,
            "gdp": self.gdp,
            "energy": self.energy,
            "process_emissions": self.process_emissions,
            "electricity.imported": el.imported,
            "electricity.grid_factor": el.grid_factor,
            "electricity.calorific_tce_per_mwh": el.calorific_tce_per_mwh,
            "electricity.equivalent_coal_rate": el.equivalent_coal_rate,
        }
        needed.update(
            {f"electricity.local_fossil.{k}.generation": v.generation for k, v in el.local_fossil.items()}
        )
        needed.update(
            {f"electricity.local_fossil.{k}.heat_rate": v.heat_rate for k, v in el.local_fossil.items()}
        )
        missing = [k for k, v in needed.items() if v is None]
        if missing:
            raise ValueError(f"a base block without `from_inventory` needs {', '.join(missing)}")
        return self


class PeakSpec(_Sourced):
    by: int = 2030
    tolerance: float = Field(default=0.01, ge=0, lt=0.2)
    # years after `by` the projection must show below the peak (+ tolerance) before a peak counts;
    # the horizon must reach by + plateau_years (docs/methods/projection.md#peak)
    plateau_years: int = Field(default=5, ge=1, le=30)


class ScenarioHead(_Strict):
    name: str
    label_zh: str = ""
    label_en: str = ""
    extends: str | None = None
    counterfactual: str | None = None
    horizon: int = Field(default=2060, ge=2021, le=2100)
    peak: PeakSpec | None = None


class CorrelationSpec(_Sourced):
    between: tuple[str, str]
    rho: float = Field(gt=-1, lt=1)


class TargetSpec(_Sourced):
    id: str
    indicator: Indicator
    year: int
    threshold: float
    direction: Literal["at_least", "at_most"]
    fuel: str = ""
    reference_year: int | None = None
    reference_value: Quantity | None = None
    label_zh: str = ""
    label_en: str = ""

    def target(self, reference_value: float | None) -> Target:
        """The model's Target: the same fields, the reference value resolved, provenance in one text."""
        terms = self.model_dump(exclude={"source", "assumption", "reference_value"})
        return Target(**terms, reference_value=reference_value, source=self.source or self.assumption or "")


class ProgrammeSpec(_Strict):
    id: str
    name_zh: str
    name_en: str
    plan_ref: str = ""
    drivers: list[str]


class ScenarioFile(_Strict):
    scenario: ScenarioHead
    base: BaseSpec | None = None
    drivers: dict[str, DriverSpec] = {}
    correlations: list[CorrelationSpec] = []
    targets: list[TargetSpec] = []
    programmes: list[ProgrammeSpec] = []


class ProjectSpec(_Sourced):
    name: str
    start_year: int
    sector: str = ""
    energy: dict[str, Quantity]
    process_emissions: Quantity | None = None
    value_added: Quantity | None = None


class ProjectsFile(_Strict):
    projects: list[ProjectSpec] = Field(min_length=1)
