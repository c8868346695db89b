"""The tracking configuration (status.yaml): trajectories, status thresholds, series of each target.

StatusConfig              the validated file (pydantic; every fault reported at once)
load_status_config(path)  read and validate; the packaged status.yaml by default
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from carbonpeak.validation import read_yaml, validated

STATUS_FILE = Path(__file__).with_name("status.yaml")

Trajectory = Literal["linear", "compound"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StatusThresholds(_Strict):
    on_track_tolerance: float = Field(default=0.0, ge=0)
    at_risk_max_shortfall: float = Field(default=25.0, ge=0)
    about_tolerance: float = Field(default=5.0, ge=0, lt=100)

    @model_validator(mode="after")
    def _ordered(self) -> StatusThresholds:
        if self.at_risk_max_shortfall < self.on_track_tolerance:
            raise ValueError("at_risk_max_shortfall must be ≥ on_track_tolerance")
        return self


class PeakThresholds(_Strict):
    on_track_max_growth: float = 0.0
    at_risk_max_growth: float = 2.0
    probability_on_track: float = Field(default=0.8, ge=0, le=1)
    probability_at_risk: float = Field(default=0.5, ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> PeakThresholds:
        if self.at_risk_max_growth < self.on_track_max_growth:
            raise ValueError("at_risk_max_growth must be ≥ on_track_max_growth")
        if self.probability_at_risk > self.probability_on_track:
            raise ValueError("probability_at_risk must be ≤ probability_on_track")
        return self


class StatusConfig(_Strict):
    source: str = Field(min_length=1)
    default_base_year: int = 2020
    price_year: int = 2020
    recent_years: int = Field(default=3, ge=1)
    trajectory: dict[str, Trajectory] = {
        "level": "linear",
        "count": "linear",
        "share": "linear",
        "reduction": "compound",
    }
    status: StatusThresholds = StatusThresholds()
    peak: PeakThresholds = PeakThresholds()
    series: dict[str, str] = {}

    def trajectory_of(self, metric: str) -> Trajectory:
        return self.trajectory.get(metric, "compound" if metric == "reduction" else "linear")

    def series_candidates(self, indicator: str) -> list[str]:
        """Series names to try for a target indicator, in order."""
        names = [self.series[indicator]] if indicator in self.series else []
        for suffix in ("_reduction", "_peak"):
            if indicator.endswith(suffix):
                names.append(indicator.removesuffix(suffix))
        names.append(indicator)
        return list(dict.fromkeys(names))


def load_status_config(path: Path | str | None = None) -> StatusConfig:
    """The tracking configuration at `path` (the packaged status.yaml by default)."""
    return _load(Path(path) if path else STATUS_FILE)


@cache
def _load(path: Path) -> StatusConfig:
    return validated(StatusConfig, read_yaml(path, "config"), "config", location=path.name)


__all__ = ["STATUS_FILE", "StatusConfig", "load_status_config"]
