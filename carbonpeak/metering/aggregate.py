"""The monthly aggregations, written once as Ibis expressions and run on DuckDB (here) or Apache Spark
(province scale): `jobs(readings, register, start, end)` builds them; the engine only executes.

    readings   uscc, meter, t (s since 1970 UTC, period start), value, version  (the Parquet files)
    register   uscc, meter, district, energy_kind, unit, mode, rollover (10**width, 0 = none), due
               (the periods due in the window)

Jobs (docs/methods/metering.md#aggregations), quantities in the energy kind's unit rounded to
0.001 so that engines which add in another order give the same numbers:
    daily      uscc, energy_kind, day (days since 1970-01-01, China standard time), quantity
    unit       uscc, energy_kind, quantity, readings, due, completeness (readings ÷ due)
    district   district, energy_kind, quantity, units

A period's quantity is an interval meter's value or, for a cumulative register, the increment to the
meter's next reading in the window (plus the rollover when the register went down), as in
metering.quality.period_energy (`periods`, the definition). Only the newest version of each (meter,
period) counts. The jobs sum it by meter and day first with aggregates alone (`meter_days`: the
increments telescope), so the one window runs over meter-days, not readings: a month of 5,000
15-minute series is 150,000 rows for the window instead of 14.4 million.
"""

from __future__ import annotations

from typing import Any

import ibis
from ibis import _

LOCAL_OFFSET = 8 * 3600
DECIMALS = 3


KEY = ["uscc", "meter", "t"]


# Ibis compiles argmin/argmax to an ordered aggregate (FIRST(x ORDER BY y)), which sorts each group;
# min_by/max_by are plain aggregates of the same name in DuckDB and in Spark SQL.
@ibis.udf.agg.builtin(name="min_by")  # type: ignore[untyped-decorator]
def _min_by(arg: float, key: int) -> float:  # type: ignore[empty-body]
    """arg at the smallest key"""


@ibis.udf.agg.builtin(name="max_by")  # type: ignore[untyped-decorator]
def _max_by(arg: float, key: int) -> float:  # type: ignore[empty-body]
    """arg at the largest key"""


def current(readings: Any) -> Any:
    """The newest version of each (uscc, meter, t). Corrected readings are few: the readings never
    corrected pass as they are, and only the keys with a version above 1 are grouped (a group-by
    over every reading of a month would cost more than the rest of the job)."""
    corrected = readings.filter(readings.version > 1).select(*KEY).distinct()
    first = readings.filter(readings.version == 1).anti_join(corrected, KEY).select(*KEY, "value")
    fixed = readings.semi_join(corrected, KEY)
    newest = fixed.group_by(KEY).aggregate(value=fixed.value.argmax(fixed.version))
    return first.union(newest.select(*KEY, "value"))


def periods(readings: Any, register: Any, start: int, end: int) -> Any:
    """One row per reading in [start, end) of a registered meter with its period's quantity `q`: the
    definition the jobs keep (tests/metering/test_aggregate.py), too slow to run on a month (a window
    over every reading)."""
    cur = current(readings.filter((readings.t >= start) & (readings.t < end)))
    r = cur.join(register, ["uscc", "meter"])
    nxt = r.value.lead().over(ibis.window(group_by=[r.uscc, r.meter], order_by=r.t))
    q = ibis.ifelse(r.mode == "interval", r.value, _wrap(nxt - r.value, r.rollover))
    return r.mutate(q=q, day=_day(r.t))


def day_summary(readings: Any) -> Any:
    """Per meter and local day of `readings` (uscc, meter, t, value; current values): readings,
    total (the sum of the values), first and last (the values at the day's first and last period
    start). What `meter_days` needs of a day; compaction stores it beside each partition
    (metering.storage), so a month of compacted partitions is read as meter-days."""
    cur = readings.mutate(day=_day(readings.t))
    return cur.group_by(["uscc", "meter", "day"]).aggregate(
        readings=cur.count(),
        total=cur.value.sum(),
        first=_min_by(cur.value, cur.t),
        last=_max_by(cur.value, cur.t),
    )


