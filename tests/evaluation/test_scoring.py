"""Scores hand-computed for a small scheme (tests/supervision/small_plan.yaml's units)."""

import copy
import datetime as dt
import json

import pytest

from carbonpeak.errors import InputError, ReproductionError
from carbonpeak.evaluation.archive import reproduce, run_record
from carbonpeak.evaluation.inputs import AssessedRate, IndicatorResult, evaluation_inputs
from carbonpeak.evaluation.scheme import parse_scheme
from carbonpeak.evaluation.scoring import evaluate
from carbonpeak.supervision.model import ReportingRecord, SupervisionInputs, TaskProgress

D = dt.date
JAN_10, JAN_15 = D(2025, 1, 10), D(2025, 1, 15)
SRC = "test"

SCHEME = {
    "code": "small",
    "version": 1,
    "title_zh": "小城评价方案",
    "title_en": "Small scheme",
    "years": [2024],
    "source": SRC,
    "grades": [
        {"code": "excellent", "name_zh": "优秀", "name_en": "Excellent", "min_score": 90},
        {"code": "good", "name_zh": "良好", "name_en": "Good", "min_score": 80},
        {"code": "pass", "name_zh": "合格", "name_en": "Pass", "min_score": 60},
        {"code": "fail", "name_zh": "不合格", "name_en": "Fail", "min_score": 0},
    ],
    "audiences": [
        {
            "code": "districts",
            "name_zh": "区县",
            "name_en": "Districts",
            "unit_kinds": ["district_government"],
            "criteria": [
                {
                    "code": "co2",
                    "name_zh": "碳强度",
                    "name_en": "CO2 intensity",
                    "points": 40,
                    "measure": "indicator",
                    "indicator": "co2_intensity_2025",
                    "veto": True,
                    "source": SRC,
                },
                {
                    "code": "tasks",
                    "name_zh": "任务",
                    "name_en": "Tasks",
                    "points": 30,
                    "measure": "task_completion",
                    "source": SRC,
                },
                {
                    "code": "timely",
                    "name_zh": "按时报送",
                    "name_en": "Timely",
                    "points": 20,
                    "measure": "reporting_timeliness",
                    "source": SRC,
                },
                {
                    "code": "basic",
                    "name_zh": "基础工作",
                    "name_en": "Basic work",
                    "points": 10,
                    "measure": "assessed",
                    "source": SRC,
                },
            ],
        },
        {
            "code": "departments",
            "name_zh": "部门",
            "name_en": "Departments",
            "unit_kinds": ["department"],
            "criteria": [
                {
                    "code": "tasks",
                    "name_zh": "任务",
                    "name_en": "Tasks",
                    "points": 60,
                    "measure": "task_completion",
                    "source": SRC,
                },
                {
                    "code": "timely",
                    "name_zh": "按时报送",
                    "name_en": "Timely",
                    "points": 20,
                    "measure": "reporting_timeliness",
                    "source": SRC,
                },
                {
                    "code": "quality",
                    "name_zh": "数据质量",
                    "name_en": "Data quality",
                    "points": 20,
                    "measure": "data_quality",
                    "source": SRC,
                },
            ],
        },
    ],
}


def _tp(task, unit, status):
    return TaskProgress(task, unit, "2024Q4", status, 50.0, reported_at=D(2025, 1, 5))


def _rr(unit, n, submitted=JAN_10, problems=0, due=JAN_15):
    return ReportingRecord(unit, f"2024-{n}", due, submitted, problems)


def _supervision(co2_y=0.95):
    progress = [
        _tp("O1", "dist_x", "completed"),
        _tp("O1", "dist_y", "in_progress"),
        _tp("O1", "dist_z", "delayed"),
        _tp("P1.T1", "dept_a", "in_progress"),
        _tp("G1", "dept_a", "delayed"),
        _tp("P1.T1", "dept_b", "completed"),
        _tp("P1.T2", "dept_b", "in_progress"),
    ]
    reporting = [
        _rr("dist_x", 1),
        _rr("dist_x", 2),
        _rr("dist_y", 1),
        _rr("dist_y", 2, submitted=None),
        _rr("dist_z", 1),
        _rr("dist_z", 2),
        _rr("dept_a", 1, problems=2),
        _rr("dept_b", 1),
        _rr("dept_b", 2, submitted=D(2025, 1, 20)),
        *[_rr("dept_c", i, problems=3 if i == 5 else 0) for i in range(1, 6)],
        _rr("dept_c", 9, submitted=None, due=D(2025, 6, 30)),  # due after as_of: not counted yet
    ]
    indicators = [
        IndicatorResult("co2_intensity_2025", "dist_x", 2024, "achieved", 1.2),
        IndicatorResult("co2_intensity_2025", "dist_y", 2024, "at_risk", co2_y),
        IndicatorResult("co2_intensity_2025", "dist_z", 2024, "achieved", 1.0),
    ]
    assessed = [AssessedRate("dist_x", "basic", 0.85, "监测能力待加强"), AssessedRate("dist_y", "basic", 1.0)]
    return SupervisionInputs(tuple(progress), (), tuple(reporting), data_version="v1"), indicators, assessed


def _inputs(plan, co2_y=0.95):
    sup, ind, ass = _supervision(co2_y)
    return evaluation_inputs(
        plan,
        year=2024,
        as_of=D(2025, 3, 1),
        supervision=sup,
        indicator_results=ind,
        assessed=ass,
        period="2024Q4",
    )


@pytest.fixture
def result(small_plan):
    return evaluate(parse_scheme(SCHEME), _inputs(small_plan))


