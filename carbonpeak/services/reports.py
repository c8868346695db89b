"""Use cases of reports: the annual progress report, the 十四五 final assessment and the dispatch notice.

    build_report(kind, plan, bundle, year=…, lang=…, scheme=…)   a reports.render.Report in one language
    report_bytes(kind, fmt, …)                                  the same as html, pdf, docx or xlsx bytes

Kinds: `annual`; `assessment`, the five-year (十四五) final assessment of 2025 that replaces the
plan's mid-term assessment (`midterm` is kept as another name of it); `dispatch`. The annual report
and the assessment carry the narrative sections 成效 / 问题 / 下步工作 (services/report_narrative:
the office's summary, then the units' reports), and the assessment the annual and cumulative
conditions of the five-year targets.

Reported rows (task progress, project status, reporting) come from the input bundle; every result
comes from the engines for the report's year and database (services/results.year_results): the
targets table is services/indicators.track_targets (every target), the inventory section the
inventory engine's output by scope, the projection section the shown projection run of the `plan`
and `baseline` scenarios, and the evaluation's indicator criteria the same track_targets rows. The
HTML, the PDF and the XLSX of one report hold the same numbers, and the same as the pages and API.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

from carbonpeak.errors import InputError
from carbonpeak.evaluation.balance import BalanceRow
from carbonpeak.evaluation.scheme import Scheme
from carbonpeak.evaluation.scoring import EvaluationResult
from carbonpeak.i18n import normalise_language, t
from carbonpeak.plan.schema import Plan
from carbonpeak.reports.charts import Bar, bar_chart
from carbonpeak.reports.model import Report, Section, Table
from carbonpeak.reports.render import render
from carbonpeak.services import evaluation as evaluation_service
from carbonpeak.services import supervision as supervision_service
from carbonpeak.services.report_narrative import conditions_section, narrative_sections
from carbonpeak.services.results import YearResults, database_or_settings, require_initialised, year_results
from carbonpeak.services.supervision import Bundle
from carbonpeak.store.db import Database
from carbonpeak.supervision.dispatch import DispatchList, state_counts
from carbonpeak.supervision.model import PROJECT_STATES, TASK_STATUSES
from carbonpeak.units import table_quantity
from carbonpeak.validation import problem

ReportKind = Literal["annual", "assessment", "midterm", "dispatch"]
KINDS: tuple[str, ...] = ("annual", "assessment", "midterm", "dispatch")
ALIASES = {"midterm": "assessment"}  # the 2025 final assessment replaces the plan's mid-term one
FORMATS: tuple[str, ...] = ("html", "pdf", "docx", "xlsx")


class _Labels:
    """Labels and names in one language."""

    def __init__(self, plan: Plan, bundle: Bundle, lang: str) -> None:
        self.lang = lang
        self.units = {u.code: (u.name_zh, u.name_en) for u in plan.units}
        self.units.update({d.code: (d.name_zh, d.name_en) for d in bundle.districts})

    def __call__(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)

    def name(self, obj: Any) -> str:
        zh = getattr(obj, "name_zh", None) or getattr(obj, "title_zh", "")
        en = getattr(obj, "name_en", None) or getattr(obj, "title_en", None)
        return str(zh if self.lang == "zh" or not en else en)

    def pick(self, zh: str, en: str | None) -> str:
        return zh if self.lang == "zh" or not en else en

    def unit(self, code: str) -> str:
        names = self.units.get(code)
        if names is None:
            return code
        return names[0] if self.lang == "zh" else names[1]

    def quantity(self, value: Any, unit: str | None) -> tuple[Any, str]:
        """A table cell's number and its unit column (units.table_quantity: emissions in 万吨二氧化碳
        / Mt CO₂ as the pages show them, other units as they are)."""
        return table_quantity(value, unit, self.lang)


# -- sections -------------------------------------------------------------------------------------


def _targets_section(
    plan: Plan, results: YearResults, L: _Labels, *, title: str, milestone: int | None = None
) -> Section:
    """Every target of the plan (of the `milestone` year if given) with the indicator engine's row:
    latest value in the judged series' unit, its year, progress, completion rate and status."""
    rows_by_code = {r["code"]: r for r in results.tracking.rows}
    completion = {r.code: r.completion_rate for r in results.indicator_results if r.unit == "city"}
    rows: list[list[Any]] = []
    for target in plan.targets:
        if milestone is not None and target.target_year != milestone:
            continue
        r = rows_by_code.get(target.code) or {}
        status = r.get("status") or "no_data"
        value_target: Any = target.target_value if target.target_value is not None else L("reports.pending")
        value_target, target_unit = L.quantity(value_target, target.unit)
        latest, latest_unit = L.quantity(r.get("latest"), r.get("unit"))
        rows.append(
            [
                L.name(target),
                target.target_year,
                value_target,
                target_unit,
                latest,
                latest_unit,
                r.get("latest_year"),
                completion.get(target.code),
                L(f"reports.status.{status}"),
            ]
        )
    cols = [
        L("reports.col.indicator"),
        L("reports.col.target_year"),
        L("reports.col.target"),
        L("common.unit"),
        L("reports.col.actual"),
        L("common.unit"),
        L("reports.col.latest_year"),
        L("reports.col.completion"),
        L("reports.col.status"),
    ]
    table = Table(
        cols, rows, ["text", "text", "2", "text", "2", "text", "text", "pct", "text"], sheet="targets"
    )
    basis = L("reports.targets.basis", year=results.tracking.year, source=results.tracking.observations)
    # how a figure is counted (non-fossil share's crediting, energy intensity's rules): issue 16
    colon = "：" if L.lang == "zh" else ": "
    named = list(
        dict.fromkeys(  # one line per indicator: its 2025 and 2030 targets are counted alike
            f"{L.name(tg)}{colon}{L.pick(c['zh'], c['en'])}"
            for tg in plan.targets
            if (milestone is None or tg.target_year == milestone)
            and (c := (rows_by_code.get(tg.code) or {}).get("convention"))
        )
    )
    if any(
        (rows_by_code.get(tg.code) or {}).get("series") == "non_fossil_share"
        for tg in plan.targets
        if milestone is None or tg.target_year == milestone
    ):
        named.extend(_non_fossil_sensitivity(results, L))
    return Section(
        "targets",
        title,
        [basis, *named] if rows else [L("reports.no_data")],
        tables=[table] if rows else [],
    )


