"""The narrative sections of the annual report and the five-year assessment (成效, 问题, 下步工作),
and the assessment's table of target conditions.

    narrative_sections(plan, bundle, lagging, summaries, lang=…, unit_name=…)   three report Sections
    conditions_section(plan, checks, lang=…, unit_name=…)                       annual and cumulative

Each narrative section opens with the office's summary (services/report_summaries, the newest text
of that section) and then lists the items assembled from the units' reports
(supervision/narrative.narrative_items), numbered 1. 2. …
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from carbonpeak.i18n import t
from carbonpeak.indicators.annual import TargetCheck
from carbonpeak.plan.schema import Plan
from carbonpeak.reports.model import Section, Table
from carbonpeak.services import supervision as supervision_service
from carbonpeak.services.supervision import Bundle
from carbonpeak.supervision.dispatch import LaggingTask
from carbonpeak.supervision.narrative import NarrativeItem, NarrativeSection, TaskTitle, narrative_items

TITLES: dict[NarrativeSection, str] = {
    "achievements": "reports.section.achievements",
    "problems": "reports.section.problems",
    "next_steps": "reports.section.next_steps",
}


def _line(n: int, item: NarrativeItem, lang: str, unit_name: Callable[[str], str]) -> str:
    sep = "、" if lang == "zh" else ", "
    title = item.title_zh if lang == "zh" else item.title_en
    parts: list[str] = []
    if item.units:
        parts.append(t("reports.narrative.units", lang, units=sep.join(unit_name(u) for u in item.units)))
    if item.never_reported:
        parts.append(
            t("reports.narrative.never", lang, units=sep.join(unit_name(u) for u in item.never_reported))
        )
    head = f"{n}. {title}（{item.task}）" if lang == "zh" else f"{n}. {title} ({item.task})"
    body = ("；" if lang == "zh" else "; ").join(item.texts)
    said = ("；" if lang == "zh" else "; ").join(parts)
    return f"{head}{'：' if lang == 'zh' else ': '}{said}{'。' if lang == 'zh' else '. '}{body}".rstrip()


def narrative_sections(
    plan: Plan,
    bundle: Bundle,
    lagging: Sequence[LaggingTask],
    summaries: Mapping[str, tuple[str, str]],
    *,
    lang: str,
    unit_name: Callable[[str], str],
) -> list[Section]:
    """成效, 问题, 下步工作: the office's summary, then one numbered line per task."""
    tasks = [TaskTitle(m.code, m.title_zh, m.title_en) for m in plan.tasks()]
    items = narrative_items(tasks, supervision_service.latest_reports(bundle), lagging)
    out: list[Section] = []
    for section, key in TITLES.items():
        paragraphs: list[str] = []
        summary = summaries.get(section)
        if summary:
            paragraphs.append(summary[0] if lang == "zh" else summary[1])
        else:
            paragraphs.append(t("reports.narrative.no_summary", lang))
        lines = [_line(i, item, lang, unit_name) for i, item in enumerate(items[section], start=1)]
        if lines:
            paragraphs.append(t(f"reports.narrative.from_units.{section}", lang, n=len(lines)))
            if lang != "zh":
                paragraphs.append(t("reports.narrative.quoted", lang))
        paragraphs.extend(lines or [t("reports.none", lang)])
        out.append(Section(section, t(key, lang), paragraphs))
    return out


def conditions_section(
    plan: Plan, checks: Sequence[TargetCheck], *, lang: str, unit_name: Callable[[str], str]
) -> Section:
    """The annual and the cumulative condition of every five-year reduction target, city and leads."""
    names = {tg.code: (tg.name_zh if lang == "zh" else tg.name_en) for tg in plan.targets}
    rows: list[list[Any]] = [
        [
            names.get(c.target, c.target),
            unit_name(c.unit) if c.unit != "city" else t("reports.conditions.city", lang),
            t(f"reports.conditions.{c.kind}", lang),
            c.required,
            c.achieved,
            c.rate,
            t(f"reports.conditions.state.{c.state}", lang),
            (c.reason_zh if lang == "zh" else c.reason_en)
            or (t("reports.conditions.plan_pace", lang) if c.basis == "plan_pace" else c.basis),
        ]
        for c in checks
    ]
    cols = [
        t("reports.col.indicator", lang),
        t("evaluation.col.unit", lang),
        t("reports.conditions.kind", lang),
        t("reports.conditions.required", lang),
        t("reports.conditions.achieved", lang),
        t("reports.col.completion", lang),
        t("reports.col.status", lang),
        t("evaluation.col.basis", lang),
    ]
    return Section(
        "conditions",
        t("reports.section.conditions", lang),
        [t("reports.conditions.rule", lang)],
        tables=[Table(cols, rows, ["text", "text", "text", "2", "2", "pct"], sheet="conditions")],
    )


__all__ = ["conditions_section", "narrative_sections"]
