"""Use cases of evaluation: score a year, archive the run, reproduce a past run, balance district plans.

evaluate_year(plan, year, bundle, scheme=…, indicator_results=…)
                                              EvaluationResult and its archive record
run_evaluation(year, database=…)              the same on the settings' plan, a bundle and the indicator
                                              engine's results for the year (services/results.py)
save_run(record, data_dir), load_run(path)    the archive: <data_dir>/evaluations/<year>-<scheme>-v<n>-….json
reproduce_run(path)                           scores again from a record (ReproductionError on any difference)
district_balance(plan, paths)                 the 综合平衡 table of district plans against the city plan
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from carbonpeak.errors import InputError, NotFound
from carbonpeak.evaluation.archive import reproduce, run_record
from carbonpeak.evaluation.balance import DISTRICTS_DIR, BalanceRow, balance_check, load_district_plans
from carbonpeak.evaluation.inputs import IndicatorResult, evaluation_inputs
from carbonpeak.evaluation.scheme import SCHEMES_DIR, Scheme, load_scheme
from carbonpeak.evaluation.scoring import EvaluationResult, evaluate
from carbonpeak.indicators.annual import TargetCheck
from carbonpeak.plan.schema import Plan
from carbonpeak.services.supervision import Bundle, collectives
from carbonpeak.store.db import Database
from carbonpeak.validation import problem

DEFAULT_SCHEME = SCHEMES_DIR / "jinan-2024.yaml"


def scheme_for(year: int, path: Path | str | None = None) -> Scheme:
    """The scheme in `path`, or the newest packaged scheme covering `year`."""
    if path:
        return load_scheme(Path(path))
    best: Scheme | None = None
    for file in sorted(SCHEMES_DIR.glob("*.yaml")):
        s = load_scheme(file)
        if year in s.years and (best is None or s.version > best.version):
            best = s
    if best is None:
        raise NotFound(
            f"no packaged evaluation scheme covers {year}", message_zh=f"没有适用于{year}年的评价方案"
        )
    return best


def evaluate_year(
    plan: Plan,
    year: int,
    bundle: Bundle,
    *,
    scheme: Scheme,
    indicator_results: Sequence[IndicatorResult],
    as_of: dt.date | None = None,
    target_checks: Sequence[TargetCheck] = (),
) -> tuple[EvaluationResult, dict[str, Any]]:
    """Score, grade and rank the year's units on the bundle's reported rows and the indicator
    engine's results of `year` (services/results.year_results); the result and the archive record
    that reproduces it."""
    if bundle.year is not None and bundle.year != year:
        raise InputError(
            f"the data is for {bundle.year}, not {year}",
            [problem("year", "evaluation.bundle_year", str(year), year=bundle.year, year2=year)],
        )
    inputs = evaluation_inputs(
        plan,
        year=year,
        as_of=as_of or bundle.as_of or dt.date(year + 1, 3, 1),
        supervision=bundle.supervision,
        indicator_results=indicator_results,
        assessed=bundle.assessed,
        period=bundle.period,
        extra_units=bundle.districts,
        collectives=collectives(plan, bundle),
        target_checks=target_checks,
    )
    result = evaluate(scheme, inputs)
    return result, run_record(scheme, inputs, result)


def save_run(record: dict[str, Any], data_dir: Path) -> Path:
    """Write an archive record (never overwrites: the digests are in the name)."""
    folder = data_dir / "evaluations"
    folder.mkdir(parents=True, exist_ok=True)
    name = (
        f"{record['year']}-{record['scheme_code']}-v{record['scheme_version']}-"
        f"{record['scheme_digest'][:8]}-{record['inputs_digest'][:8]}.json"
    )
    path = folder / name
    if not path.exists():
        path.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def load_run(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise NotFound(f"no evaluation record {path}", message_zh=f"找不到评价记录{path}")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def reproduce_run(path: Path) -> EvaluationResult:
    return reproduce(load_run(path))


def district_balance(
    plan: Plan,
    paths: Sequence[Path] | None = None,
    *,
    city_projections: dict[tuple[str, int], tuple[float, str]] | None = None,
) -> list[BalanceRow]:
    """The balance table for the given district plan files (default: the packaged samples)."""
    files = list(paths) if paths else sorted(DISTRICTS_DIR.glob("*.yaml"))
    return balance_check(plan, load_district_plans(plan, files), city_projections=city_projections)


# -- entry points of the adapters (CLI, API) -------------------------------------------------------


def run_evaluation(
    year: int,
    *,
    plan_file: Path | str | None = None,
    inputs: Path | str | None = None,
    scheme_file: Path | str | None = None,
    archive_dir: Path | None = None,
    database: Database | None = None,
) -> tuple[EvaluationResult, Path | None]:
    """Evaluate `year` (defaults: the settings' plan, the sample bundle, the packaged scheme for the
    year) with the indicator results the engine computes for `year` on `database` (default: the
    settings'; NotInitialised before `carbonpeak init`); archive the run under `archive_dir` when given."""
    from carbonpeak.services.plan import current_plan
    from carbonpeak.services.results import database_or_settings, require_initialised, year_results
    from carbonpeak.services.supervision import load_bundle

    plan = current_plan(plan_file)
    with database_or_settings(database) as db:
        require_initialised(db)
        results = year_results(plan, year, database=db, scenarios=())
    result, record = evaluate_year(
        plan,
        year,
        load_bundle(inputs, year=year),
        scheme=scheme_for(year, scheme_file),
        indicator_results=results.indicator_results,
        target_checks=results.target_checks,
    )
    return result, (save_run(record, archive_dir) if archive_dir is not None else None)


def balance_for(
    *, plan_file: Path | str | None = None, district_files: Sequence[Path] | None = None
) -> list[BalanceRow]:
    from carbonpeak.services.plan import current_plan

    return district_balance(current_plan(plan_file), district_files)


def score_rows(result: EvaluationResult) -> list[dict[str, Any]]:
    """One flat row per unit: rank, unit, audience, score, grade, veto, criteria scores."""
    return [
        {
            "audience": s.audience,
            "rank": s.rank,
            "unit": s.unit,
            "name": s.name_zh,
            "score": round(s.score, 2),
            "grade": s.grade_zh,
            "vetoed": s.vetoed,
            **{c.code: round(c.score, 2) if c.applicable else None for c in s.criteria},
        }
        for s in result.scores
    ]


def _check_row(chk: Any) -> dict[str, Any]:
    return {
        "target": chk.target,
        "state": chk.state,
        "required_pct": None if chk.required is None else round(chk.required, 4),
        "achieved_pct": None if chk.achieved is None else round(chk.achieved, 4),
        "rate": None if chk.rate is None else round(chk.rate, 4),
        "basis": chk.basis,
        "reason_zh": chk.reason_zh,
        "reason_en": chk.reason_en,
    }


def evaluation_document(result: EvaluationResult) -> dict[str, Any]:
    """The whole evaluation as one JSON document: every unit of an evaluated kind, graded (score,
    grade, rank, both veto conditions, every criterion with its basis and, for tasks, the role-weighted
    rows) or listed as not evaluated (未参评) with the reason."""
    units: list[dict[str, Any]] = []
    for s in result.scores:
        vetoes: dict[str, Any] = {}
        for c in s.criteria:
            if c.check is not None and c.veto:
                vetoes[c.check.kind] = {**_check_row(c.check), "criterion": c.code, "fired": c.vetoed}
        units.append(
            {
                "unit": s.unit,
                "name_zh": s.name_zh,
                "name_en": s.name_en,
                "audience": s.audience,
                "evaluated": True,
                "rank": s.rank,
                "score": round(s.score, 2),
                "grade": s.grade,
                "grade_zh": s.grade_zh,
                "grade_en": s.grade_en,
                "vetoed": s.vetoed,
                "veto_conditions": vetoes,
                "criteria": [
                    {
                        "code": c.code,
                        "name_zh": c.name_zh,
                        "points": c.points,
                        "state": c.state,
                        "rate": None if c.rate is None else round(c.rate, 4),
                        "score": round(c.score, 2),
                        "veto": c.veto,
                        "vetoed": c.vetoed,
                        "basis": c.basis,
                        "reason_zh": c.reason_zh,
                        "reason_en": c.reason_en,
                        "shortfalls": list(c.shortfalls),
                        **(
                            {
                                "tasks": [
                                    {
                                        "task": t.task,
                                        "role": t.role,
                                        "weight": t.weight,
                                        "on_schedule": t.on_schedule,
                                    }
                                    for t in c.tasks
                                ]
                            }
                            if c.tasks
                            else {}
                        ),
                    }
                    for c in s.criteria
                ],
            }
        )
    for n in result.not_evaluated:
        units.append(
            {
                "unit": n.unit,
                "name_zh": n.name_zh,
                "name_en": n.name_en,
                "evaluated": False,
                "status_zh": "未参评",
                "status_en": "not evaluated",
                "reason": n.reason,
                "reason_zh": n.reason_zh,
                "reason_en": n.reason_en,
            }
        )
    return {
        "year": result.year,
        "scheme": result.scheme_code,
        "scheme_version": result.scheme_version,
        "scheme_digest": result.scheme_digest,
        "inputs_digest": result.inputs_digest,
        "data_version": result.data_version,
        "units": units,
    }
