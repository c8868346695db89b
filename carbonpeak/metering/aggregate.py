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
metering.quality.period_energy. Only the newest version of each (meter, period) counts.
"""

from __future__ import annotations

from typing import Any

import ibis
from ibis import _

LOCAL_OFFSET = 8 * 3600
DECIMALS = 3


KEY = ["uscc", "meter", "t"]


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
    """One row per reading in [start, end) of a registered meter with its period's quantity `q`."""
    cur = current(readings.filter((readings.t >= start) & (readings.t < end)))
    r = cur.join(register, ["uscc", "meter"])
    nxt = r.value.lead().over(ibis.window(group_by=[r.uscc, r.meter], order_by=r.t))
    d = nxt - r.value
    wrapped = ibis.ifelse((d < 0) & (r.rollover > 0), d + r.rollover, d)
    q = ibis.ifelse(r.mode == "interval", r.value, wrapped)
    return r.mutate(q=q, day=((r.t + LOCAL_OFFSET) // 86400).cast("int64"))


def jobs(readings: Any, register: Any, start: int, end: int) -> dict[str, Any]:
    """The three jobs over [start, end) as Ibis expressions (unexecuted)."""
    p = periods(readings, register, start, end)
    daily = (
        p.group_by(["uscc", "energy_kind", "day"])
        .aggregate(quantity=p.q.sum())
        .mutate(quantity=_.quantity.round(DECIMALS))
        .order_by(["uscc", "energy_kind", "day"])
    )
    per_meter = p.group_by(["uscc", "meter", "energy_kind"]).aggregate(quantity=p.q.sum(), readings=p.count())
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
