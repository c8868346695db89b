"""Role-weighted, normalised task scores; the annual and cumulative veto conditions; 未参评 with reason."""

import datetime as dt

import pytest

from carbonpeak.evaluation.inputs import AssessedRate, EvaluationInputs, UnitRef
from carbonpeak.evaluation.scheme import parse_scheme
from carbonpeak.evaluation.scoring import evaluate
from carbonpeak.indicators.annual import target_checks
from carbonpeak.supervision.dispatch import Responsibility
from carbonpeak.supervision.model import ReportingRecord, TaskProgress

SRC = "test"
GRADES = [
    {"code": "excellent", "name_zh": "优秀", "name_en": "Excellent", "min_score": 90},
    {"code": "fail", "name_zh": "不合格", "name_en": "Fail", "min_score": 0},
]


def _scheme() -> object:
    return parse_scheme(
        {
            "code": "t",
            "version": 1,
            "title_zh": "测",
            "title_en": "t",
            "years": [2024],
            "source": SRC,
            "grades": GRADES,
            "audiences": [
                {
                    "code": "departments",
                    "name_zh": "部门",
                    "name_en": "Departments",
                    "unit_kinds": ["department"],
                    "criteria": [
                        {"code": "tasks", "name_zh": "任务", "name_en": "Tasks", "points": 70,
                         "measure": "task_completion", "role_weights": {"lead": 1.0, "co": 0.5},
                         "source": SRC},
                        {"code": "timely", "name_zh": "按时", "name_en": "On time", "points": 30,
                         "measure": "reporting_timeliness", "source": SRC},
                    ],
                },
                {
                    "code": "districts",
                    "name_zh": "区县",
                    "name_en": "Districts",
                    "unit_kinds": ["district_government"],
                    "criteria": [
                        {"code": "co2_annual", "name_zh": "年度", "name_en": "Annual", "points": 30,
                         "measure": "annual_target", "indicator": "co2", "veto": True, "source": SRC},
                        {"code": "co2_cumulative", "name_zh": "累计", "name_en": "Cumulative", "points": 20,
                         "measure": "cumulative_target", "indicator": "co2", "veto": True, "source": SRC},
                        {"code": "basic", "name_zh": "基础", "name_en": "Basic", "points": 50,
                         "measure": "assessed", "source": SRC},
                    ],
                },
            ],
        }
    )  # fmt: skip


def _inputs(tasks: dict[str, list[tuple[str, str, str]]], **extra: object) -> EvaluationInputs:
    """tasks: unit → [(task, role, status)]; every unit reports on time."""
    resp, prog, rep = [], [], []
    units = [UnitRef(u, u, u, "department") for u in tasks]
    for u, rows in tasks.items():
        rep.append(ReportingRecord(u, "2024Q4", dt.date(2025, 1, 15), dt.date(2025, 1, 10)))
        for task, role, status in rows:
            resp.append(Responsibility(task, u, role))  # type: ignore[arg-type]
            prog.append(TaskProgress(task, u, "2024Q4", status, 100.0))  # type: ignore[arg-type]
    base = {
        "year": 2024,
        "as_of": dt.date(2025, 3, 1),
        "units": tuple(units),
        "responsibilities": tuple(resp),
        "task_progress": tuple(prog),
        "reporting": tuple(rep),
    }
    base.update(extra)
    return EvaluationInputs(**base)  # type: ignore[arg-type]


def test_two_tasks_and_thirty_eight_all_completed_score_the_same() -> None:
    few = [(f"T{i}", "lead", "completed") for i in range(2)]
    many = [(f"T{i}", "lead" if i < 18 else "co", "completed") for i in range(38)]
    result = evaluate(_scheme(), _inputs({"small": few, "big": many}))  # type: ignore[arg-type]
    s = {x.unit: x for x in result.scores}
    assert s["small"].score == s["big"].score == pytest.approx(100.0)
    assert s["small"].rank == s["big"].rank == 1
    tasks = s["big"].criteria[0]
    assert [(t.role, t.weight) for t in tasks.tasks].count(("co", 0.5)) == 20
    assert tasks.basis == "lead 18/18 × 1; co 20/20 × 0.5 → 28/28"


def test_a_lead_task_behind_costs_twice_a_co_task_behind() -> None:
    rows = [("L1", "lead", "completed"), ("L2", "lead", "delayed"), ("C1", "co", "completed")]
    rows_co = [("L1", "lead", "completed"), ("L2", "lead", "completed"), ("C1", "co", "delayed")]
    result = evaluate(_scheme(), _inputs({"a": rows, "b": rows_co}))  # type: ignore[arg-type]
    s = {x.unit: x.criteria[0] for x in result.scores}
    assert s["a"].rate == pytest.approx(1.5 / 2.5)  # (1 + 0.5) of 2.5
    assert s["b"].rate == pytest.approx(2.0 / 2.5)
    assert s["a"].shortfalls == ("L2",)


def _district_inputs(cumulative: dict[int, float], reduction: float | None) -> EvaluationInputs:
    checks = target_checks(
        target="co2",
        unit="d1",
        year=2024,
        base_year=2020,
        target_year=2025,
        reduction=reduction,
        cumulative=cumulative,
    )
    return EvaluationInputs(
        year=2024,
        as_of=dt.date(2025, 3, 1),
        units=(
            UnitRef("d1", "甲区", "D1", "district_government"),
            UnitRef("d2", "乙区", "D2", "district_government"),
        ),
        reporting=(ReportingRecord("d1", "2024Q4", dt.date(2025, 1, 15), dt.date(2025, 1, 10)),),
        assessed=(AssessedRate("d1", "basic", 1.0),),
        target_checks=checks,
    )


def test_each_veto_condition_fires_on_its_own() -> None:
    # cumulative 12.5 % ≥ 12.03 % due, but the year's own reduction 12.5 vs 11.5 → 1.13 % < 3.15 %
    result = evaluate(_scheme(), _district_inputs({2023: 11.5, 2024: 12.5}, 14.8))  # type: ignore[arg-type]
    [d1] = result.scores
    fired = {c.code: c.vetoed for c in d1.criteria if c.veto}
    assert fired == {"co2_annual": True, "co2_cumulative": False}
    assert d1.vetoed and d1.grade == "fail"
    # a strong year on a weak path: annual met, cumulative missed
    result = evaluate(_scheme(), _district_inputs({2023: 5.0, 2024: 9.0}, 14.8))  # type: ignore[arg-type]
    fired = {c.code: c.vetoed for c in result.scores[0].criteria if c.veto}
    assert fired == {"co2_annual": False, "co2_cumulative": True}


def test_a_target_without_value_is_not_assessable_and_fires_no_veto() -> None:
    result = evaluate(_scheme(), _district_inputs({2023: 11.5, 2024: 12.5}, None))  # type: ignore[arg-type]
    [d1] = result.scores
    states = {c.code: (c.state, c.rate, c.vetoed) for c in d1.criteria}
    assert states["co2_annual"] == ("not_assessable", None, False)
    assert states["co2_cumulative"] == ("not_assessable", None, False)
    assert d1.applicable_points == 50 and d1.score == pytest.approx(100.0) and not d1.vetoed
    # d2 had no reporting obligation and reported nothing: 未参评, with the reason
    [n] = result.not_evaluated
    assert (n.unit, n.reason) == ("d2", "no_obligation") and "未纳入2024年度调度填报" in n.reason_zh