def _non_fossil_sensitivity(results: YearResults, L: _Labels) -> list[str]:
    """The non-fossil share of the judged year under each crediting of imported electricity (no
    credit / the provincial share / the national share), as the indicator page's sensitivity lines."""
    view, year = results.non_fossil, results.tracking.year
    if view is None or year not in view.years:
        return []
    i = view.years.index(year)
    sep = "；" if L.lang == "zh" else "; "
    lines = sep.join(
        f"{L(f'web.non_fossil.line.{line.key}', grid=line.grid or '')} {line.values[i]:.2f}%"
        for line in view.lines
        if line.values[i] is not None
    )
    return [L("reports.non_fossil.sensitivity", year=year, lines=lines)]


def _inventory_section(results: YearResults, L: _Labels) -> Section:
    """The inventory engine's output of the year by scope; the total is the sum of the three scopes
    and sinks stand apart (never added to it)."""
    inv = results.inventory
    if inv is None:
        return Section("inventory", L("reports.section.inventory"), [L("reports.no_data")])
    rows: list[list[Any]] = [
        [L("reports.inventory.energy"), *L.quantity(inv.energy, inv.unit)],
        [L("reports.inventory.process"), *L.quantity(inv.process, inv.unit)],
        [L("reports.inventory.indirect"), *L.quantity(inv.indirect_electricity, inv.unit)],
        [L("reports.inventory.total"), *L.quantity(inv.total, inv.unit)],
        [
            L("reports.inventory.sinks"),
            L.quantity(inv.sinks, inv.unit)[0]
            if inv.sinks is not None
            else L("reports.inventory.sinks_none"),
            "",
        ],
    ]
    cols = [L("reports.col.scope"), L("reports.col.emissions"), L("common.unit")]
    basis = L("reports.inventory.basis", year=inv.year, factors=inv.factor_set, flag=inv.flag)
    return Section(
        "inventory",
        L("reports.section.inventory"),
        [basis],
        tables=[Table(cols, rows, ["text", "1"], sheet="inventory")],
    )


