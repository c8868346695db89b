import datetime as dt
from pathlib import Path

import pytest
import yaml

from carbonpeak.evaluation.inputs import indicator_results
from carbonpeak.evaluation.scheme import parse_scheme
from carbonpeak.plan.schema import Plan
from carbonpeak.services.indicators import Tracking
from carbonpeak.services.results import ProjectionSummary, YearInventory, YearResults
from carbonpeak.services.supervision import parse_bundle
from carbonpeak.settings import Settings

SMALL_PLAN = Path(__file__).parents[1] / "supervision" / "small_plan.yaml"
D = dt.date

BUNDLE = {
    "year": 2024,
    "period": "2024Q4",
    "as_of": "2025-03-01",
    "data_version": "test-v1",
    "flags": ["sample"],
    "task_progress": [
        {"task": "P1.T1", "unit": "dept_a", "period": "2024Q4", "status": "in_progress", "percent": 60},
        {"task": "P1.T1", "unit": "dept_b", "period": "2024Q4", "status": "completed", "percent": 100},
        {
            "task": "P1.T2",
            "unit": "dept_b",
            "period": "2024Q4",
            "status": "delayed",
            "percent": 20,
            "next_steps": "加快选址",
        },
        {"task": "G1", "unit": "dept_a", "period": "2024Q4", "status": "in_progress", "percent": 50},
        {"task": "O1", "unit": "dist_x", "period": "2024Q4", "status": "in_progress", "percent": 40},
    ],
    "project_status": [
        {"project": "C1.1.1", "status": "in_operation", "updated_at": "2025-01-10"},
        {"project": "C1.2.1", "status": "under_construction", "updated_at": "2024-06-01"},
    ],
    "reporting": [
        {
            "unit": "dept_a",
            "round": "2024Q4",
            "due": "2025-01-15",
            "submitted_at": "2025-01-10",
            "problems": 0,
        },
        {
            "unit": "dept_b",
            "round": "2024Q4",
            "due": "2025-01-15",
            "submitted_at": "2025-01-25",
            "problems": 0,
        },
        {"unit": "dist_x", "round": "2024Q4", "due": "2025-01-15", "submitted_at": None, "problems": 0},
    ],
}

SCHEME = {
    "code": "small",
    "version": 1,
    "title_zh": "小城评价方案",
    "title_en": "Small scheme",
    "years": [2024],
    "source": "test",
    "grades": [
        {"code": "excellent", "name_zh": "优秀", "name_en": "Excellent", "min_score": 90},
        {"code": "good", "name_zh": "良好", "name_en": "Good", "min_score": 80},
        {"code": "pass", "name_zh": "合格", "name_en": "Pass", "min_score": 60},
        {"code": "fail", "name_zh": "不合格", "name_en": "Fail", "min_score": 0},
    ],
    "audiences": [
        {
            "code": "departments",
            "name_zh": "部门",
            "name_en": "Departments",
            "unit_kinds": ["department"],
            "criteria": [
                {
                    "code": "tasks",
                    "name_zh": "任务推进",
                    "name_en": "Tasks",
                    "points": 60,
                    "measure": "task_completion",
                    "source": "test",
                },
                {
                    "code": "timely",
                    "name_zh": "按时报送",
                    "name_en": "Timely reports",
                    "points": 40,
                    "measure": "reporting_timeliness",
                    "source": "test",
                },
            ],
        },
    ],
}


@pytest.fixture(scope="session")
def small_plan() -> Plan:
    return Plan.model_validate(yaml.safe_load(SMALL_PLAN.read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def bundle():
    return parse_bundle(BUNDLE, name="test")


@pytest.fixture(scope="session")
def scheme():
    return parse_scheme(SCHEME)


# the indicator engine's rows for the small plan's targets, as track_targets gives them (the
# conversion to evaluation inputs and the report's tables are under test, not the engine)
TRACKED = [
    {
        "code": "nonfossil_2025",
        "status": "on_track",
        "latest": 6.5,
        "unit": "%",
        "latest_year": 2024,
        "progress": 75.0,
        "expected_progress": 80.0,
        "target_value": 7.0,
    },
    {
        "code": "pv_2025",
        "status": "at_risk",
        "latest": 61.5,
        "unit": "万kW",
        "latest_year": 2024,
        "progress": 61.5,
        "expected_progress": 76.875,
        "target_value": 100.0,
    },
]


@pytest.fixture(scope="session")
def results(small_plan) -> YearResults:
    shared = {t.code: list(t.responsible_units) for t in small_plan.targets}
    return YearResults(
        year=2024,
        tracking=Tracking(region="small", year=2024, observations="given", rows=TRACKED),
        indicator_results=tuple(indicator_results(TRACKED, year=2024, shared_by=shared)),
        inventory=YearInventory(
            region="small",
            year=2024,
            energy=1234.5,
            process=100.0,
            indirect_electricity=50.25,
            total=1384.75,
            sinks=None,
            factor_set="guideline",
            flag="estimated",
            source="test",
        ),
        projections=(
            ProjectionSummary(
                scenario="plan",
                label_zh="方案情景",
                label_en="Plan",
                p_peak_by_2030=0.615,
                median_peak_year=2028,
                peak_value_median=1400.0,
                base_year=2024,
                draws=100,
                seed=1,
                scenario_hash="0" * 64,
            ),
        ),
    )


@pytest.fixture
def initialised(tmp_path, monkeypatch):
    """CARBONPEAK_DATABASE_URL pointing at a migrated database with the plan loaded."""
    from carbonpeak.services.init import init_database
    from carbonpeak.services.plan import current_plan
    from carbonpeak.store.db import Database

    url = f"sqlite:///{tmp_path / 'carbonpeak.db'}"
    db = Database(url)
    init_database(db, current_plan(Settings().plan_file))
    db.dispose()
    monkeypatch.setenv("CARBONPEAK_DATABASE_URL", url)
    return url