def test_scores_hand_computed(result):
    s = {u.unit: u for u in result.scores}
    assert "grid_co" not in s  # a kind the scheme does not evaluate
    # dist_x: 40 (rate 1.2 capped at 1) + 30 (1/1) + 20 (2/2) + 10 × 0.85
    assert s["dist_x"].score == pytest.approx(98.5)
    # dist_z: 40 + 0 (delayed) + 20 + 0 (no assessment)
    assert s["dist_z"].score == pytest.approx(60.0)
    # dept_a: 60 × 1/2 + 20 × 1/1 + 20 × 0/1
    assert s["dept_a"].score == pytest.approx(50.0)
    # dept_b: 60 × 2/2 + 20 × 1/2 + 20 × 2/2
    assert s["dept_b"].score == pytest.approx(90.0)
    # dept_c leads no task: 20 × 5/5 + 20 × 4/5 = 36 of 40 applicable points → 90
    assert (s["dept_c"].raw_points, s["dept_c"].applicable_points) == (pytest.approx(36.0), 40.0)
    assert s["dept_c"].score == pytest.approx(90.0)
    assert [c.basis for c in s["dept_b"].criteria] == ["lead 1/1 × 1; co 1/1 × 1 → 2/2", "1/2", "2/2"]
    assert [(u, s[u].grade_zh) for u in ("dist_x", "dist_z", "dept_a", "dept_b")] == [
        ("dist_x", "优秀"),
        ("dist_z", "合格"),
        ("dept_a", "不合格"),
        ("dept_b", "优秀"),
    ]


def test_veto_overrides_a_high_total(result):
    y = next(u for u in result.scores if u.unit == "dist_y")
    # 40 × 0.95 + 30 + 20 × 1/2 + 10 = 88: 良好 by points, 不合格 by the veto
    assert y.score == pytest.approx(88.0)
    assert y.vetoed and y.veto_criteria == ("co2",)
    assert (y.grade, y.grade_zh) == ("fail", "不合格")


def test_veto_fires_without_data(small_plan):
    inputs = _inputs(small_plan)
    inputs = type(inputs)(**{**inputs.__dict__, "indicator_results": inputs.indicator_results[:2]})
    z = next(u for u in evaluate(parse_scheme(SCHEME), inputs).scores if u.unit == "dist_z")
    assert z.vetoed and z.grade == "fail" and z.score == pytest.approx(20.0)


def test_ties_share_a_rank_and_skip_the_next(result):
    ranks = [(u.audience, u.unit, u.rank) for u in result.scores]
    # rule: by grade, then score rounded to 0.01; equal → same rank; the next rank is skipped
    assert ranks == [
        ("districts", "dist_x", 1),
        ("districts", "dist_z", 2),
        ("districts", "dist_y", 3),  # vetoed last
        ("departments", "dept_b", 1),
        ("departments", "dept_c", 1),
        ("departments", "dept_a", 3),
    ]


def test_rectification_list(result):
    rows = {(r.unit, r.criterion): r for r in result.rectification}
    assert set(rows) == {
        ("dist_x", "basic"),
        ("dist_y", "co2"),
        ("dist_y", "timely"),
        ("dist_z", "tasks"),
        ("dist_z", "basic"),
        ("dept_a", "tasks"),
        ("dept_a", "quality"),
        ("dept_b", "timely"),
        ("dept_c", "quality"),
    }
    assert rows[("dist_y", "co2")].vetoed
    assert rows[("dist_x", "basic")].points_lost == pytest.approx(1.5)
    assert rows[("dept_a", "tasks")].shortfalls == ("G1",)
    assert rows[("dist_y", "timely")].shortfalls == ("2024-2",)


def test_past_score_reproduced_after_data_and_scheme_change(small_plan):
    scheme_v1 = parse_scheme(SCHEME)
    inputs_v1 = _inputs(small_plan)
    first = evaluate(scheme_v1, inputs_v1)
    record = json.loads(json.dumps(run_record(scheme_v1, inputs_v1, first), ensure_ascii=False))

    # the data is corrected and the scheme revised afterwards …
    changed = copy.deepcopy(SCHEME)
    changed["version"] = 2
    changed["audiences"][0]["criteria"][0]["points"] = 50  # CO2 intensity 40 → 50
    changed["audiences"][0]["criteria"][1]["points"] = 20  # tasks 30 → 20
    later = evaluate(parse_scheme(changed), _inputs(small_plan, co2_y=1.05))
    assert {u.unit: round(u.score, 4) for u in later.scores} != {
        u.unit: round(u.score, 4) for u in first.scores
    }

    # … and the 2024 score still comes back exactly from the record
    again = reproduce(record)
    assert [(u.unit, u.score, u.grade, u.rank) for u in again.scores] == [
        (u.unit, u.score, u.grade, u.rank) for u in first.scores
    ]
    assert again.scheme_digest == first.scheme_digest and again.inputs_digest == first.inputs_digest

    tampered = copy.deepcopy(record)
    tampered["inputs"]["indicator_results"][1]["completion_rate"] = 1.05
    with pytest.raises(ReproductionError, match="inputs digest"):
        reproduce(tampered)


def test_scheme_rules_report_every_problem():
    bad = copy.deepcopy(SCHEME)
    bad["audiences"][0]["criteria"][0]["points"] = 45  # 105 points
    bad["audiences"][1]["unit_kinds"] = ["department", "district_government"]
    bad["grades"][3]["min_score"] = 10
    with pytest.raises(InputError) as exc:
        parse_scheme(bad)
    assert {p.rule for p in exc.value.problems} == {
        "scheme.points_100",
        "scheme.kind_once",
        "scheme.lowest_grade_zero",
    }


def test_scheme_year_must_match(small_plan):
    with pytest.raises(InputError, match="does not cover 2023"):
        inputs = _inputs(small_plan)
        evaluate(parse_scheme(SCHEME), type(inputs)(**{**inputs.__dict__, "year": 2023}))
