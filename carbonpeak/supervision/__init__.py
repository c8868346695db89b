"""Supervision of the plan's execution (方案 五(一) 调度): pure functions over approved rows.

    model.py      TaskProgress, ProjectStatus, ReportingRecord, SupervisionInputs (+ status vocabularies)
    dispatch.py   lagging tasks and units, overdue reports, stale projects → DispatchList
    projects.py   key-project status counts and capacity roll-up against the targets they serve
    samples/      generated sample input bundle for the Jinan plan (flag `sample`)

Rules and formulas: docs/methods/evaluation.md.
"""