def _projection_section(results: YearResults, L: _Labels) -> Section:
    """P(peak by 2030), median peak year and median peak value of each shown scenario, side by side."""
    runs = results.projections
    if not runs:
        return Section("projection", L("reports.section.projection"), [L("reports.no_data")])
    rows: list[list[Any]] = [
        [
            L.pick(p.label_zh, p.label_en),
            p.p_peak_by_2030,
            str(p.median_peak_year) if p.median_peak_year is not None else None,
            *L.quantity(p.peak_value_median, p.unit),
            p.scenario_hash[:12],
        ]
        for p in runs
    ]
    cols = [
        L("reports.col.scenario"),
        L("reports.projection.p_peak"),
        L("reports.projection.median_peak_year"),
        L("reports.projection.peak_value"),
        L("common.unit"),
        L("reports.projection.scenario_hash"),
    ]
    first = runs[0]
    basis = L("reports.projection.basis", draws=first.draws, seed=first.seed, base_year=first.base_year)
    sep = "；" if L.lang == "zh" else "; "
    odds = sep.join(L(f"projection.odds.{p.scenario}", p=f"{100 * p.p_peak_by_2030:.1f}%") for p in runs)
    return Section(
        "projection",
        L("reports.section.projection"),
        [basis, f"{L('projection.odds.title', year=2030)}{'：' if L.lang == 'zh' else ': '}{odds}"],
        tables=[Table(cols, rows, ["text", "pct", "text", "1"], sheet="projection")],
    )


def _task_sections(bundle: Bundle, d: DispatchList, L: _Labels, *, title: str) -> Section:
    latest = supervision_service.latest_reports(bundle)
    counts: Counter[str] = Counter(r.status for r in latest)
    total = sum(counts.values())
    count_table = Table(
        [L("supervision.col.status"), L("reports.col.count"), "%"],
        [
            [L(f"supervision.status.{s}"), counts.get(s, 0), counts.get(s, 0) / total if total else None]
            for s in TASK_STATUSES
        ],
        ["text", "int", "pct"],
        sheet="task status",
    )
    return Section(
        "tasks", title, [L("reports.summary.tasks", total=total)], tables=[count_table, _lagging_table(d, L)]
    )


def _lagging_table(d: DispatchList, L: _Labels) -> Table:
    rows: list[list[Any]] = [
        [
            r.task,
            r.title_zh if L.lang == "zh" else r.title_en,
            L.unit(r.unit),
            L(f"supervision.role.{r.role}"),
            L(f"supervision.reason.{r.reason}"),
            r.percent,
            r.next_steps,
        ]
        for r in d.lagging_tasks
    ]
    cols = [
        L("supervision.col.task"),
        "",
        L("supervision.col.unit"),
        L("supervision.col.role"),
        L("supervision.col.reason"),
        L("supervision.col.percent"),
        L("supervision.col.next_steps"),
    ]
    return Table(
        cols,
        rows,
        ["text", "text", "text", "text", "text", "int"],
        caption=L("reports.section.lagging_tasks"),
        sheet="lagging tasks",
    )


