"""`carbonpeak project`: Monte Carlo projection of a scenario (odds of peaking by 2030, targets, wedges)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from carbonpeak.cli.options import Format, JsonOrTable, Seed, settings, store_database, store_option
from carbonpeak.cli.output import console, print_as, print_table, progress_bar


def register(app: typer.Typer) -> None:
    @app.command("project")
    def project(
        scenario: Annotated[
            str, typer.Option(help="shipped scenario (baseline, plan, enhanced) or a YAML file")
        ] = "plan",
        draws: Annotated[int, typer.Option(help="Monte Carlo draws")] = 10_000,
        seed: Seed = 1,
        fmt: JsonOrTable = Format.table,
        sensitivity: Annotated[
            bool,
            typer.Option(help="tornado and Sobol indices (only when asked: they cost more than the run)"),
        ] = False,
        wedges: Annotated[
            bool, typer.Option(help="programme wedges against the counterfactual (only when asked)")
        ] = False,
        analysis_draws: Annotated[int, typer.Option(help="draws for tornado, wedges")] = 2_000,
        sobol_draws: Annotated[int, typer.Option(help="base sample N for Sobol (N x (k+2) runs)")] = 1_024,
        add_project: Annotated[Path | None, typer.Option(help="YAML file of projects to add")] = None,
        save: Annotated[bool, typer.Option(help="store the result under <data dir>/projections/")] = True,
        store: Annotated[
            bool, store_option("start from the data set of the database's current snapshot")
        ] = False,
    ) -> None:
        """项目碳达峰预测 / Project a scenario: probability of peaking by 2030, bands, targets, wedges."""
        from carbonpeak.services.projection import run_projection

        kwargs: dict[str, Any] = dict(
            draws=draws,
            seed=seed,
            sensitivity=sensitivity,
            wedges=wedges,
            analysis_draws=analysis_draws,
            sobol_draws=sobol_draws,
            add_project=add_project,
            data_dir=settings().data_dir if save else None,
            workers=settings().threads,
        )
        with store_database(store) as database:
            if database is not None:
                from carbonpeak.services.dataset import current

                kwargs["data"] = current(database)
            if draws >= 20_000:
                with progress_bar("Monte Carlo") as bar:
                    task = bar.add_task("draws", total=draws)
                    result = run_projection(
                        scenario, progress=lambda done: bar.update(task, completed=done), **kwargs
                    )
            else:
                result = run_projection(scenario, **kwargs)
        if database is not None:
            result["dataset"] = kwargs["data"].id
        print_as(fmt, result, lambda: _print_tables(result))


def _print_tables(r: dict[str, Any]) -> None:
    out = console()
    out.print(f"[bold]{r['scenario']}[/]  draws={r['draws']} seed={r['seed']} hash={r['scenario_hash'][:12]}")
    out.print(
        f"P(peak by 2030) = [bold]{r['p_peak_by_2030']:.1%}[/]   "
        f"peak year p5/p50/p95 = {r['peak_year']['quantiles']['p5']}/{r['peak_year']['quantiles']['p50']}/"
        f"{r['peak_year']['quantiles']['p95']}   peak value p50 = {r['peak_value']['quantiles']['p50']} MtCO2"
    )
    years = r["bands"]["years"]
    rows = [
        {
            "year": y,
            **{f"CO2 {q}": r["bands"]["co2"][q][i] for q in ("p5", "p50", "p95")},
            "non-fossil p50": r["bands"]["non_fossil_share"]["p50"][i],
        }
        for i, y in enumerate(years)
        if y % 5 == 0
    ]
    print_table(rows, title="CO2 (Mt) bands")
    print_table(
        [
            {"target": t["id"], "label": t["label_en"], "P(met)": t["probability"]}
            for t in r["target_probabilities"]
        ],
        title="targets",
    )
    if r.get("wedges"):
        print_table(
            [
                {
                    "programme": w["programme"],
                    "name": w["name_zh"],
                    "2030 Mt/yr": w["wedge_at"].get("2030"),
                    "2035 Mt/yr": w["wedge_at"].get("2035"),
                    "Δp_peak": w["delta_p_peak"],
                }
                for w in r["wedges"]
            ],
            title="wedges",
        )
    if r.get("sensitivity"):
        tornado = {"p low": ("low", "p_peak"), "p high": ("high", "p_peak")}
        tornado |= {"peak Mt low": ("low", "peak_value_median")}
        tornado |= {"peak Mt high": ("high", "peak_value_median")}
        _driver_table(r["sensitivity"]["tornado"], "tornado (top 8)", tornado)
        sobol = {"S p_peak": ("p_peak", "first"), "ST p_peak": ("p_peak", "total")}
        sobol |= {"S peak": ("peak_value", "first"), "ST peak": ("peak_value", "total")}
        _driver_table(r["sensitivity"]["sobol"], "Sobol (top 8)", sobol)
    if r.get("impact"):
        d = r["impact"]["delta"]
        out.print(
            f"project impact: Δ peak year (median) {d['peak_year_median']:+.1f}, "
            f"Δ peak value {d['peak_value_median']:+.3f} MtCO2, Δ P(peak by 2030) {d['p_peak_by_2030']:+.3f}"
        )
    if r.get("stored_at"):
        out.print(f"stored: {r['stored_at']}")


def _driver_table(rows: list[dict[str, Any]], title: str, columns: dict[str, tuple[str, str]]) -> None:
    """The first eight drivers of a sensitivity ranking: header → (key, sub-key) of each row."""
    from carbonpeak.scenarios.labels import driver_label

    print_table(
        [
            {"driver": driver_label(row["driver"]), **{h: row[k][sub] for h, (k, sub) in columns.items()}}
            for row in rows[:8]
        ],
        title=title,
    )
