"""Observation series: the values of one indicator for one region over years, with unit and provenance.

    Series            years (int), values (float), unit, and per year the source and flag
    Observations      (indicator, region) → Series; what the CSV loader returns and derived.py extends

Pure data: nothing here reads a file. Flags: `published` (a published figure, with its source),
`estimated` (computed by a named method), `sample` (written to show the platform).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FLAGS = ("published", "estimated", "sample")

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Series:
    """One indicator of one region: `years` ascending and unique, `values` in `unit`.

    `sources` and `flags` run parallel to `years`. A derived series carries the formula as its
    source (e.g. `derived: energy_total / gdp_constant`) and the weakest flag of its inputs.
    """

    indicator: str
    region: str
    unit: str
    years: IntArray
    values: FloatArray
    sources: tuple[str, ...]
    flags: tuple[str, ...]

    @classmethod
    def of(
        cls,
        indicator: str,
        region: str,
        unit: str,
        points: Mapping[int, float],
        *,
        source: str = "",
        flag: str = "sample",
    ) -> Series:
        """A series from {year: value} with one source and flag for every point (handy in tests)."""
        return cls.of_points(indicator, region, unit, {y: (v, source, flag) for y, v in points.items()})

    @classmethod
    def of_points(
        cls, indicator: str, region: str, unit: str, points: Mapping[int, tuple[float, str, str]]
    ) -> Series:
        """A series from {year: (value, source, flag)}, in the order of the years."""
        years = sorted(points)
        return cls(
            indicator=indicator,
            region=region,
            unit=unit,
            years=np.asarray(years, dtype=np.int64),
            values=np.asarray([points[y][0] for y in years], dtype=np.float64),
            sources=tuple(points[y][1] for y in years),
            flags=tuple(points[y][2] for y in years),
        )

    def value(self, year: int) -> float | None:
        """The value in `year`, or None if the year is not observed."""
        hit = np.flatnonzero(self.years == year)
        return float(self.values[hit[0]]) if hit.size else None

    def upto(self, year: int) -> Series:
        """The points up to and including `year`."""
        keep = self.years <= year
        idx = np.flatnonzero(keep)
        return Series(
            self.indicator,
            self.region,
            self.unit,
            self.years[keep],
            self.values[keep],
            tuple(self.sources[i] for i in idx),
            tuple(self.flags[i] for i in idx),
        )

    def latest(self) -> tuple[int, float] | None:
        """(year, value) of the last point, or None when empty."""
        if self.years.size == 0:
            return None
        return int(self.years[-1]), float(self.values[-1])

    def __len__(self) -> int:
        return int(self.years.size)


def weakest_flag(flags: list[str] | tuple[str, ...]) -> str:
    """`sample` beats `estimated` beats `published`: a figure is only as good as its weakest input."""
    for flag in ("sample", "estimated"):
        if flag in flags:
            return flag
    return "published"


@dataclass(frozen=True)
class Observations:
    """All series at hand, by (indicator, region)."""

    series: Mapping[tuple[str, str], Series]

    def get(self, indicator: str, region: str) -> Series | None:
        return self.series.get((indicator, region))

    def regions(self) -> list[str]:
        return sorted({r for _, r in self.series})

    def indicators(self, region: str | None = None) -> list[str]:
        return sorted({i for i, r in self.series if region is None or r == region})

    def with_series(self, extra: list[Series]) -> Observations:
        """A copy with `extra` added; an observed series is never replaced by a derived one."""
        merged = dict(self.series)
        for s in extra:
            merged.setdefault((s.indicator, s.region), s)
        return Observations(merged)

    def __iter__(self) -> Iterator[Series]:
        return iter(self.series.values())


__all__ = ["FLAGS", "Observations", "Series", "weakest_flag"]