def _projects_section(plan: Plan, bundle: Bundle, L: _Labels, *, title: str) -> Section:
    rollup, counts = supervision_service.project_rollup(plan, bundle)
    # a category's label: in Chinese the plan's group name of its first project, else the code
    groups: dict[str, str] = {}
    for p in plan.key_projects:
        groups.setdefault(p.category, p.group)
    cnt = Table(
        [L("supervision.col.category")] + [L(f"supervision.project.{s}") for s in PROJECT_STATES],
        [
            [L.pick(groups.get(cat, cat), cat.replace("_", " "))] + [row[s] for s in PROJECT_STATES]
            for cat, row in counts.items()
        ],
        ["text"] + ["int"] * len(PROJECT_STATES),
        sheet="project status",
    )
    cap_rows: list[list[Any]] = [
        [
            L.name(r),
            r.target_year,
            r.target_value,
            r.unit,
            r.planned,
            r.in_operation,
            r.share_in_operation,
            r.projects,
            r.projects_unquantified,
        ]
        for r in rollup
    ]
    cap = Table(
        [
            L("supervision.col.target"),
            L("reports.col.target_year"),
            L("supervision.col.target_value"),
            L("common.unit"),
            L("supervision.col.planned"),
            L("supervision.col.in_operation"),
            L("supervision.col.share"),
            L("supervision.col.projects"),
            L("supervision.col.unquantified"),
        ],
        cap_rows,
        ["text", "text", "1", "text", "1", "1", "pct", "int", "int"],
        sheet="capacity",
    )
    bars = [
        Bar(f"{L.name(r)}", r.share_in_operation or 0.0, 1.0, f"{(r.share_in_operation or 0):.1%}")
        for r in rollup
        if r.target_value
    ]
    chart = bar_chart(bars, title=L("reports.chart.capacity")) if bars else ""
    return Section("projects", title, tables=[cnt, cap], chart=chart)


def _evaluation_sections(result: EvaluationResult, scheme: Scheme, L: _Labels) -> list[Section]:
    paragraphs = [
        f"{L('evaluation.scheme')}: {L.pick(scheme.title_zh, scheme.title_en)}"
        f" v{scheme.version} ({result.scheme_digest[:12]})",
        L("evaluation.rank_rule"),
    ]
    if result.not_evaluated:
        paragraphs.append(
            L(
                "evaluation.not_evaluated",
                units="；".join(
                    f"{L.unit(n.unit)}（{L.pick(n.reason_zh, n.reason_en)}）" for n in result.not_evaluated
                ),
            )
        )
    tables: list[Table] = []
    bars: list[Bar] = []
    for audience in scheme.audiences:
        scores = [s for s in result.scores if s.audience == audience.code]
        rows: list[list[Any]] = [
            [
                s.rank,
                L.unit(s.unit),
                round(s.score, 2),
                L.pick(s.grade_zh, s.grade_en),
                L("evaluation.vetoed") if s.vetoed else "",
            ]
            for s in scores
        ]
        tables.append(
            Table(
                [
                    L("evaluation.col.rank"),
                    L("evaluation.col.unit"),
                    L("evaluation.col.score"),
                    L("evaluation.col.grade"),
                    L("evaluation.col.veto"),
                ],
                rows,
                ["int", "text", "2"],
                caption=L.name(audience),
                sheet=f"scores {audience.code}",
            )
        )
        bars.extend(Bar(L.unit(s.unit), s.score, None, f"{s.score:.2f}") for s in scores)
    detail: list[list[Any]] = [
        [
            L.unit(s.unit),
            L.name(c),
            c.points,
            c.rate,
            round(c.score, 2),
            c.basis,
            L("evaluation.vetoed") if c.vetoed else "",
        ]
        for s in result.scores
        for c in s.criteria
    ]
    tables.append(
        Table(
            [
                L("evaluation.col.unit"),
                L("evaluation.col.criterion"),
                L("evaluation.col.points"),
                L("evaluation.col.rate"),
                L("evaluation.col.score"),
                L("evaluation.col.basis"),
                L("evaluation.col.veto"),
            ],
            detail,
            ["text", "text", "1", "pct", "2"],
            caption=L("evaluation.col.basis"),
            sheet="score breakdown",
        )
    )
    chart = bar_chart(bars, title=L("reports.chart.scores"), rules=[60.0, 80.0, 90.0]) if bars else ""
    rect_rows: list[list[Any]] = [
        [
            L.unit(r.unit),
            L.pick(r.criterion_zh, r.criterion_en),
            r.rate,
            round(r.points_lost, 2),
            L("evaluation.vetoed") if r.vetoed else "",
            "、".join(r.shortfalls[:8]),
        ]
        for r in result.rectification
    ]
    rect = Table(
        [
            L("evaluation.col.unit"),
            L("evaluation.col.criterion"),
            L("evaluation.col.rate"),
            L("evaluation.col.points_lost"),
            L("evaluation.col.veto"),
            L("evaluation.col.shortfalls"),
        ],
        rect_rows,
        ["text", "text", "pct", "2"],
        sheet="rectification",
    )
    # the breakdown is long: the HTML/PDF shows rankings and the chart, the workbook every row
    return [
        Section("evaluation", L("reports.section.evaluation"), paragraphs, tables, chart),
        Section("rectification", L("reports.section.rectification"), tables=[rect]),
    ]


