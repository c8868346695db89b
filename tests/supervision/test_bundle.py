import pytest

from carbonpeak.errors import InputError
from carbonpeak.services.supervision import dispatch, expand_collectives, load_bundle, parse_bundle


def test_bundle_errors_are_listed_together():
    data = {
        "task_progress": [
            {"task": "P1.T1", "unit": "dept_a", "period": "2024Q4", "status": "stuck", "percent": 5}
        ],
        "reporting": [{"unit": "dept_a", "round": "2024Q4", "due": "not a date"}],
    }
    with pytest.raises(InputError) as exc:
        parse_bundle(data, name="b.yaml")
    locations = [p.location for p in exc.value.problems]
    assert locations == ["b.yaml:task_progress[0].status", "b.yaml:reporting[0].due"]


def test_collective_district_unit_passes_to_each_district(small_plan):
    plan = small_plan.model_copy(update={"units": [*small_plan.units]})
    bundle = parse_bundle(
        {
            "districts": [
                {"code": "dist_x", "name_zh": "东区", "name_en": "East"},
                {"code": "north", "name_zh": "北区", "name_en": "North"},
            ]
        }
    )
    # dist_y and dist_z are district units of the plan but not among the bundle's districts: each is
    # taken as a collective of the listed districts
    expanded = expand_collectives(plan, bundle)
    o1 = next(m for m in expanded.organisation if m.code == "O1")
    assert o1.lead_units == ["dist_x"] and o1.co_units == ["north"]
    d = dispatch(plan, bundle)
    assert {("O1", "north")} <= {(r.task, r.unit) for r in d.lagging_tasks}


def test_packaged_sample_is_flagged_and_fits_the_jinan_plan():
    from carbonpeak.plan.load import load_plan

    plan = load_plan()
    bundle = load_bundle()
    assert "sample" in bundle.flags
    tasks = {m.code for m in plan.measures()}
    projects = {p.code for p in plan.key_projects}
    units = {u.code for u in plan.units} | {d.code for d in bundle.districts}
    assert {r.task for r in bundle.supervision.task_progress} <= tasks
    assert {r.unit for r in bundle.supervision.task_progress} <= units
    assert {s.project for s in bundle.supervision.project_status} <= projects


def test_a_bundle_carrying_results_is_refused():
    """Indicator results, the inventory and the projection are computed, never read from a bundle."""
    from carbonpeak.errors import InputError

    with pytest.raises(InputError) as exc:
        parse_bundle({"year": 2024, "inventory": [], "projection": {"p_peak_by_2030": 0.72}}, name="b.yaml")
    found = {(p.location, p.rule) for p in exc.value.problems}
    assert found == {("b.yaml:inventory", "bundle.result"), ("b.yaml:projection", "bundle.result")}
    assert all(p.message_zh and p.message_en for p in exc.value.problems)


def test_no_packaged_sample_holds_results():
    import yaml

    from carbonpeak.services.supervision import RESULT_KEYS, SAMPLES_DIR

    files = sorted(SAMPLES_DIR.glob("*.yaml"))
    assert files
    for f in files:
        data = yaml.safe_load(f.read_text(encoding="utf-8"))
        assert not set(RESULT_KEYS) & set(data), f.name
