"""Quality rules of metered series (docs/methods/metering.md#quality). Pure NumPy: the readings come
in as arrays, the findings go out as rows (an empty list when all is well).

    increment(previous, current, rollover)          the quantity between two register readings
    check_meter(meter, t, value, skew, received, …)  Finding rows of one meter over a window
    period_energy(meter, t, value)                  (period start, quantity) of one meter
    unit_month_index(…)                             the composite quality index of a unit and month
    chase_list(findings, today)                     gaps open longer than 3 working days

Rules and thresholds (sources in the methods doc):
- completeness: uploaded ÷ due per meter and day (≥ 90 % expected)
- gap: a run of due periods with no reading
- time_label: a label more than 60 s off the period start
- non_monotone: a cumulative register that goes down beyond a rollover at 10**width
- jump: an increment above the rated capacity × the elapsed time, or above JUMP_HISTORY × the
  meter's own 99th-percentile increment per period
- stuck: STUCK_RUN or more periods in a row without change (a running unit's meters never stand
  still for an hour: auxiliaries, lighting, standby)
- late: a reading received more than LATE_SECONDS after its period ended
- monthly_deviation: the sum of the daily values vs the unit's monthly report, beyond ±5 %
- rollover (information, not a fault): the register passed 10**width
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from carbonpeak.metering.register import Meter

TIME_LABEL_SECONDS = 60
STUCK_RUN = 4  # periods (1 h at 15 minutes)
LATE_SECONDS = 2 * 3600
JUMP_HISTORY = 5.0
HISTORY_MIN = 96  # increments before the meter's own history is used
COMPLETENESS_MIN = 0.90
MONTHLY_TOLERANCE = 0.05
CHASE_WORKING_DAYS = 3
FAULTS = ("gap", "time_label", "non_monotone", "jump", "stuck", "late", "monthly_deviation")
LOCAL_OFFSET = 8 * 3600


def increment(previous: float, current: float, rollover: float) -> float:
    """The quantity passed between two readings of a cumulative register that returns to 0 at
    `rollover` (10**register width; inf: never): current − previous, plus `rollover` when the
    register went down (at most one wrap between two readings)."""
    d = current - previous
    if d < 0 and math.isfinite(rollover):
        d += rollover
    return d


def increments(value: np.ndarray, rollover: float) -> tuple[np.ndarray, np.ndarray]:
    """(increments, wrapped) between consecutive register readings (arrays one shorter)."""
    d = np.diff(value)
    wrapped = d < 0
    if math.isfinite(rollover):
        d = np.where(wrapped, d + rollover, d)
    return d, wrapped


@dataclass(frozen=True)
class Finding:
    """One finding: `rule` (FAULTS or "rollover"), the meter, the first and last period start it
    covers (s since 1970 UTC), and a number that tells how bad (gap: periods; jump: the increment;
    time_label: the skew in s; late: delay in s; stuck: periods; monthly_deviation: the share)."""

    rule: str
    uscc: str
    meter: str
    t: int
    t_end: int
    value: float

    @property
    def fault(self) -> bool:
        return self.rule in FAULTS


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of each run of True."""
    if not mask.any():
        return []
    m = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.diff(m)
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def check_meter(
    meter: Meter,
    t: np.ndarray,
    value: np.ndarray,
    skew: np.ndarray,
    received: np.ndarray,
    *,
    start: int,
    end: int,
) -> list[Finding]:
    """Findings of one meter's current readings (sorted by t) over the due periods [start, end)."""
    step = meter.interval_seconds
    out: list[Finding] = []

    def add(rule: str, a: int, b: int, v: float) -> None:
        out.append(Finding(rule, meter.uscc, meter.meter, int(a), int(b), float(v)))

    due = np.arange(start - start % step + (step if start % step else 0), end, step, dtype=np.int64)
    present = np.isin(due, t)
    for a, b in _runs(~present):
        add("gap", due[a], due[b], b - a + 1)
    if len(t) == 0:
        return out
    for i in np.flatnonzero(np.abs(skew) > TIME_LABEL_SECONDS).tolist():
        add("time_label", t[i], t[i], skew[i])
    delay = received - (t + step)
    for i in np.flatnonzero(delay > LATE_SECONDS).tolist():
        add("late", t[i], t[i], delay[i])
    if len(t) < 2:
        return out
    elapsed_h = np.diff(t) / 3600.0
    if meter.mode == "cumulative":
        d, wrapped = increments(value, meter.rollover)
        for i in np.flatnonzero(d < 0).tolist():
            add("non_monotone", t[i + 1], t[i + 1], d[i])
        for i in np.flatnonzero(wrapped & (d >= 0)).tolist():
            add("rollover", t[i + 1], t[i + 1], value[i])
        per_period = d / (elapsed_h * 3600 / step)
        limit = meter.rated_capacity * elapsed_h
        still = d == 0
        run_at = t[1:]
    else:
        d = value
        per_period = value
        limit = np.full(len(value), meter.rated_capacity * step / 3600)
        still = np.concatenate([[False], np.diff(value) == 0]) & (value > 0)
        run_at = t
    jump = d > limit
    ok = per_period[(d >= 0) & ~jump]
    if len(ok) >= HISTORY_MIN:
        jump |= per_period > JUMP_HISTORY * max(float(np.quantile(ok, 0.99)), 1e-9)
    for i in np.flatnonzero(jump).tolist():
        add("jump", run_at[i], run_at[i], d[i])
    if meter.mode == "interval":
        # a run of equal values counts from its first value
        for a, b in _runs(still):
            if b - a + 2 >= STUCK_RUN:
                add("stuck", run_at[a - 1], run_at[b], b - a + 2)
    else:
        for a, b in _runs(still):
            if b - a + 1 >= STUCK_RUN:
                add("stuck", run_at[a], run_at[b], b - a + 1)
    return out