def _balance_section(rows: list[BalanceRow], L: _Labels, title: str) -> Section:
    data: list[list[Any]] = [
        [
            r.name_zh if L.lang == "zh" else r.name_en,
            r.year,
            r.unit,
            r.city_value,
            r.district_sum,
            r.gap,
            L(f"evaluation.balance.status.{r.status}"),
            ", ".join(L.unit(d) for d in r.missing_districts),
        ]
        for r in rows
    ]
    cols = [
        L("reports.col.indicator"),
        L("common.year"),
        L("common.unit"),
        L("evaluation.balance.city"),
        L("evaluation.balance.sum"),
        L("evaluation.balance.gap"),
        L("reports.col.status"),
        L("evaluation.balance.missing"),
    ]
    return Section(
        "balance", title, tables=[Table(cols, data, ["text", "text", "text", "2", "2", "2"], sheet="balance")]
    )


def _dispatch_sections(d: DispatchList, L: _Labels) -> list[Section]:
    summary = L(
        "reports.summary.dispatch",
        as_of=d.as_of.isoformat(),
        tasks=len(d.lagging_tasks),
        units=len(d.lagging_units),
        overdue=len(d.overdue_reports),
        stale=len(d.stale_projects),
        t_never=(tc := state_counts(d.lagging_tasks))["never_reported"],
        t_behind=tc["behind"],
        p_never=(pc := state_counts(d.stale_projects))["never_reported"],
        p_behind=pc["behind"],
        p_stalled=pc["stalled"],
    )
    lag = _lagging_table(d, L)
    lag.caption = ""
    units = Table(
        [
            L("supervision.col.unit"),
            L("supervision.col.lagging_tasks"),
            L("supervision.col.overdue_reports"),
            L("supervision.col.task"),
        ],
        [[L.unit(u.unit), u.lagging_tasks, u.overdue_reports, "、".join(u.tasks)] for u in d.lagging_units],
        ["text", "int", "int"],
        sheet="lagging units",
    )
    overdue = Table(
        [
            L("supervision.col.unit"),
            L("supervision.col.round"),
            L("supervision.col.due"),
            L("supervision.col.submitted"),
            L("supervision.col.days_late"),
            L("supervision.col.status"),
        ],
        [
            [
                L.unit(o.unit),
                o.round,
                o.due.isoformat(),
                o.submitted_at.isoformat() if o.submitted_at else None,
                o.days_late,
                L(f"supervision.overdue.{o.state}"),
            ]
            for o in d.overdue_reports
        ],
        ["text", "text", "text", "text", "int"],
        sheet="overdue",
    )
    stale = Table(
        [
            L("supervision.col.project"),
            "",
            L("supervision.col.status"),
            L("supervision.col.updated"),
            L("supervision.col.reason"),
        ],
        [
            [
                p.project,
                p.name_zh,
                L(f"supervision.project.{p.status}") if p.status else "—",
                p.updated_at.isoformat() if p.updated_at else None,
                L(f"supervision.stale.{p.reason}"),
            ]
            for p in d.stale_projects
        ],
        sheet="stale projects",
    )
    return [
        Section("lagging_tasks", L("reports.section.lagging_tasks"), [summary], [lag]),
        Section("lagging_units", L("reports.section.lagging_units"), tables=[units]),
        Section("overdue", L("reports.section.overdue"), tables=[overdue]),
        Section("stale", L("reports.section.stale"), tables=[stale]),
    ]


