"""Use case: where does every target of the plan stand? (`carbonpeak indicators`, GET /api/indicators)

    track_targets(...)  plan + observations (+ derived indicators) → one row per target, labels in zh and en

Observations come from a CSV file in the observations contract (docs/methods/indicators.md) or, when
none is given, from the platform's current data set (services/dataset.py: the demo series and the
inventory of the demo energy balance; `observations` = "demo"). The packaged sample stays available
as `observations_file=SAMPLE_FILE` (`observations` = "sample"). `peak_probabilities` (target code →
P(peak by its year)) is the hook for the projection engine: on the current data set and its latest
year it defaults to services/projection.peak_probabilities of the `plan` scenario (cached in the
process by the data set's file times and the plan's peak targets); `{}` judges peak targets from the
emissions trend instead, as do given observations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from carbonpeak.errors import InputError
from carbonpeak.i18n import t
from carbonpeak.indicators.config import StatusConfig, load_status_config
from carbonpeak.indicators.derived import derive
from carbonpeak.indicators.observations import SAMPLE_FILE, read_observations
from carbonpeak.indicators.progress import Explanation, TargetProgress, assess_plan
from carbonpeak.indicators.series import Observations
from carbonpeak.plan.schema import Plan
from carbonpeak.services import dataset
from carbonpeak.validation import problem

if TYPE_CHECKING:
    from carbonpeak.store.db import Database


@dataclass(frozen=True)
class Tracking:
    """The answer: the region and year judged, where the observations came from, one row per target."""

    region: str
    year: int
    observations: str
    rows: list[dict[str, Any]]
    dataset: str | None = None  # the id of the data set (services/dataset.current) when it was judged

    def as_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "year": self.year,
            "observations": self.observations,
            "dataset": self.dataset,
            **dataset.versions(),
            "targets": self.rows,
        }


def track_targets(
    *,
    plan: Plan | None = None,
    plan_file: Path | str | None = None,
    observations_file: Path | str | None = None,
    observations: Observations | None = None,
    region: str | None = None,
    year: int | None = None,
    config: StatusConfig | None = None,
    peak_probabilities: Mapping[str, float] | None = None,
    database: Database | None = None,
    data_dir: Path | None = None,
) -> Tracking:
    """Progress, pace and status of every target of the plan in `year` (default: the latest observed).

    `database`: the store whose approved observations are put over the current data set (only when
    neither `observations` nor `observations_file` is given). `data_dir`: where the projection behind
    P(peak) is stored and found again (<data_dir>/projections/), so a new process does not re-run it."""
    if plan is None:
        from carbonpeak.services.plan import current_plan

        plan = current_plan(plan_file)
    config = config or load_status_config()
    source = "given"
    if observations is None and observations_file:
        path = Path(observations_file)
        observations = read_observations(path)
        source = "sample" if path.resolve() == SAMPLE_FILE.resolve() else str(path)
    elif observations is None:
        observations = dataset.dataset_observations(region, database=database)
        source = dataset.LABEL if database is None else dataset.STORE_LABEL
    region = _region(observations, region)
    observations = observations.with_series(
        derive(observations, region, price_year=config.price_year, base_year=config.default_base_year)
    )
    latest = _latest_year(observations, region)
    year = _checked_year(observations, region, year) if year is not None else latest
    scenario = "given"
    if peak_probabilities is None and source in (dataset.LABEL, dataset.STORE_LABEL) and year == latest:
        peak_probabilities = projected_peak_probabilities(plan, config, database=database, data_dir=data_dir)
        scenario = PEAK_SCENARIO
    results = assess_plan(plan, observations, region, year, config, peak_probabilities=peak_probabilities)
    names = {tg.code: tg for tg in plan.targets}
    rows = [_row(p, names[p.code].name_zh, names[p.code].name_en, scenario) for p in results]
    from carbonpeak.services.assessment import convention  # here: keeps `carbonpeak indicators` start-up lean

    for row in rows:
        row["convention"] = convention(row["series"], region)
    data_id = dataset.current(database).id if source in (dataset.LABEL, dataset.STORE_LABEL) else None
    return Tracking(region=region, year=year, observations=source, rows=rows, dataset=data_id)


def projected_peak_probabilities(
    plan: Plan, config: StatusConfig, *, database: Database | None = None, data_dir: Path | None = None
) -> dict[str, float]:
    """P(peak by the target's year) of the plan's peak targets from the projection of the `plan`
    scenario on the data set of `database` (services/projection.peak_probabilities: 5 000 draws,
    seed 1), cached in the process by the data set's id, the peak targets and the configuration, and
    on disk under <data_dir>/projections/ when `data_dir` is given."""
    peaks = tuple((t.code, t.indicator, t.metric, t.target_year) for t in plan.targets if t.metric == "peak")
    if not peaks:
        return {}
    key = (peaks, dataset.current(database).id, config.model_dump_json())
    if key not in _PEAK_CACHE:
        from carbonpeak.services.projection import peak_probabilities

        if len(_PEAK_CACHE) >= 8:
            _PEAK_CACHE.clear()
        _PEAK_CACHE[key] = peak_probabilities(plan, config=config, database=database, data_dir=data_dir)
    return dict(_PEAK_CACHE[key])


_PEAK_CACHE: dict[tuple[object, ...], dict[str, float]] = {}
PEAK_SCENARIO = (
    "plan"  # the scenario projected_peak_probabilities runs (services/projection.peak_probabilities)
)


def _region(observations: Observations, region: str | None) -> str:
    regions = observations.regions()
    if region is not None:
        if region not in regions:
            raise InputError(
                f"no observations for region {region!r}",
                [
                    problem(
                        "region", "indicators.region", region, region=region, x=", ".join(regions) or "none"
                    )
                ],
            )
        return region
    if len(regions) != 1:
        raise InputError(
            "choose a region",
            [
                problem(
                    "region",
                    "indicators.region_required",
                    regions_list="、".join(regions),
                    regions=len(regions),
                    regions_list2=", ".join(regions),
                )
            ],
        )
    return regions[0]


def _checked_year(observations: Observations, region: str, year: int) -> int:
    """`year` when the region has observations in it or around it (between its first and its latest
    observed year); an InputError otherwise, rather than an answer from another year."""
    observed = [int(y) for s in observations if s.region == region for y in s.years]
    first, last = min(observed), max(observed)
    if first <= year <= last:
        return year
    raise InputError(
        f"no observations for {region} in {year}",
        [problem("year", "indicators.year", str(year), year=year, region=region, first=first, last=last)],
        message_zh=f"{region} 在 {year} 年没有观测数据",
    )


def _latest_year(observations: Observations, region: str) -> int:
    years = [int(s.years[-1]) for s in observations if s.region == region and len(s)]
    return max(years)


def _row(p: TargetProgress, name_zh: str, name_en: str, scenario: str = "given") -> dict[str, Any]:
    return {
        "code": p.code,
        "name_zh": name_zh,
        "name_en": name_en,
        "indicator": p.indicator,
        "metric": p.metric,
        "status": p.status,
        "status_zh": t(f"indicators.status.{p.status}", "zh"),
        "status_en": t(f"indicators.status.{p.status}", "en"),
        "own_status": p.own_status,
        "judged_against": list(p.judged_against),
        "latest": _round(p.latest),
        "latest_year": p.latest_year,
        "unit": p.unit,
        "target_value": p.target_value,
        "target_year": p.target_year,
        "base_year": p.base_year,
        "progress": _round(p.progress),
        "expected": _round(p.expected),
        "expected_progress": _round(p.expected_progress),
        "required_rate": _round(p.required_rate),
        "achieved_rate": _round(p.achieved_rate),
        "recent_rate": _round(p.recent_rate),
        "recent_years": p.recent_years,
        "rate_kind": p.rate_kind,
        "peak_probability": p.peak_probability,
        # the scenario P(peak) assumes: plan (the plan delivered in full) or given by the caller
        "peak_scenario": scenario if p.peak_probability is not None else None,
        "series": p.series,
        "flag": p.flag,
        "explanation": {lang: explain(p, lang, scenario=scenario) for lang in ("zh", "en")},
    }


def _round(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(x, digits)


def _num(x: float | int | str) -> str:
    if isinstance(x, str):
        return x
    return f"{x:.1f}" if abs(x) < 1000 else f"{x:,.0f}"


def explain(p: TargetProgress, lang: str, *, scenario: str = "given") -> str:
    """The explanation of a target's status as one sentence in `lang` (zh or en); a probability of
    peaking is named with its `scenario` (projection.odds.<scenario>)."""
    sep = "；" if lang == "zh" else "; "
    return sep.join(_clause(e, p, lang, scenario) for e in p.explanation)


def _clause(e: Explanation, p: TargetProgress, lang: str, scenario: str = "given") -> str:
    v = dict(e.values)
    out: dict[str, object] = {k: _num(x) if isinstance(x, float) else x for k, x in v.items()}
    if "p" in v and isinstance(v["p"], float | int):
        out["odds"] = t(f"projection.odds.{scenario}", lang, p=f"{_num(float(v['p']))}%")
    if p.rate_kind == "percent":
        rate_unit = "%"
    elif p.unit == "%":
        rate_unit = t("indicators.unit.points", lang)
    elif lang == "en" and p.unit:
        from carbonpeak.units import english_name

        rate_unit = " " + english_name(p.unit)
    else:
        rate_unit = p.unit or ""
    out["rate_unit"] = rate_unit
    for key, dir_key in (("required", "req"), ("recent", "rec"), ("rate", "rec")):
        if key in v and isinstance(v[key], float | int):
            x = float(v[key])
            out[f"{dir_key}_dir"] = t("indicators.dir.fall" if x < 0 else "indicators.dir.rise", lang)
            out[dir_key] = _num(abs(x))
    if "status" in v:
        out["status"] = t(f"indicators.status.{v['status']}", lang)
    return t(e.key, lang, **out)


__all__ = ["PEAK_SCENARIO", "Tracking", "explain", "projected_peak_probabilities", "track_targets"]
