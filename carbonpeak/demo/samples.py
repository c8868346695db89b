"""Sample task-progress reports and key-project statuses for 2023–2024, made from a plan.

Deterministic (seeded) and flagged `sample`: they show the supervision pages working; they are not
reports from any unit. `carbonpeak demo build` rewrites data/task-progress.csv and
data/project-status.csv from the packaged plan.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from carbonpeak.plan.schema import Plan

SEED = 20230628  # the plan's publication date
TASK_COLUMNS = ("task", "unit", "year", "status", "percent", "narrative", "next_steps", "flag", "source")
PROJECT_COLUMNS = (
    "project",
    "year",
    "status",
    "capacity_in_operation",
    "capacity_unit",
    "start_date",
    "flag",
    "source",
)
SOURCE = "carbonpeak demo sample (carbonpeak/demo/README.md): invented to show the platform"
_NARRATIVE = {
    "not_started": ("尚未启动，正在研究实施方案。", "制定实施方案并明确时间表。"),
    "in_progress": ("按计划推进，已完成阶段性工作。", "推进下一阶段重点工作，按季度调度。"),
    "completed": ("已完成年度任务。", "巩固成效，开展总结评估。"),
    "delayed": ("受项目审批和资金影响，进度滞后。", "协调解决审批和资金问题，加快推进。"),
}


def task_progress_rows(plan: Plan) -> list[dict[str, str]]:
    rng = np.random.default_rng(SEED)
    rows: list[dict[str, str]] = []
    for task in plan.measures():  # tasks first, then the guarantees and organisation items
        percent = 0.0
        for year in (2023, 2024):
            percent = min(100.0, percent + float(rng.uniform(15, 55)))
            draw = rng.uniform()
            if percent >= 100:
                status = "completed"
            elif draw < 0.15:
                status = "delayed"
            elif percent < 10:
                status = "not_started"
            else:
                status = "in_progress"
            narrative, next_steps = _NARRATIVE[status]
            rows.append(
                {
                    "task": task.code,
                    "unit": (task.lead_units or ["?"])[0],
                    "year": str(year),
                    "status": status,
                    "percent": f"{percent:.0f}",
                    "narrative": narrative,
                    "next_steps": next_steps,
                    "flag": "sample",
                    "source": SOURCE,
                }
            )
    return rows


def project_status_rows(plan: Plan) -> list[dict[str, str]]:
    rng = np.random.default_rng(SEED + 1)
    rows: list[dict[str, str]] = []
    statuses = ("planned", "approved", "under_construction", "in_operation")
    for project in plan.key_projects:
        stage = int(rng.integers(0, 3))
        for year in (2023, 2024):
            stage = min(3, stage + int(rng.uniform() < 0.5))
            status = statuses[stage]
            power = next((c for c in project.capacities if c.quantity == "power"), None)
            in_operation = ""
            unit = ""
            if power is not None:
                unit = power.unit
                share = 1.0 if status == "in_operation" else 0.0
                in_operation = f"{power.value * power.count * share:g}"
            rows.append(
                {
                    "project": project.code,
                    "year": str(year),
                    "status": status,
                    "capacity_in_operation": in_operation,
                    "capacity_unit": unit,
                    "start_date": f"{2021 + stage}-0{1 + stage * 2}-01" if stage >= 2 else "",
                    "flag": "sample",
                    "source": SOURCE,
                }
            )
    return rows


def write_samples(plan: Plan, data_dir: Path) -> None:
    for name, columns, rows in (
        ("task-progress.csv", TASK_COLUMNS, task_progress_rows(plan)),
        ("project-status.csv", PROJECT_COLUMNS, project_status_rows(plan)),
    ):
        with (data_dir / name).open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