def meter_days(
    readings: Any, register: Any, start: int, end: int, *, uncorrected: Any = None, days: Any = None
) -> Any:
    """One row per registered meter and local day with readings in [start, end): `readings` and the
    day's quantity `q`, the sum of its readings' `q` of `periods` without a window over the readings.

    An interval meter's day is the sum of its values. A cumulative register's increments telescope:
    the day's readings pass from its first reading to the first reading of the next day that has one
    (in the window's last day, to the day's last reading), plus the rollover if the register went
    down. That equals the sum of the steps when the span holds at most one rollover, as the intake
    ensures (a register may go down only by rolling over, metering.senml.monotone_problems, and a
    day at rated capacity is far below 10**width).

    `uncorrected`: more readings known to hold version 1 only (the partitions never corrected, told
    by the files' statistics): they skip the search for newer versions, a join over every reading.
    `days`: `day_summary` rows of further partitions (stored by compaction); [start, end) must
    cover whole local days.
    """
    parts = []
    if readings is not None:
        parts.append(current(readings.filter((readings.t >= start) & (readings.t < end))))
    if uncorrected is not None:
        parts.append(
            uncorrected.filter((uncorrected.t >= start) & (uncorrected.t < end)).select(*KEY, "value")
        )
    summaries = []
    if parts:
        summaries.append(day_summary(parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]))
    if days is not None:
        lo, hi = (start + LOCAL_OFFSET) // 86400, (end + LOCAL_OFFSET) // 86400
        summaries.append(
            days.filter((days.day >= lo) & (days.day < hi)).select(
                "uscc", "meter", "day", "readings", "total", "first", "last"
            )
        )
    d = summaries[0].union(*summaries[1:]) if len(summaries) > 1 else summaries[0]
    r = d.join(register, ["uscc", "meter"])
    r = r.mutate(next=r.first.lead().over(ibis.window(group_by=[r.uscc, r.meter], order_by=r.day)))
    # the window's last reading has no next one: its step is null, as in `periods`
    step = ibis.ifelse(r.next.isnull() & (r.readings == 1), ibis.null("float64"), r.next.fill_null(r.last))
    q = ibis.ifelse(r.mode == "interval", r.total, _wrap(step - r.first, r.rollover))
    return r.mutate(q=q).drop("next")


def _wrap(d: Any, rollover: Any) -> Any:
    return ibis.ifelse((d < 0) & (rollover > 0), d + rollover, d)


def _day(t: Any) -> Any:
    return ((t + LOCAL_OFFSET) // 86400).cast("int64")


def jobs(
    readings: Any,
    register: Any,
    start: int,
    end: int,
    *,
    uncorrected: Any = None,
    days: Any = None,
    per_reading: bool = False,
) -> dict[str, Any]:
    """The three jobs over [start, end) as Ibis expressions (unexecuted). `uncorrected`, `days`: as
    in `meter_days`; `per_reading`: built on `periods` (the definition) instead of `meter_days`."""
    if per_reading:
        if days is not None:
            raise ValueError("the definition reads readings, not day summaries")
        readings = (
            readings.union(uncorrected) if readings is not None and uncorrected is not None else readings
        )
        readings = uncorrected if readings is None else readings
        p = periods(readings, register, start, end)
        p = p.group_by(["uscc", "meter", "energy_kind", "day"]).aggregate(q=p.q.sum(), readings=p.count())
    else:
        p = meter_days(readings, register, start, end, uncorrected=uncorrected, days=days)
    daily = (
        p.group_by(["uscc", "energy_kind", "day"])
        .aggregate(quantity=p.q.sum())
        .mutate(quantity=_.quantity.round(DECIMALS))
        .order_by(["uscc", "energy_kind", "day"])
    )
    per_meter = p.group_by(["uscc", "meter", "energy_kind"]).aggregate(
        quantity=p.q.sum(), readings=p.readings.sum()
    )
    # meters with no reading at all still count as due
    due = register.group_by(["uscc", "energy_kind"]).aggregate(due=register.due.sum())
    got = per_meter.group_by(["uscc", "energy_kind"]).aggregate(
        quantity=per_meter.quantity.sum(), readings=per_meter.readings.sum()
    )
    unit = (
        due.left_join(got, ["uscc", "energy_kind"])
        .select(
            "uscc",
            "energy_kind",
            quantity=_.quantity.fill_null(0.0).round(DECIMALS),
            readings=_.readings.fill_null(0).cast("int64"),
            due=_.due.cast("int64"),
        )
        .mutate(completeness=(_.readings / _.due).round(6))
        .order_by(["uscc", "energy_kind"])
    )
    names = register.select("uscc", "district").distinct()
    by_unit = unit.join(names, "uscc")
    district = (
        by_unit.group_by(["district", "energy_kind"])
        .aggregate(quantity=by_unit.quantity.sum(), units=by_unit.uscc.nunique())
        .mutate(quantity=_.quantity.round(DECIMALS))
        .order_by(["district", "energy_kind"])
    )
    return {"daily": daily, "unit": unit, "district": district}
