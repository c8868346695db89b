from pathlib import Path

import pytest
import yaml

from carbonpeak.plan.schema import Plan

SMALL_PLAN = Path(__file__).parents[1] / "supervision" / "small_plan.yaml"


@pytest.fixture(scope="session")
def small_plan() -> Plan:
    return Plan.model_validate(yaml.safe_load(SMALL_PLAN.read_text(encoding="utf-8")))
