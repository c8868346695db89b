"""Quality rules of metered series (docs/methods/metering.md#quality). Pure NumPy."""

from __future__ import annotations

import math


def increment(previous: float, current: float, rollover: float) -> float:
    """The quantity passed between two readings of a cumulative register that returns to 0 at
    `rollover` (10**register width; inf: never): current − previous, plus `rollover` when the
    register went down (at most one wrap between two readings)."""
    d = current - previous
    if d < 0 and math.isfinite(rollover):
        d += rollover
    return d
