"""The narrative sections of a report — 成效 (achievements), 问题 (problems), 下步工作 (next steps) —
assembled from the units' latest progress reports and the dispatch list.

    narrative_items(tasks, latest, lagging) -> {section: [NarrativeItem, …]}

Rules (one item per task, tasks in plan order, identical texts said once):
- achievements: the `narrative` of reports with status completed or in_progress that are not on the
  dispatch list as behind, with the units that reported them;
- problems: every lagging task of the dispatch list — the units that never reported it, and the
  `narrative` of the units whose reports are behind (delayed, not started, behind the pace);
- next_steps: the `next_steps` of every report, lagging tasks first.
Texts are quoted as the units wrote them (in the language they reported in).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from carbonpeak.supervision.dispatch import LaggingTask
from carbonpeak.supervision.model import TaskProgress

NarrativeSection = Literal["achievements", "problems", "next_steps"]
GOOD_STATUSES = frozenset({"completed", "in_progress"})


@dataclass(frozen=True)
class NarrativeItem:
    """One task's line in a narrative section: the units it comes from, their distinct texts, and
    (problems only) the units that never reported the task."""

    task: str
    title_zh: str
    title_en: str
    units: tuple[str, ...]
    texts: tuple[str, ...]
    never_reported: tuple[str, ...] = ()


@dataclass(frozen=True)
class TaskTitle:
    code: str
    title_zh: str
    title_en: str


def _distinct(texts: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for t in texts:
        t = t.strip()
        if t and t not in out:
            out.append(t)
    return tuple(out)


def _units(codes: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(codes))


def narrative_items(
    tasks: Sequence[TaskTitle], latest: Sequence[TaskProgress], lagging: Sequence[LaggingTask]
) -> dict[NarrativeSection, list[NarrativeItem]]:
    """The three sections' items (see the module docstring for the rules)."""
    by_task: dict[str, list[TaskProgress]] = {}
    for r in latest:
        by_task.setdefault(r.task, []).append(r)
    behind = {(x.task, x.unit) for x in lagging}
    lag_by_task: dict[str, list[LaggingTask]] = {}
    for x in lagging:
        lag_by_task.setdefault(x.task, []).append(x)
    out: dict[NarrativeSection, list[NarrativeItem]] = {"achievements": [], "problems": [], "next_steps": []}
    lagging_first = sorted(tasks, key=lambda t: t.code not in lag_by_task)
    for t in tasks:
        good = [
            r for r in by_task.get(t.code, []) if r.status in GOOD_STATUSES and (r.task, r.unit) not in behind
        ]
        texts = _distinct(r.narrative for r in good)
        if texts:
            out["achievements"].append(
                NarrativeItem(t.code, t.title_zh, t.title_en, _units(r.unit for r in good), texts)
            )
        lag = lag_by_task.get(t.code, [])
        if lag:
            reported = [x for x in lag if x.reason != "no_report"]
            out["problems"].append(
                NarrativeItem(
                    t.code,
                    t.title_zh,
                    t.title_en,
                    _units(x.unit for x in reported),
                    _distinct(x.narrative for x in reported),
                    never_reported=_units(x.unit for x in lag if x.reason == "no_report"),
                )
            )
    for t in lagging_first:
        reports = by_task.get(t.code, [])
        steps = _distinct(r.next_steps for r in reports)
        if steps:
            out["next_steps"].append(
                NarrativeItem(
                    t.code, t.title_zh, t.title_en, _units(r.unit for r in reports if r.next_steps), steps
                )
            )
    return out


__all__ = ["NarrativeItem", "NarrativeSection", "TaskTitle", "narrative_items"]