def period_energy(meter: Meter, t: np.ndarray, value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(period start, quantity in the meter's unit) of each period with a value: an interval meter's
    own values; a cumulative register's increment to its next reading, given to the earlier one."""
    if meter.mode == "interval":
        return t, value
    d, _ = increments(value, meter.rollover)
    return t[:-1], np.maximum(d, 0.0)


def local_day(t: np.ndarray) -> np.ndarray:
    """Day number (days since 1970-01-01, China standard time) of times in s since 1970 UTC."""
    return (np.asarray(t, dtype=np.int64) + LOCAL_OFFSET) // 86400


def completeness(meter: Meter, t: np.ndarray, *, start: int, end: int) -> dict[int, float]:
    """day number → uploaded ÷ due of one meter over [start, end)."""
    step = meter.interval_seconds
    due = np.arange(start, end, step, dtype=np.int64)
    days, counts = np.unique(local_day(due), return_counts=True)
    got = dict(zip(*np.unique(local_day(t[(t >= start) & (t < end)]), return_counts=True), strict=True))
    return {int(d): float(got.get(d, 0)) / float(n) for d, n in zip(days, counts, strict=True)}


def monthly_deviation(
    uscc: str, energy_kind: str, metered: float, reported: float, *, t: int, t_end: int
) -> Finding | None:
    """A Finding when the metered sum differs from the monthly report by more than ±5 %."""
    if reported <= 0:
        return None
    share = (metered - reported) / reported
    if abs(share) <= MONTHLY_TOLERANCE:
        return None
    return Finding("monthly_deviation", uscc, energy_kind, t, t_end, share)


@dataclass(frozen=True)
class UnitIndex:
    """The composite quality index of one unit and month (0-100) and its parts (shares, 0-1)."""

    uscc: str
    month: str
    completeness: float
    time_labels: float
    validity: float
    timeliness: float
    report_match: float
    calibration: float
    index: float


WEIGHTS = {
    "completeness": 0.35,
    "time_labels": 0.15,
    "validity": 0.20,
    "timeliness": 0.10,
    "report_match": 0.10,
    "calibration": 0.10,
}


def unit_month_index(
    uscc: str,
    month: str,
    meters: Sequence[Meter],
    findings: Iterable[Finding],
    *,
    due: int,
    uploaded: int,
    month_end: dt.date,
) -> UnitIndex:
    """The index: Σ weight × part, ×100 (WEIGHTS; docs/methods/metering.md#index). Parts:
    completeness = uploaded ÷ due; time labels, validity (jump, stuck, non-monotone periods) and
    timeliness = 1 − flagged ÷ uploaded; report match = 1 within ±5 %, falling to 0 at ±10 %;
    calibration = share of meters calibrated beyond the month's end."""
    flagged: dict[str, float] = {"time_label": 0, "validity": 0, "late": 0}
    worst_dev = 0.0
    for f in findings:
        if f.rule == "time_label" or f.rule == "late":
            flagged[f.rule] += 1
        elif f.rule in ("jump", "non_monotone"):
            flagged["validity"] += 1
        elif f.rule == "stuck":
            flagged["validity"] += f.value
        elif f.rule == "monthly_deviation":
            worst_dev = max(worst_dev, abs(f.value))
    n = max(uploaded, 1)
    parts = {
        "completeness": min(uploaded / due, 1.0) if due else 0.0,
        "time_labels": 1 - flagged["time_label"] / n,
        "validity": max(0.0, 1 - flagged["validity"] / n),
        "timeliness": 1 - flagged["late"] / n,
        "report_match": 1.0
        if worst_dev <= MONTHLY_TOLERANCE
        else max(0.0, 1 - (worst_dev - MONTHLY_TOLERANCE) / MONTHLY_TOLERANCE),
        "calibration": sum(m.calibration_due >= month_end for m in meters) / len(meters) if meters else 0.0,
    }
    index = 100 * sum(WEIGHTS[k] * v for k, v in parts.items())
    return UnitIndex(uscc, month, index=round(index, 2), **{k: round(v, 4) for k, v in parts.items()})


def working_days_between(a: dt.date, b: dt.date) -> int:
    """Monday-Friday days after `a` up to and including `b` (public holidays not counted out)."""
    if b <= a:
        return 0
    return int(np.busday_count(a + dt.timedelta(days=1), b + dt.timedelta(days=1)))


@dataclass(frozen=True)
class ChaseItem:
    """A gap to chase (催报): open for more than 3 working days after its last missing period."""

    uscc: str
    unit_name: str
    meter: str
    gap_start: int
    gap_end: int
    periods: int
    working_days_open: int


def chase_list(findings: Iterable[Finding], meters: Mapping[str, Meter], today: dt.date) -> list[ChaseItem]:
    """Gaps whose last missing period ended more than CHASE_WORKING_DAYS working days before
    `today` (local dates), oldest first; `meters` by `<uscc>/<meter>`."""
    out = []
    for f in findings:
        if f.rule != "gap":
            continue
        m = meters[f"{f.uscc}/{f.meter}"]
        ended = dt.date.fromordinal(
            dt.date(1970, 1, 1).toordinal() + int(local_day(np.asarray([f.t_end]))[0])
        )
        open_days = working_days_between(ended, today)
        if open_days > CHASE_WORKING_DAYS:
            out.append(ChaseItem(f.uscc, m.unit_name, f.meter, f.t, f.t_end, int(f.value), open_days))
    return sorted(out, key=lambda c: (c.gap_start, c.uscc, c.meter))


@dataclass
class Assessment:
    """Findings of every meter, the daily completeness per meter (key → day → share) and the
    quality index of every unit, over one window (a month or part of one)."""

    findings: list[Finding]
    completeness: dict[str, dict[int, float]]
    indices: list[UnitIndex]
    energy: dict[tuple[str, str], float]  # (uscc, energy kind) → metered quantity in the window


def assess(
    meters: Sequence[Meter],
    key: np.ndarray,
    t: np.ndarray,
    value: np.ndarray,
    skew: np.ndarray,
    received: np.ndarray,
    *,
    start: int,
    end: int,
    month: str,
    reports: Mapping[tuple[str, str], float] | None = None,
) -> Assessment:
    """Every rule over the current readings of [start, end) (columns; `key` = `<uscc>/<meter>`),
    the monthly reports by (uscc, energy kind) for the deviation rule."""
    order = np.lexsort((t, key))
    key, t, value, skew, received = key[order], t[order], value[order], skew[order], received[order]
    inside = (t >= start) & (t < end)
    key, t, value, skew, received = key[inside], t[inside], value[inside], skew[inside], received[inside]
    names, first = np.unique(key, return_index=True)
    bounds = dict(
        zip(names.tolist(), zip(first.tolist(), [*first[1:].tolist(), len(key)], strict=True), strict=True)
    )
    findings: list[Finding] = []
    comp: dict[str, dict[int, float]] = {}
    energy: dict[tuple[str, str], float] = {}
    by_unit: dict[str, list[Meter]] = {}
    uploaded: dict[str, int] = {}
    due: dict[str, int] = {}
    empty = np.zeros(0, dtype=np.int64)
    for m in meters:
        a, b = bounds.get(m.key, (0, 0))
        mt = t[a:b] if b > a else empty
        mv = value[a:b] if b > a else empty.astype(np.float64)
        findings += check_meter(
            m, mt, mv, skew[a:b] if b > a else empty, received[a:b] if b > a else empty, start=start, end=end
        )
        comp[m.key] = completeness(m, mt, start=start, end=end)
        _, q = period_energy(m, mt, mv)
        energy[(m.uscc, m.energy_kind)] = energy.get((m.uscc, m.energy_kind), 0.0) + float(q.sum())
        by_unit.setdefault(m.uscc, []).append(m)
        uploaded[m.uscc] = uploaded.get(m.uscc, 0) + len(mt)
        due[m.uscc] = due.get(m.uscc, 0) + (end - start) // m.interval_seconds
    step_end = end - 900
    for (uscc, kind), reported in sorted((reports or {}).items()):
        f = monthly_deviation(uscc, kind, energy.get((uscc, kind), 0.0), reported, t=start, t_end=step_end)
        if f is not None:
            findings.append(f)
    month_end = dt.date.fromordinal(
        dt.date(1970, 1, 1).toordinal() + int(local_day(np.asarray([end - 1]))[0])
    )
    per_unit: dict[str, list[Finding]] = {}
    for f in findings:
        per_unit.setdefault(f.uscc, []).append(f)
    indices = [
        unit_month_index(
            uscc,
            month,
            ms,
            per_unit.get(uscc, []),
            due=due[uscc],
            uploaded=uploaded[uscc],
            month_end=month_end,
        )
        for uscc, ms in sorted(by_unit.items())
    ]
    return Assessment(findings, comp, indices, energy)
