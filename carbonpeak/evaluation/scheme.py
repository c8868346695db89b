"""Evaluation schemes (评价方案): weighted criteria per kind of unit, grades and vetoes, as data.

A scheme file is YAML (see schemes/jinan-2024.yaml, documented in docs/methods/evaluation.md):

    code, version, title_zh/en, years, source, flags
    grades:     [{code, name_zh, name_en, min_score}]  highest first; the last is the lowest grade,
                which a veto forces whatever the total
    audiences:  [{code, name_zh, name_en, unit_kinds: [department | district_government …],
                  criteria: [{code, name_zh, name_en, points, measure, indicator?, veto?,
                              veto_below?, rectify_below?, source}]}]   points of an audience sum to 100

Measures (what a criterion's completion rate is; docs/methods/evaluation.md):
    indicator            completion rate of the unit's indicator result(s) from the indicator engine
    annual_target        the year's reduction ÷ the year's target (indicators/annual.py); a veto here is
                         the NDRC annual condition
    cumulative_target    the reduction since the base year ÷ the progress due by the year; a veto here
                         is the NDRC cumulative (five-year) condition
    task_completion      role-weighted share of the unit's tasks on schedule in the round:
                         Σ w(role) × on schedule ÷ Σ w(role), w from `role_weights`
    reporting_timeliness share of the unit's reports submitted by the due date
    data_quality         share of the unit's submissions accepted with no validation problem
    assessed             a rate given by the office's assessment (基础工作 and the like)

`scheme_digest` is the SHA-256 of the canonical JSON of a scheme: an evaluation run records it, so a
past score names exactly the scheme it used.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from carbonpeak.errors import InputError, Problem
from carbonpeak.validation import problem, read_yaml, validated

Measure = Literal[
    "indicator",
    "annual_target",
    "cumulative_target",
    "task_completion",
    "reporting_timeliness",
    "data_quality",
    "assessed",
]
MEASURES: tuple[str, ...] = get_args(Measure)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Grade(_Strict):
    code: str = Field(pattern=r"^[a-z_]+$")
    name_zh: str
    name_en: str
    min_score: float = Field(ge=0, le=100)


class Criterion(_Strict):
    code: str = Field(pattern=r"^[a-z0-9_]+$")
    name_zh: str
    name_en: str
    points: float = Field(gt=0)
    measure: Measure
    indicator: str | None = None  # for `indicator`: a target/indicator code; None = all of the unit's
    roles: list[Literal["lead", "co"]] = ["lead", "co"]  # for `task_completion`
    # for `task_completion`: the weight of a task by the unit's role in it (牵头 / 配合)
    role_weights: dict[Literal["lead", "co"], float] = {"lead": 1.0, "co": 1.0}
    veto: bool = False  # 否决性指标: a rate below `veto_below` forces the lowest grade
    veto_below: float = Field(default=1.0, ge=0, le=1)
    rectify_below: float = Field(
        default=1.0, ge=0, le=1
    )  # a rate below this puts the unit on the rectification list
    source: str = Field(min_length=1)


class Audience(_Strict):
    code: str = Field(pattern=r"^[a-z0-9_]+$")
    name_zh: str
    name_en: str
    unit_kinds: list[str] = Field(min_length=1)
    criteria: list[Criterion] = Field(min_length=1)

    @property
    def total_points(self) -> float:
        return sum(c.points for c in self.criteria)


class Scheme(_Strict):
    code: str = Field(pattern=r"^[a-z0-9_\-]+$")
    version: int = Field(ge=1)
    title_zh: str
    title_en: str
    years: list[int] = Field(min_length=1)
    source: str = Field(min_length=1)
    flags: list[str] = []
    grades: list[Grade] = Field(min_length=2)
    audiences: list[Audience] = Field(min_length=1)

    @property
    def lowest_grade(self) -> Grade:
        return self.grades[-1]

    def grade_for(self, score: float) -> Grade:
        """The highest grade whose `min_score` the score reaches (scores compared to 0.01 point)."""
        s = round(score, 2)
        for g in self.grades:
            if s >= g.min_score:
                return g
        return self.lowest_grade

    def audience_for(self, unit_kind: str) -> Audience | None:
        for a in self.audiences:
            if unit_kind in a.unit_kinds:
                return a
        return None


def scheme_problems(scheme: Scheme) -> list[Problem]:
    """Rules beyond the field types: 100 points per audience, grades in order, unique codes."""
    problems: list[Problem] = []
    mins = [g.min_score for g in scheme.grades]
    if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
        problems.append(problem("grades", "scheme.grades_order"))
    if scheme.grades[-1].min_score != 0:
        problems.append(problem(f"grades[{len(mins) - 1}].min_score", "scheme.lowest_grade_zero"))
    kinds: dict[str, str] = {}
    for i, a in enumerate(scheme.audiences):
        if abs(a.total_points - 100.0) > 1e-9:
            problems.append(
                problem(
                    f"audiences[{i}].criteria",
                    "scheme.points_100",
                    f"{a.total_points:g}",
                    name_zh=a.name_zh,
                    total_points=a.total_points,
                    code=a.code,
                )
            )
        codes = [c.code for c in a.criteria]
        for dup in sorted({c for c in codes if codes.count(c) > 1}):
            problems.append(problem(f"audiences[{i}].criteria", "scheme.unique_code", dup, dup=dup))
        for k in a.unit_kinds:
            if k in kinds:
                problems.append(
                    problem(
                        f"audiences[{i}].unit_kinds", "scheme.kind_once", k, k=k, kinds=kinds[k], code=a.code
                    )
                )
            kinds[k] = a.code
        for j, c in enumerate(a.criteria):
            if (
                c.measure in ("indicator", "annual_target", "cumulative_target")
                and (c.veto or c.measure != "indicator")
                and c.indicator is None
            ):
                problems.append(problem(f"audiences[{i}].criteria[{j}].indicator", "scheme.veto_named"))
    return problems


def parse_scheme(data: object, *, location: str = "scheme") -> Scheme:
    """A validated Scheme from parsed YAML/JSON; InputError listing every problem otherwise."""
    scheme = validated(Scheme, data, "scheme", location=location)
    problems = scheme_problems(scheme)
    if problems:
        raise InputError(
            f"{location}: invalid evaluation scheme", problems, message_zh=f"{location}：评价方案不符合规则"
        )
    return scheme


def load_scheme(path: Path) -> Scheme:
    """Read and validate a scheme file (YAML)."""
    return parse_scheme(read_yaml(path, "scheme"), location=path.name)


def scheme_digest(scheme: Scheme) -> str:
    """SHA-256 (hex) of the scheme's canonical JSON: the same scheme always gives the same digest."""
    text = json.dumps(
        scheme.model_dump(mode="json"), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


SCHEMES_DIR = Path(__file__).with_name("schemes")
