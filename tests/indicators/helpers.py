"""Small hand-made plans and observations for the indicator tests."""

from __future__ import annotations

from carbonpeak.indicators.series import Observations, Series
from carbonpeak.plan.schema import Source, Target

REGION = "city"


def target(code: str = "t", indicator: str = "x", **kw: object) -> Target:
    fields: dict[str, object] = {
        "code": code,
        "indicator": indicator,
        "name_zh": "指标",
        "name_en": "indicator",
        "metric": "level",
        "unit": "万kW",
        "target_year": 2030,
        "target_value": 100.0,
        "direction": "at_least",
        "source": Source(section="二", quote="到2030年……"),
    }
    fields.update(kw)
    return Target.model_validate(fields)


def observations(*series: tuple[str, str, dict[int, float]]) -> Observations:
    return Observations(
        {(name, REGION): Series.of(name, REGION, unit, points) for name, unit, points in series}
    )
