"""Use case: project a scenario — odds of peaking, bands, targets, sensitivity, wedges, project impact.

run_projection(...) loads the scenario file, runs the seeded Monte Carlo and whichever analyses are
asked for, and returns one JSON-ready dict with the scenario file's hash and the seed; with a
`data_dir` it also stores that dict under <data_dir>/projections/ and says where.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from carbonpeak.errors import InputError, NotFound, Problem
from carbonpeak.scenarios.impact import project_impact
from carbonpeak.scenarios.load import load_projects, load_scenario, resolve_scenario_path, shipped_scenarios
from carbonpeak.scenarios.montecarlo import run
from carbonpeak.scenarios.sensitivity import sobol, tornado
from carbonpeak.scenarios.wedges import wedges as programme_wedges

MAX_DRAWS = 1_000_000


def list_scenarios() -> list[dict[str, str]]:
    """The shipped scenarios: name and labels."""
    out = []
    for name in shipped_scenarios():
        s = load_scenario(name)
        out.append(
            {"name": name, "label_zh": s.label_zh, "label_en": s.label_en, "scenario_hash": s.source_hash}
        )
    return out


def run_projection(
    scenario: str | Path,
    *,
    draws: int = 10_000,
    seed: int = 1,
    sensitivity: bool = True,
    wedges: bool = True,
    analysis_draws: int = 2_000,
    sobol_draws: int = 1_024,
    add_project: str | Path | None = None,
    data_dir: Path | None = None,
    progress: Callable[[int], None] | None = None,
    shipped_only: bool = False,
) -> dict[str, Any]:
    """Run a projection; see the module docstring. `analysis_draws` for tornado, wedges and impact."""
    problems = []
    for name, value, low in (
        ("draws", draws, 1),
        ("analysis_draws", analysis_draws, 1),
        ("sobol_draws", sobol_draws, 2),
    ):
        if not low <= value <= MAX_DRAWS:
            problems.append(
                Problem(
                    name,
                    "projection.draws",
                    f"{name} 应在 {low} 至 {MAX_DRAWS} 之间",
                    f"{name} must lie between {low} and {MAX_DRAWS}",
                    str(value),
                )
            )
    if problems:
        raise InputError("invalid projection request", problems)
    if shipped_only and str(scenario) not in shipped_scenarios():
        raise NotFound(f"no shipped scenario {scenario!r}", message_zh=f"没有名为 {scenario} 的情景")
    path = resolve_scenario_path(scenario)
    if not path.exists():
        raise NotFound(
            f"no scenario {scenario!r} (shipped: {', '.join(shipped_scenarios())})",
            message_zh=f"找不到情景 {scenario}",
        )
    sc = load_scenario(path)
    additions = load_projects(add_project, sc) if add_project else ()
    _, result = run(sc, draws=draws, seed=seed, progress=progress)
    result["scenario_file"] = str(path)
    result["sensitivity"] = (
        {
            "tornado": tornado(sc, draws=analysis_draws, seed=seed),
            "sobol": sobol(sc, base_draws=sobol_draws, seed=seed),
            "tornado_draws": analysis_draws,
            "sobol_base_draws": sobol_draws,
        }
        if sensitivity
        else None
    )
    result["wedges"] = programme_wedges(sc, draws=analysis_draws, seed=seed) if wedges else []
    if additions:
        result["impact"] = project_impact(sc, additions, draws=draws, seed=seed)
    if data_dir is not None:
        folder = Path(data_dir) / "projections"
        folder.mkdir(parents=True, exist_ok=True)
        suffix = "-impact" if additions else ""
        target = folder / f"{sc.name}-{sc.source_hash[:12]}-seed{seed}-n{draws}{suffix}.json"
        result["stored_at"] = str(target)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(target)
    return result


__all__ = ["MAX_DRAWS", "list_scenarios", "run_projection"]
