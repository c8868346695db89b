import datetime as dt

from carbonpeak.supervision.dispatch import dispatch_list, lagging_tasks, overdue_reports, stale_projects
from carbonpeak.supervision.model import ProjectStatus, ReportingRecord, TaskProgress

D = dt.date
JAN_5 = D(2025, 1, 5)


def _tp(task, unit, status, percent, period="2024Q4", day=JAN_5):
    return TaskProgress(task, unit, period, status, percent, narrative=f"{task} {unit}", reported_at=day)


def test_lagging_tasks_name_each_reason(small_plan):
    progress = [
        _tp("P1.T1", "dept_a", "in_progress", 30.0),  # behind the expected 60 % by more than 10
        _tp("P1.T1", "dept_b", "completed", 100.0),
        _tp("P1.T2", "dept_b", "delayed", 20.0),
        _tp("G1", "dept_a", "in_progress", 10.0, period="2024Q3"),  # an older round does not count
        _tp("G1", "dept_a", "not_started", 0.0),
        _tp("O1", "dist_x", "in_progress", 55.0),
        _tp("O1", "dist_y", "in_progress", 51.0),  # 60 - 10 = 50: not behind
    ]
    rows = lagging_tasks(small_plan, progress, period="2024Q4", expected_percent={"P1.T1": 60.0, "O1": 60.0})
    got = [(r.task, r.unit, r.role, r.reason) for r in rows]
    assert got == [
        ("P1.T1", "dept_a", "lead", "behind_schedule"),
        ("P1.T2", "dept_b", "lead", "delayed"),
        ("G1", "dept_a", "lead", "not_started"),
        ("O1", "dist_z", "co", "no_report"),
    ]


def test_latest_report_of_a_unit_wins_within_the_round(small_plan):
    progress = [
        _tp("P1.T2", "dept_b", "delayed", 20.0, day=D(2025, 1, 2)),
        _tp("P1.T2", "dept_b", "in_progress", 40.0, day=D(2025, 1, 9)),
    ]
    rows = lagging_tasks(small_plan, progress, period="2024Q4")
    assert ("P1.T2", "dept_b") not in {(r.task, r.unit) for r in rows}


def test_overdue_reports_missing_and_late():
    records = [
        ReportingRecord("dept_a", "2024Q4", D(2025, 1, 15), D(2025, 1, 10)),
        ReportingRecord("dept_b", "2024Q4", D(2025, 1, 15), D(2025, 1, 20)),
        ReportingRecord("dist_x", "2024Q4", D(2025, 1, 15), None),
        ReportingRecord("dist_y", "2025Q1", D(2025, 4, 15), None),  # not yet due
    ]
    rows = overdue_reports(records, as_of=D(2025, 2, 1))
    assert [(r.unit, r.state, r.days_late) for r in rows] == [
        ("dist_x", "missing", 17),
        ("dept_b", "late", 5),
    ]


def test_stale_projects(small_plan):
    statuses = [
        ProjectStatus("C1.1.1", "in_operation", updated_at=D(2023, 1, 1)),  # terminal: never stale
        ProjectStatus("C1.1.2", "under_construction", updated_at=D(2024, 12, 1)),  # fresh
        ProjectStatus("C1.2.1", "approved", start_planned=D(2024, 6, 1), updated_at=D(2025, 1, 1)),
        ProjectStatus("C1.2.2", "under_construction", updated_at=D(2024, 6, 30)),
        ProjectStatus(
            "C3.1.1", "under_construction", operation_planned=D(2024, 12, 31), updated_at=D(2025, 1, 20)
        ),
    ]
    rows = stale_projects(small_plan, statuses, as_of=D(2025, 2, 1), stale_days=90)
    assert [(r.project, r.reason) for r in rows] == [
        ("C1.1.3", "no_status"),
        ("C1.2.1", "start_overdue"),
        ("C1.2.2", "not_updated"),
        ("C3.1.1", "operation_overdue"),
    ]
    assert rows[2].days_since_update == 216


def test_dispatch_list_ranks_units_by_lag(small_plan):
    progress = [
        _tp("P1.T1", "dept_a", "delayed", 5.0),
        _tp("G1", "dept_a", "delayed", 5.0),
        _tp("P1.T1", "dept_b", "completed", 100.0),
        _tp("P1.T2", "dept_b", "in_progress", 50.0),
        _tp("O1", "dist_x", "completed", 100.0),
        _tp("O1", "dist_y", "completed", 100.0),
        _tp("O1", "dist_z", "completed", 100.0),
    ]
    records = [ReportingRecord("dept_b", "2024Q4", D(2025, 1, 15), None)]
    d = dispatch_list(small_plan, progress, [], records, as_of=D(2025, 2, 1), period="2024Q4")
    assert [(u.unit, u.lagging_tasks, u.overdue_reports, u.tasks) for u in d.lagging_units] == [
        ("dept_a", 2, 0, ("P1.T1", "G1")),
        ("dept_b", 0, 1, ()),
    ]
    assert len(d.stale_projects) == 6  # no project has a status yet
