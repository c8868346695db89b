"""The monthly warning notice of the carbon budget (碳排放预算执行预警通报) through the report engine
(carbonpeak/reports: HTML, PDF, DOCX, XLSX), in Chinese or English, from `budget_report`.

    budget_notice(report, plan, lang)            Report: overall situation, districts, sectors,
                                                 watch-lists, method and data
    notice_bytes(year, fmt, lang, database, …)   the notice as bytes
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from carbonpeak.i18n import t
from carbonpeak.reports.model import Report, Section, Table
from carbonpeak.reports.render import render

if TYPE_CHECKING:
    from carbonpeak.plan.schema import Plan
    from carbonpeak.store.db import Database

SECTOR_KEYS = ("primary", "secondary", "tertiary", "residential")


def _name(code: str, plan: Plan, lang: str) -> str:
    if code in SECTOR_KEYS:
        return t(f"budget.sector.{code}", lang)
    unit = next((u for u in plan.units if u.code == code), None)
    if unit is None:
        return code
    return unit.name_zh if lang == "zh" else unit.name_en


def _issuer(plan: Plan, lang: str) -> str:
    """The issuing body as the other notices name it (services/reports._issuer): the coordination
    body, 市… → <city>… in Chinese."""
    office = next((u for u in plan.units if u.kind == "coordination_body"), None)
    if office is None:
        return ""
    if lang == "zh" and office.name_zh.startswith("市") and plan.city_zh.endswith("市"):
        return plan.city_zh + office.name_zh[1:]
    return office.name_zh if lang == "zh" else office.name_en


def _level(u: dict[str, Any], lang: str) -> str:
    return str(u["level_zh"] if lang == "zh" else u["level_en"])


def _reasons(u: dict[str, Any], lang: str) -> str:
    return ("；" if lang == "zh" else "; ").join(r[lang] for r in u["reasons"])


def _table(units: list[dict[str, Any]], plan: Plan, lang: str, sheet: str) -> Table:
    return Table(
        [
            t(f"budget.col.{c}", lang)
            for c in ("unit", "budget", "ytd", "ratio", "probability", "level", "reason")
        ],
        [
            [
                _name(u["unit"], plan, lang),
                u["budget"],
                u["ytd"],
                u["execution_ratio"],
                u["probability"],
                _level(u, lang),
                _reasons(u, lang),
            ]
            for u in units
        ],
        ["text", "1", "1", "pct", "pct", "text", "text"],
        sheet=sheet,
    )


def budget_notice(
    report: dict[str, Any], plan: Plan, lang: str = "zh", *, issued: dt.date | None = None
) -> Report:
    """The notice of `report` (services/budget.budget_report) in `lang`."""
    city, target = report["city"], report["target"]
    months = city["months"]
    districts = sorted(report["districts"], key=lambda d: (d["level"], -d["execution_ratio"]))
    counts = {lvl: sum(1 for d in districts if d["level"] == lvl) for lvl in (1, 2, 3)}
    overall = Section(
        "overall",
        t("budget.notice.overall", lang),
        [
            t(
                "budget.notice.summary",
                lang,
                year=report["year"],
                months=months,
                budget=f"{city['budget']:,.1f}",
                ytd=f"{city['ytd']:,.1f}",
                ratio=f"{city['execution_ratio']:.1%}",
                probability=f"{city['probability']:.1%}",
                level=_level(city, lang),
            ),
            _reasons(city, lang),
            t(
                "budget.notice.target",
                lang,
                intensity=target["intensity"],
                unit=target["intensity_unit"],
                gdp=f"{target['gdp']:,.1f}",
                formula=target["formula"],
            ),
            t("budget.notice.counts", lang, l1=counts[1], l2=counts[2], l3=counts[3]),
        ],
    )
    watch = report["watch_list"]
    sep = "、" if lang == "zh" else ", "
    watch_section = Section(
        "watch",
        t("budget.notice.watch", lang),
        [
            t(
                "budget.notice.watch_districts",
                lang,
                names=sep.join(_name(d, plan, lang) for d in watch["districts"]) or "—",
            ),
            t(
                "budget.notice.watch_sectors",
                lang,
                names=sep.join(_name(s, plan, lang) for s in watch["sectors"]) or "—",
            ),
            t("budget.notice.watch_enterprises", lang),
        ],
    )
    p = report["probability"]
    method = Section(
        "method",
        t("budget.notice.method", lang),
        [
            t(
                "budget.notice.method_text",
                lang,
                rmse=f"{p['nowcast_error_rmse']:.2%}",
                scenario=p["scenario"],
                draws=p["draws"],
                seed=p["seed"],
                dataset=report["dataset"],
                rules=report["rules"],
            ),
            target["source"],
        ],
    )
    sections = [
        overall,
        Section(
            "districts",
            t("budget.notice.districts", lang),
            tables=[_table(districts, plan, lang, "districts")],
        ),
        Section(
            "sectors",
            t("budget.notice.sectors", lang),
            tables=[_table(report["sectors"], plan, lang, "sectors")],
        ),
        watch_section,
        method,
    ]
    for i, s in enumerate(sections, start=1):
        s.title = (f"{'一二三四五六七八九'[i - 1]}、{s.title}") if lang == "zh" else f"{i}. {s.title}"
    issued = issued or dt.date.today()
    flags = set(report["flags"])
    return Report(
        kind="budget_notice",
        lang=lang,
        title=t("budget.notice.title", lang, year=report["year"], months=months),
        subtitle=plan.title_zh if lang == "zh" else plan.title_en,
        meta=[
            (t("reports.generated", lang), issued.isoformat()),
            (t("budget.notice.dataset", lang), report["dataset"]),
        ],
        sections=sections,
        banner=t("reports.sample_banner", lang) if "sample" in flags else "",
        issuer=_issuer(plan, lang),
        doc_number=t("reports.doc_number", lang, year=issued.year),
        addressee=t("reports.addressee", lang),
        date=t("reports.date", lang, year=issued.year, month=issued.month, day=issued.day),
    )


def notice_bytes(
    year: int,
    fmt: str,
    *,
    lang: str = "zh",
    database: Database | None = None,
    data_dir: Any = None,
    issued: dt.date | None = None,
) -> bytes:
    """The notice of `year` as html, pdf, docx or xlsx bytes (the data set of `database`, the
    office's rule file under `data_dir` when set)."""
    from carbonpeak.services.budget import budget_report, current_rules
    from carbonpeak.services.plan import current_plan
    from carbonpeak.services.reports import _check_format

    _check_format(fmt)
    rules, origin = current_rules(data_dir)
    report = budget_report(year, database, rules=rules, rules_origin=origin)
    return render(budget_notice(report, current_plan(), lang, issued=issued), fmt)


__all__ = ["budget_notice", "notice_bytes"]