_ZH_NUMERALS = "一二三四五六七八九十"


def _numbered(n: int, title: str, lang: str) -> str:
    return f"{_ZH_NUMERALS[n - 1]}、{title}" if lang == "zh" and n <= 10 else f"{n}. {title}"


# -- reports --------------------------------------------------------------------------------------


def build_report(
    kind: str,
    plan: Plan,
    bundle: Bundle,
    *,
    year: int,
    lang: str = "zh",
    scheme: Scheme | None = None,
    as_of: dt.date | None = None,
    district_balance: Callable[[Plan], list[BalanceRow]] | None = None,
    results: YearResults | None = None,
    summaries: Mapping[str, tuple[str, str]] | None = None,
) -> Report:
    """The report of `kind` (annual, assessment — also called midterm —, dispatch) for `year`, in
    `lang`. The annual report and the assessment show `results` (services/results.year_results of the
    same year: required for them; an InputError if missing or of another year) and the office's
    `summaries` (section → (zh, en), services/report_summaries); the dispatch notice shows none."""
    if kind not in KINDS:
        raise InputError(
            f"unknown report {kind!r}",
            [problem("kind", "reports.kind", kind=kind, kinds_list=", ".join(KINDS))],
        )
    if kind != "dispatch" and (results is None or results.year != year):
        raise InputError(
            f"the {kind} report of {year} needs the engines' results of {year}",
            [
                problem(
                    "results",
                    "reports.results_year",
                    results.year if results else None,
                    text_key="problem.reports.results_year.other" if results else None,
                    kind=kind,
                    year=year,
                )
            ],
        )
    kind = ALIASES.get(kind, kind)
    L = _Labels(plan, bundle, normalise_language(lang))
    city = plan.city_zh if L.lang == "zh" else plan.city_en
    d = supervision_service.dispatch(plan, bundle, as_of=as_of)
    narrative = narrative_sections(
        plan, bundle, d.lagging_tasks, summaries or {}, lang=L.lang, unit_name=L.unit
    )
    sections: list[Section] = []
    if kind == "annual":
        assert results is not None
        scheme = scheme or evaluation_service.scheme_for(year)
        result, _ = evaluation_service.evaluate_year(
            plan,
            year,
            bundle,
            scheme=scheme,
            indicator_results=results.indicator_results,
            as_of=as_of,
            target_checks=results.target_checks,  # the same evaluation as `carbonpeak evaluate`
        )
        sections = [
            _targets_section(plan, results, L, title=L("reports.section.targets")),
            _inventory_section(results, L),
            _projection_section(results, L),
            *narrative,
            _task_sections(bundle, d, L, title=L("reports.section.tasks")),
            _projects_section(plan, bundle, L, title=L("reports.section.projects")),
            *_evaluation_sections(result, scheme, L),
        ]
    elif kind == "assessment":
        assert results is not None
        balance = (district_balance or evaluation_service.district_balance)(plan)
        sections = [
            _targets_section(plan, results, L, title=L("reports.section.targets"), milestone=year),
            conditions_section(plan, results.target_checks, lang=L.lang, unit_name=L.unit),
            _inventory_section(results, L),
            _projection_section(results, L),
            *narrative,
            _task_sections(bundle, d, L, title=L("reports.section.tasks")),
            _projects_section(plan, bundle, L, title=L("reports.section.projects")),
        ]
        if bundle.year in (None, year):
            scheme = scheme or evaluation_service.scheme_for(year)
            result, _ = evaluation_service.evaluate_year(
                plan,
                year,
                bundle,
                scheme=scheme,
                indicator_results=results.indicator_results,
                as_of=as_of,
                target_checks=results.target_checks,
            )
            sections.extend(_evaluation_sections(result, scheme, L))
        else:
            sections[-1].paragraphs.append(
                L("reports.assessment.no_evaluation", year=year, data_year=bundle.year)
            )
        sections.append(_balance_section(balance, L, L("reports.section.balance")))
        sections[0].paragraphs.insert(0, L("reports.assessment.scope"))
    else:
        sections = _dispatch_sections(d, L)
    for i, section in enumerate(sections):
        section.title = _numbered(i + 1, section.title, L.lang)
    issued = as_of or bundle.as_of or dt.date.today()
    meta = [(L("reports.generated"), issued.isoformat())]
    if bundle.supervision.data_version:
        meta.append((L("reports.data_version"), bundle.supervision.data_version))
    return Report(
        kind=kind,
        lang=L.lang,
        title=L(f"reports.{kind}.title", city=city, year=year),
        subtitle=plan.title_zh if L.lang == "zh" else plan.title_en,
        meta=meta,
        sections=sections,
        banner=L("reports.sample_banner") if "sample" in bundle.flags else "",
        issuer=_issuer(plan, L),
        doc_number=L("reports.doc_number", year=issued.year),
        addressee=L("reports.addressee"),
        date=L("reports.date", year=issued.year, month=issued.month, day=issued.day),
    )


