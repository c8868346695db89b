"""District plans (区县碳达峰方案) and the balance check (综合平衡) against the city plan.

A district plan is a small YAML file (documented in docs/methods/evaluation.md, "District plans"):

    code, district (the district's unit code; a city-plan unit of that code must be a district
    government; cities often list only "各区县政府"), name_zh, name_en (the district's name),
    city_plan (the city plan's code), flags (e.g. [sample]), source,
    targets:     [{indicator, target_year, value, unit, note?}]   indicator = a city Target.indicator
    projections: [{quantity, year, value, unit}]                  e.g. co2_emissions 2030

Balance rule: for every city target that a district plan addresses, the district values converted to
the city target's unit are summed. Only absolute quantities add up (metric `level` or `count`);
shares, reductions, intensities and peaks are listed as `not_additive` with the district range.

    at_least target:  gap = city value − Σ districts   (> 0: the districts fall short: `shortfall`)
    at_most target:   gap = Σ districts − city value   (> 0: the districts exceed the cap: `excess`)
    projection:       gap = Σ districts − city projection, `balanced` within ±tolerance × city

`expected` names the districts that should have a plan; each of them without a value for a row is
listed in `missing_districts`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from carbonpeak import units
from carbonpeak.errors import InputError, Problem
from carbonpeak.plan.schema import Plan, Target
from carbonpeak.validation import problem, read_yaml, validated

ADDITIVE_METRICS = frozenset({"level", "count"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DistrictTarget(_Strict):
    indicator: str
    target_year: int
    value: float
    unit: str
    note: str | None = None


class DistrictProjection(_Strict):
    quantity: str = Field(pattern=r"^[a-z0-9_]+$")
    year: int
    value: float
    unit: str


class DistrictPlan(_Strict):
    code: str = Field(pattern=r"^[a-z0-9_\-]+$")
    district: str = Field(pattern=r"^[a-z0-9_]+$")  # the district's unit code (need not be in the city plan)
    name_zh: str
    name_en: str
    city_plan: str
    flags: list[str] = []
    source: str = Field(min_length=1)
    targets: list[DistrictTarget] = []
    projections: list[DistrictProjection] = []


BalanceStatus = Literal["balanced", "shortfall", "excess", "not_additive", "no_city_value"]


@dataclass(frozen=True)
class BalanceRow:
    kind: Literal["target", "projection"]
    code: str
    name_zh: str
    name_en: str
    year: int
    unit: str
    city_value: float | None
    district_sum: float | None
    districts: tuple[str, ...]
    missing_districts: tuple[str, ...]
    gap: float | None
    status: BalanceStatus
    district_min: float | None = None
    district_max: float | None = None


def district_plan_problems(plan: Plan, district: DistrictPlan, *, location: str = "") -> list[Problem]:
    """Cross-references of a district plan against the city plan; empty when all resolve."""
    loc = location or district.code
    problems: list[Problem] = []

    def fault(path: str, rule: str, value: str, **fields: Any) -> None:
        problems.append(problem(f"{loc}:{path}", rule, value, **fields))

    known = {u.code: u for u in plan.units}
    if district.district in known and known[district.district].kind != "district_government":
        name_zh = known[district.district].name_zh
        fault("district", "district.kind", district.district, name_zh=name_zh, district=district.district)
    if district.city_plan != plan.code:
        city_plan = district.city_plan
        fault("city_plan", "district.city_plan", city_plan, code=plan.code, city_plan=city_plan)
    for i, t in enumerate(district.targets):
        city, at, name = _city_target(plan, t.indicator, t.target_year), f"targets[{i}]", t.indicator
        if city is None:
            fault(
                f"{at}.indicator", "district.indicator_known", name, target_year=t.target_year, indicator=name
            )
        elif not _same_dimension(t.unit, city.unit):
            fault(f"{at}.unit", "district.unit_dimension", t.unit, unit=t.unit, city_unit=city.unit)
    for i, p in enumerate(district.projections):
        try:
            units.lookup(p.unit)
        except InputError:
            fault(f"projections[{i}].unit", "district.unit_known", p.unit, unit=p.unit)
    return problems


def _city_target(plan: Plan, indicator: str, year: int) -> Target | None:
    for t in plan.targets:
        if t.indicator == indicator and t.target_year == year:
            return t
    return None


def _same_dimension(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    try:
        return units.lookup(a).dimension == units.lookup(b).dimension
    except InputError:
        return False


def balance_check(
    plan: Plan,
    districts: Sequence[DistrictPlan],
    *,
    city_projections: Mapping[tuple[str, int], tuple[float, str]] | None = None,
    expected: Sequence[str] | None = None,
    tolerance: float = 0.01,
) -> list[BalanceRow]:
    """The balance table: one row per city target addressed by a district, then per projection.

    `city_projections` maps (quantity, year) to (value, unit); `expected` defaults to the districts
    of the given plans. Gaps are in the city target's (or projection's) unit.
    """
    all_districts = tuple(expected) if expected is not None else tuple(d.district for d in districts)
    rows: list[BalanceRow] = []
    for target in plan.targets:
        values = [
            (d.district, t)
            for d in districts
            for t in d.targets
            if t.indicator == target.indicator and t.target_year == target.target_year
        ]
        if not values or target.unit is None:
            continue
        conv = [(d, float(units.convert(t.value, t.unit, target.unit))) for d, t in values]
        covered = tuple(d for d, _ in conv)
        missing = tuple(d for d in all_districts if d not in covered)
        vals = [v for _, v in conv]
        city: float | None = target.target_value
        summed = sum(vals)
        total: float | None = summed
        gap: float | None = None
        status: BalanceStatus
        if target.metric not in ADDITIVE_METRICS:
            total, status = None, "not_additive"
        elif target.target_value is None:
            status = "no_city_value"
        else:
            gap = (
                summed - target.target_value
                if target.direction == "at_most"
                else target.target_value - summed
            )
            status = "balanced"
            if gap > tolerance * abs(target.target_value):
                status = "excess" if target.direction == "at_most" else "shortfall"
        rows.append(
            BalanceRow(
                "target",
                target.code,
                target.name_zh,
                target.name_en,
                target.target_year,
                target.unit,
                city,
                total,
                covered,
                missing,
                gap,
                status,
                min(vals),
                max(vals),
            )
        )
    for (quantity, year), (city_value, city_unit) in sorted((city_projections or {}).items()):
        found = [
            (d.district, p)
            for d in districts
            for p in d.projections
            if p.quantity == quantity and p.year == year
        ]
        conv = [(d, float(units.convert(p.value, p.unit, city_unit))) for d, p in found]
        covered = tuple(d for d, _ in conv)
        total = sum(v for _, v in conv)
        gap = total - city_value
        pstatus: BalanceStatus = "balanced"
        if abs(gap) > tolerance * abs(city_value):
            pstatus = "excess" if gap > 0 else "shortfall"
        rows.append(
            BalanceRow(
                "projection",
                quantity,
                quantity,
                quantity,
                year,
                city_unit,
                city_value,
                total if conv else None,
                covered,
                tuple(d for d in all_districts if d not in covered),
                gap,
                pstatus,
                min((v for _, v in conv), default=None),
                max((v for _, v in conv), default=None),
            )
        )
    return rows


# -- loading (the edge) ---------------------------------------------------------------------------

DISTRICTS_DIR = Path(__file__).with_name("districts")


def parse_district_plan(data: object, *, location: str) -> DistrictPlan:
    return validated(DistrictPlan, data, "district", location=location)


def load_district_plans(plan: Plan, paths: Iterable[Path]) -> list[DistrictPlan]:
    """Read district plan files and check them against the city plan; every problem of every file at once."""
    out: list[DistrictPlan] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            d = parse_district_plan(read_yaml(path, "district"), location=path.name)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        problems.extend(district_plan_problems(plan, d, location=path.name))
        out.append(d)
    if problems:
        raise InputError(
            "district plans do not fit the city plan", problems, message_zh="区县方案与城市方案不一致"
        )
    return out
