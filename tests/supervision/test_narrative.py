"""The narrative sections 成效 / 问题 / 下步工作 assembled from the units' reports (hand-checked)."""

from carbonpeak.supervision.dispatch import LaggingTask
from carbonpeak.supervision.model import TaskProgress
from carbonpeak.supervision.narrative import TaskTitle, narrative_items

TASKS = [
    TaskTitle("T1", "任务一", "Task 1"),
    TaskTitle("T2", "任务二", "Task 2"),
    TaskTitle("T3", "任务三", "Task 3"),
]


def _p(task, unit, status, narrative="", next_steps=""):
    return TaskProgress(task, unit, "2024Q4", status, 50.0, narrative=narrative, next_steps=next_steps)


def _lag(task, unit, reason, narrative=""):
    return LaggingTask(task, "", "", unit, "lead", reason, None, None, None, narrative, "")


def test_achievements_problems_and_next_steps():
    latest = [
        _p("T1", "a", "completed", "建成", "巩固"),
        _p("T1", "b", "in_progress", "建成", "巩固"),  # the same text is said once
        _p("T2", "a", "delayed", "选址受阻", "加快选址"),
        _p("T2", "b", "in_progress", "推进中", ""),
    ]
    lagging = [_lag("T2", "a", "delayed", "选址受阻"), _lag("T3", "c", "no_report")]
    items = narrative_items(TASKS, latest, lagging)
    ach = items["achievements"]
    assert [(i.task, i.units, i.texts) for i in ach] == [
        ("T1", ("a", "b"), ("建成",)),
        ("T2", ("b",), ("推进中",)),  # a's report is behind: not an achievement
    ]
    probs = items["problems"]
    assert [(i.task, i.units, i.texts, i.never_reported) for i in probs] == [
        ("T2", ("a",), ("选址受阻",), ()),
        ("T3", (), (), ("c",)),  # never reported: named, no text invented
    ]
    # lagging tasks first, then the others in plan order; empty next steps left out
    assert [(i.task, i.texts) for i in items["next_steps"]] == [("T2", ("加快选址",)), ("T1", ("巩固",))]


def test_no_reports_no_items():
    assert narrative_items(TASKS, [], []) == {"achievements": [], "problems": [], "next_steps": []}
