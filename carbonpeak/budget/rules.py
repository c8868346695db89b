"""The budget's rule files, read and checked at the edge of the package (docs/methods/budget.md).

    parse_rules(text, name)       BudgetRules from a rules YAML (the packaged one or the office's)
    packaged_rules()              BudgetRules of carbonpeak/budget/data/rules.yaml
    thresholds()                  Thresholds of data/warning-levels.yaml (and the watch-list ratio)
    benchmarks()                  {product: Benchmark} of data/efficiency-benchmarks.csv
    packaged_offsets()            the 减量替代 ledger of data/offsets.csv (sample)
    parse_project(text, name)     ProjectFile of a project to assess

A file that breaks its schema is an InputError listing every problem (location, rule, zh and en).
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from carbonpeak import yaml_loader
from carbonpeak.budget.budget import Thresholds
from carbonpeak.errors import InputError, Problem
from carbonpeak.validation import problem

DATA = Path(__file__).with_name("data")
RULES_FILE = DATA / "rules.yaml"
LEVELS_FILE = DATA / "warning-levels.yaml"
BENCHMARKS_FILE = DATA / "efficiency-benchmarks.csv"
OFFSETS_FILE = DATA / "offsets.csv"
SAMPLE_PROJECT = DATA / "sample-project.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Period(_Strict):
    base_year: int = Field(ge=1990, le=2100)
    target_year: int = Field(ge=1990, le=2100)
    change: float = Field(gt=-1.0, lt=1.0)
    source: str = Field(min_length=1)


class Growth(_Strict):
    value: float = Field(gt=-50, lt=50)
    source: str = Field(min_length=1)


class Allocation(_Strict):
    weights: dict[str, float]
    source: str = Field(min_length=1)
    adjustments: dict[str, float] = {}


class AllocationRules(_Strict):
    districts: Allocation
    sectors: Allocation


class ProbabilityRules(_Strict):
    scenario: str = "plan"
    draws: int = Field(default=2_000, ge=100, le=100_000)
    seed: int = 1
    source: str = ""


class ProjectRules(_Strict):
    replacement_ratio: float = Field(ge=0, le=10)
    replacement_source: str = Field(min_length=1)


class BudgetRules(_Strict):
    periods: list[Period] = Field(min_length=1)
    gdp_growth: dict[int, Growth] = {}
    allocation: AllocationRules
    probability: ProbabilityRules = ProbabilityRules()
    project: ProjectRules

    def period_of(self, year: int) -> Period | None:
        """The period whose (base_year, target_year] holds `year` (the latest such)."""
        found = [p for p in self.periods if p.base_year < year <= p.target_year]
        return found[-1] if found else None


def _problems(exc: ValidationError, name: str) -> list[Problem]:
    return [
        problem(f"{name}:" + ".".join(str(p) for p in e["loc"]), "budget.schema", e=e["msg"])
        for e in exc.errors()
    ]


def _load(text: str, name: str) -> Any:
    try:
        return yaml_loader.safe_load(text)
    except Exception as exc:  # the YAML parser raises several types
        raise InputError(
            f"{name}: not YAML",
            [problem(name, "budget.yaml", error=type(exc).__name__)],
        ) from None


def parse_rules(text: str, name: str = "rules.yaml") -> BudgetRules:
    """The rules of `text`; InputError naming every fault (also: a period whose target year does not
    follow its base year, an allocation with no positive weight)."""
    try:
        rules = BudgetRules.model_validate(_load(text, name))
    except ValidationError as exc:
        raise InputError(f"{name}: the budget rules break the schema", _problems(exc, name)) from None
    problems = [
        problem(f"{name}:periods.{i}", "budget.period")
        for i, p in enumerate(rules.periods)
        if p.target_year <= p.base_year
    ]
    for level in ("districts", "sectors"):
        alloc: Allocation = getattr(rules.allocation, level)
        if not any(w > 0 for w in alloc.weights.values()) or set(alloc.weights) - {"emissions", "gdp"}:
            problems.append(problem(f"{name}:allocation.{level}.weights", "budget.weights"))
    if problems:
        raise InputError(f"{name}: invalid budget rules", problems)
    return rules


@cache
def packaged_rules() -> BudgetRules:
    return parse_rules(RULES_FILE.read_text(encoding="utf-8"), RULES_FILE.name)


@cache
def levels() -> dict[str, Any]:
    raw: dict[str, Any] = yaml_loader.safe_load(LEVELS_FILE.read_text(encoding="utf-8"))
    return raw


def thresholds() -> Thresholds:
    raw = levels()
    return Thresholds(
        level1_ratio=float(raw["level1"]["ratio"]),
        level1_probability=float(raw["level1"]["probability"]),
        level2_ratio=float(raw["level2"]["ratio"]),
        level2_probability=float(raw["level2"]["probability"]),
    )


def watch_ratio() -> float:
    return float(levels()["watch_list"]["ratio"])


class Benchmark(_Strict):
    product: str
    name_zh: str
    name_en: str
    unit: str
    benchmark: float
    baseline: float
    edition: int
    source: str


@cache
def benchmarks() -> dict[str, Benchmark]:
    with BENCHMARKS_FILE.open(encoding="utf-8") as f:
        return {r["product"]: Benchmark.model_validate(r) for r in csv.DictReader(f)}


class Offset(_Strict):
    id: str
    district: str
    description: str
    reduction: float  # 万tCO2 a year
    unit: str
    kind: str
    year: int
    used_by: str = ""
    flag: str
    source: str


@cache
def packaged_offsets() -> tuple[Offset, ...]:
    with OFFSETS_FILE.open(encoding="utf-8") as f:
        return tuple(Offset.model_validate(r) for r in csv.DictReader(f))


class ProductUse(_Strict):
    product: str
    output: float = Field(ge=0)
    output_unit: str = ""
    energy_per_unit: float
    unit: str


class AssessmentSpec(_Strict):
    district: str
    sector: str
    budget_year: int | None = None
    products: list[ProductUse] = []
    offsets: list[str] = []


class ProjectFile(_Strict):
    project: dict[str, Any]  # checked by the impact engine's loader (scenarios/load.projects_of)
    assessment: AssessmentSpec


def parse_project(text: str, name: str) -> ProjectFile:
    try:
        return ProjectFile.model_validate(_load(text, name))
    except ValidationError as exc:
        raise InputError(f"{name}: the project file breaks the schema", _problems(exc, name)) from None


__all__ = [
    "AssessmentSpec",
    "Benchmark",
    "BudgetRules",
    "Offset",
    "ProjectFile",
    "benchmarks",
    "packaged_offsets",
    "packaged_rules",
    "parse_project",
    "parse_rules",
    "thresholds",
    "watch_ratio",
]
