"""Grading schemes (碳效评价方案) as data: schemes/*.yaml, validated at load.

    load_scheme(code) -> GradingScheme   schemes/<code>.yaml
    scheme_codes() -> tuple[str, ...]    the schemes shipped

Columns (docs/methods/enterprise.md, "Scheme files"): code, version, title_zh/en, source, flags,
industry_level (division), industry_mean (ratio_of_sums), min_population, deduct_green_electricity,
electricity_factor_kind, heat_factor (tCO2/GJ) and heat_factor_source, levels [{code, name_zh,
name_en, max?}] on L, grades [{grade, max?}] on K — ascending bounds, the last without a bound.
A bound is inclusive: a value equal to `max` belongs to that level or grade.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from carbonpeak import yaml_loader
from carbonpeak.errors import InputError, Problem
from carbonpeak.validation import problem

SCHEMES_DIR = Path(__file__).with_name("schemes")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Level(_Strict):
    code: str
    name_zh: str
    name_en: str
    max: float | None = None


class Grade(_Strict):
    grade: int
    max: float | None = None


class GradingScheme(_Strict):
    code: str
    version: int
    title_zh: str
    title_en: str
    source: str
    flags: tuple[str, ...] = ()
    industry_level: Literal["division"] = "division"
    industry_mean: Literal["ratio_of_sums"] = "ratio_of_sums"
    min_population: int
    deduct_green_electricity: bool = True
    electricity_factor_kind: str
    heat_factor: float
    heat_factor_source: str
    levels: tuple[Level, ...]
    grades: tuple[Grade, ...]

    @model_validator(mode="after")
    def _bounds(self) -> GradingScheme:
        for name, items in (("levels", self.levels), ("grades", self.grades)):
            bounds = [i.max for i in items]
            if not items or bounds[-1] is not None or any(b is None for b in bounds[:-1]):
                raise ValueError(f"{name}: every bound but the last is given, the last is open")
            given = [float(b) for b in bounds[:-1] if b is not None]
            if given != sorted(given) or len(set(given)) != len(given):
                raise ValueError(f"{name}: bounds must rise")
        if self.min_population < 1:
            raise ValueError("min_population must be at least 1")
        return self

    @property
    def level_bounds(self) -> np.ndarray:
        """Upper bounds of the levels but the last (t CO2/万元), ascending."""
        return np.asarray([lv.max for lv in self.levels[:-1]], dtype=np.float64)

    @property
    def grade_bounds(self) -> np.ndarray:
        """Upper bounds of K of grades 1 … n−1, ascending."""
        return np.asarray([g.max for g in self.grades[:-1]], dtype=np.float64)


def scheme_codes() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in SCHEMES_DIR.glob("*.yaml")))


@cache
def load_scheme(code: str = "huzhou-2021") -> GradingScheme:
    """The scheme `code` (schemes/<code>.yaml); InputError naming the file and field otherwise."""
    path = SCHEMES_DIR / f"{code}.yaml"
    if code not in scheme_codes():
        known = ", ".join(scheme_codes())
        raise InputError(
            f"unknown grading scheme {code!r} (known: {known})",
            [problem("scheme", "enterprise.scheme", code=code, known=known)],
            message_zh=f"未知评价方案“{code}”",
        )
    raw = yaml_loader.safe_load(path.read_text(encoding="utf-8"))
    try:
        return GradingScheme(**raw)
    except (ValidationError, TypeError) as exc:
        problems = (
            [
                Problem(
                    f"{path.name}:{'.'.join(map(str, e['loc']))}", "enterprise.scheme", e["msg"], e["msg"]
                )
                for e in exc.errors()
            ]
            if isinstance(exc, ValidationError)
            else [Problem(path.name, "enterprise.scheme", str(exc), str(exc))]
        )
        raise InputError(
            f"{path.name}: invalid scheme", problems, message_zh=f"{path.name}：方案无效"
        ) from None


__all__ = ["Grade", "GradingScheme", "Level", "load_scheme", "scheme_codes"]
