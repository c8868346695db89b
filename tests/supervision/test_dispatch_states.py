"""Dispatch: never reported / reported and behind / stalled are distinct states with counts that match."""

import datetime as dt

from carbonpeak.services.plan import current_plan
from carbonpeak.services.supervision import dispatch, load_bundle
from carbonpeak.supervision.dispatch import stale_projects, state_counts
from carbonpeak.supervision.model import ProjectStatus

D = dt.date


def test_project_states_are_distinct(small_plan):
    statuses = [
        ProjectStatus("C1.2.1", "approved", start_planned=D(2024, 6, 1), updated_at=D(2025, 1, 1)),
        ProjectStatus("C1.2.2", "under_construction", updated_at=D(2024, 6, 30)),
    ]
    rows = stale_projects(small_plan, statuses, as_of=D(2025, 2, 1), stale_days=90)
    by = {r.project: r.state for r in rows}
    assert by["C1.2.1"] == "behind" and by["C1.2.2"] == "stalled"
    never = [r for r in rows if r.state == "never_reported"]
    assert never and all(r.status is None for r in never)
    counts = state_counts(rows)
    assert sum(counts.values()) == len(rows) and counts["stalled"] == 1


def test_jinan_sample_counts_match_the_data_and_no_collective_is_listed():
    plan = current_plan()
    bundle = load_bundle()
    d = dispatch(plan, bundle, as_of=D(2025, 3, 1))
    reported = {s.project for s in bundle.supervision.project_status}
    counts = state_counts(d.stale_projects)
    # never reported = key projects with no status row in the data; the others were reported
    assert counts["never_reported"] == len([p for p in plan.key_projects if p.code not in reported])
    assert all((r.project in reported) == (r.state != "never_reported") for r in d.stale_projects)
    tcounts = state_counts(d.lagging_tasks)
    assert tcounts["never_reported"] == sum(1 for t in d.lagging_tasks if t.percent is None)
    collectives = {u.code for u in plan.units if u.collective}
    listed = (
        {t.unit for t in d.lagging_tasks}
        | {u.unit for u in d.lagging_units}
        | {o.unit for o in d.overdue_reports}
    )
    assert not listed & collectives
