import datetime as dt

from carbonpeak.evaluation.inputs import (
    IndicatorResult,
    UnitRef,
    evaluation_inputs,
    inputs_digest,
    inputs_from_dict,
    inputs_to_dict,
)
from carbonpeak.supervision.model import ReportingRecord, SupervisionInputs, TaskProgress


def _inputs(plan, **kw):
    sup = SupervisionInputs(
        (
            TaskProgress(
                "O1",
                "north",
                "2024Q4",
                "in_progress",
                40.0,
                evidence=("a.pdf",),
                reported_at=dt.date(2025, 1, 3),
            ),
        ),
        (),
        (ReportingRecord("north", "2024Q4", dt.date(2025, 1, 15), None, 0, version="s-1"),),
        data_version="v9",
    )
    return evaluation_inputs(
        plan,
        year=2024,
        as_of=dt.date(2025, 3, 1),
        supervision=sup,
        indicator_results=[IndicatorResult("pv_2025", "city", 2024, "no_data", None)],
        **kw,
    )


def test_collective_units_pass_their_tasks_to_districts(small_plan):
    north = UnitRef("north", "北区", "North", "district_government")
    inputs = _inputs(small_plan, extra_units=[north], collectives={"dist_z": ["north", "dist_x"]})
    codes = [u.code for u in inputs.units]
    assert "dist_z" not in codes and "north" in codes
    o1 = [(r.unit, r.role) for r in inputs.responsibilities if r.task == "O1"]
    assert o1 == [("dist_x", "lead"), ("dist_y", "co"), ("north", "co")]  # dist_x once, as lead


def test_inputs_round_trip_through_json(small_plan):
    inputs = _inputs(small_plan)
    again = inputs_from_dict(inputs_to_dict(inputs))
    assert again == inputs
    assert inputs_digest(again) == inputs_digest(inputs)
    changed = inputs_from_dict({**inputs_to_dict(inputs), "data_version": "v10"})
    assert inputs_digest(changed) != inputs_digest(inputs)


def test_completion_rate_from_the_indicator_engine():
    from carbonpeak.evaluation.inputs import completion_rate, indicator_results

    # 45 % of the way covered where 50 % was expected by now → 0.9
    assert completion_rate(45.0, 50.0, "at_risk") == 0.9
    assert completion_rate(120.0, 80.0, "achieved") == 1.2  # achieved: against the target itself
    assert completion_rate(None, 50.0, "no_data") is None
    assert completion_rate(-5.0, 40.0, "off_track") == 0.0
    # one row as services/indicators.track_targets gives it (and `indicators --format json`)
    row = {
        "code": "pv_2025",
        "status": "on_track",
        "latest": 61.5,
        "unit": "万kW",
        "target_value": 100.0,
        "progress": 61.5,
        "expected_progress": 60.0,
    }
    odd = {
        "code": "ee_2025",
        "status": "unknown",
        "latest": None,
        "progress": None,
        "expected_progress": None,
    }
    results = indicator_results([row, odd], year=2024, shared_by={"pv_2025": ["dept_a", "dept_b"]})
    assert [(r.code, r.unit) for r in results] == [
        ("pv_2025", "city"),
        ("pv_2025", "dept_a"),
        ("pv_2025", "dept_b"),
        ("ee_2025", "city"),
    ]
    r = results[0]
    assert (r.code, r.unit, r.year, r.status, r.value, r.measure_unit) == (
        "pv_2025",
        "city",
        2024,
        "on_track",
        61.5,
        "万kW",
    )
    assert r.completion_rate == 61.5 / 60.0
    assert results[1] == type(r)(**{**r.__dict__, "unit": "dept_a"})  # the same result, shared
    assert (results[3].status, results[3].completion_rate) == ("no_data", None)