def _issuer(plan: Plan, L: _Labels) -> str:
    """The issuing body: the plan's coordination body (the leading group's office), if it names one."""
    office = next((u for u in plan.units if u.kind == "coordination_body"), None)
    if office is None:
        return ""
    if L.lang == "zh" and office.name_zh.startswith("市") and plan.city_zh.endswith("市"):
        return plan.city_zh + office.name_zh[1:]  # 市碳达峰…办公室 → 济南市碳达峰…办公室
    return L.name(office)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise InputError(
            f"unknown format {fmt!r}",
            [problem("format", "reports.format", fmt=fmt, formats_list=", ".join(FORMATS))],
        )


def report_bytes(
    kind: str,
    fmt: str,
    plan: Plan,
    bundle: Bundle,
    *,
    year: int,
    lang: str = "zh",
    scheme: Scheme | None = None,
    as_of: dt.date | None = None,
    results: YearResults | None = None,
    summaries: Mapping[str, tuple[str, str]] | None = None,
) -> bytes:
    """The report as html, pdf, docx or xlsx bytes."""
    _check_format(fmt)
    report = build_report(
        kind,
        plan,
        bundle,
        year=year,
        lang=lang,
        scheme=scheme,
        as_of=as_of,
        results=results,
        summaries=summaries,
    )
    return render(report, fmt)


def generate_report(
    kind: str,
    fmt: str,
    *,
    year: int,
    lang: str = "zh",
    plan_file: Path | str | None = None,
    inputs: Path | str | None = None,
    scheme_file: Path | str | None = None,
    as_of: dt.date | None = None,
    database: Database | None = None,
    bundle: Bundle | None = None,
) -> bytes:
    """The report (defaults: the settings' plan, the sample bundle, the packaged scheme) with the
    engines' results of `year` on `database` (default: the settings'; NotInitialised before
    `carbonpeak init`, never figures from a file). `bundle` replaces the input bundle (the office
    console passes the store's, services/supervision.bundle_from_store)."""
    from carbonpeak.services.plan import current_plan
    from carbonpeak.services.report_summaries import summaries_for

    _check_format(fmt)  # before any computing
    kind = ALIASES.get(kind, kind)
    plan = current_plan(plan_file)
    scheme = evaluation_service.scheme_for(year, scheme_file) if kind == "annual" else None
    results = None
    summaries: dict[str, tuple[str, str]] = {}
    if kind in ("annual", "assessment"):
        with database_or_settings(database) as db:
            require_initialised(db)
            results = year_results(plan, year, database=db)
            summaries = summaries_for(db, kind, year)
    return report_bytes(
        kind,
        fmt,
        plan,
        bundle if bundle is not None else supervision_service.load_bundle(inputs, year=year),
        year=year,
        lang=lang,
        scheme=scheme,
        as_of=as_of,
        results=results,
        summaries=summaries,
    )


def media_type(fmt: str) -> str:
    return {
        "html": "text/html; charset=utf-8",
        "pdf": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }[fmt]
