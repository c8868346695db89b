"""The monitoring pages: /metering (every unit's quality index and completeness for a month) and
/metering/units/{uscc} (one unit: its meters, gaps, findings, index parts and refused packs). The
figures are the quality engine's (metering/quality.py) over the store's current readings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from carbonpeak.errors import NotFound
from carbonpeak.services.pages.common import PageBase
from carbonpeak.settings import Settings
from carbonpeak.store.db import Database

CST = dt.timezone(dt.timedelta(hours=8))


class UnitRow(BaseModel):
    uscc: str
    name: str
    district: str
    industry: str
    meters: int
    index: float
    completeness: float
    findings: int
    rejections: int


class MeteringPage(PageBase):
    month: str | None = None
    months: list[str] = Field(default_factory=list)
    units: list[UnitRow] = Field(default_factory=list)
    units_online: int = 0
    meters: int = 0
    completeness: float | None = None


class MeterRow(BaseModel):
    meter: str
    energy_kind: str
    unit: str
    mode: str
    completeness: float
    calibration_due: str
    findings: int


class GapRow(BaseModel):
    meter: str
    start: str
    end: str
    periods: int


class MeteringUnitPage(PageBase):
    uscc: str
    name: str = ""
    district: str = ""
    industry: str = ""
    month: str | None = None
    months: list[str] = Field(default_factory=list)
    index: dict[str, Any] = Field(default_factory=dict)
    meters: list[MeterRow] = Field(default_factory=list)
    gaps: list[GapRow] = Field(default_factory=list)
    findings: dict[str, int] = Field(default_factory=dict)
    rejections: list[dict[str, Any]] = Field(default_factory=list)


def _local(t: int) -> str:
    return dt.datetime.fromtimestamp(t, CST).strftime("%Y-%m-%d %H:%M")


def _months(settings: Settings) -> list[str]:
    from carbonpeak.services.metering import reading_store

    root = reading_store(settings).readings
    return sorted((p.name.removeprefix("month=") for p in root.glob("month=*")), reverse=True)


def _assess(settings: Settings, db: Database, month: str | None) -> tuple[str | None, list[str], Any, Any]:
    from carbonpeak.services import metering as svc

    months = _months(settings)
    month = month if month in months else (months[0] if months else None)
    with db.session() as session:
        register = svc.meters(session)
        counts = svc.rejection_counts(session)
        got = svc.assess_month(session, svc.reading_store(settings), month) if month and register else None
    return month, months, (register, counts), got


def metering_page(
    settings: Settings, *, month: str | None = None, db: Database | None = None
) -> MeteringPage:
    if db is None:
        return MeteringPage(missing=["metering"])
    month, months, (register, counts), got = _assess(settings, db, month)
    if got is None:
        return MeteringPage(missing=["metering"], months=months, month=month)
    by_unit: dict[str, list[Any]] = {}
    for m in register.values():
        by_unit.setdefault(m.uscc, []).append(m)
    faults: dict[str, int] = {}
    for f in got.findings:
        if f.fault:
            faults[f.uscc] = faults.get(f.uscc, 0) + 1
    units = []
    for i in got.indices:
        ms = by_unit[i.uscc]
        units.append(
            UnitRow(
                uscc=i.uscc,
                name=ms[0].unit_name,
                district=ms[0].district,
                industry=ms[0].industry,
                meters=len(ms),
                index=i.index,
                completeness=i.completeness,
                findings=faults.get(i.uscc, 0),
                rejections=counts.get(i.uscc, 0),
            )
        )
    online = sum(1 for u in units if u.completeness > 0)
    return MeteringPage(
        flag="estimated",
        data_source="online monitoring (docs/methods/metering.md)",
        month=month,
        months=months,
        units=sorted(units, key=lambda u: (u.index, u.uscc)),
        units_online=online,
        meters=len(register),
        completeness=round(sum(u.completeness * u.meters for u in units) / max(1, len(register)), 4),
    )


class Coverage(BaseModel):
    """Online monitoring on the overview: the newest month with readings, the registered units, those
    with a reading in it, and uploaded ÷ due over all registered meters (the quality engine's)."""

    month: str
    units: int
    units_online: int
    meters: int
    completeness: float | None = None


COVERAGE_SECONDS = 300.0  # readings arrive all the time: the overview's coverage is this old at most
_coverage: dict[str, tuple[float, Coverage | None]] = {}


def coverage(settings: Settings, db: Database | None) -> Coverage | None:
    """The monitoring page's coverage figures for the overview, computed at most every
    COVERAGE_SECONDS (a month's quality assessment is not a per-request cost); None without a
    register or readings."""
    import time

    if db is None:
        return None
    key = str(settings.data_dir)
    hit = _coverage.get(key)
    if hit is not None and time.monotonic() - hit[0] < COVERAGE_SECONDS:
        return hit[1]
    from sqlalchemy.exc import DBAPIError

    from carbonpeak.store.db import is_missing_table

    try:
        page = metering_page(settings, db=db)
    except DBAPIError as exc:  # before `carbonpeak init` the overview still shows the plan
        if is_missing_table(exc):
            return None
        raise
    found = None
    if page.month is not None and "metering" not in page.missing:
        units = len({m.uscc for m in _register(db).values()})
        found = Coverage(
            month=page.month,
            units=units,
            units_online=page.units_online,
            meters=page.meters,
            completeness=page.completeness,
        )
    _coverage[key] = (time.monotonic(), found)
    return found


def _register(db: Database) -> dict[str, Any]:
    from carbonpeak.services import metering as svc

    with db.session() as session:
        return svc.meters(session)


def metering_unit_page(
    settings: Settings, uscc: str, *, month: str | None = None, db: Database | None = None
) -> MeteringUnitPage:
    from carbonpeak.services import metering as svc

    if db is None:
        return MeteringUnitPage(uscc=uscc, missing=["metering"])
    month, months, (register, _counts), got = _assess(settings, db, month)
    ms = [m for m in register.values() if m.uscc == uscc]
    if not ms:
        raise NotFound(
            f"unit {uscc!r} is not in the meter register", message_zh=f"计量器具台账中没有单位“{uscc}”"
        )
    with db.session() as session:
        rejections = svc.rejections(session, uscc=uscc, limit=50)
    page = MeteringUnitPage(
        uscc=uscc,
        name=ms[0].unit_name,
        district=ms[0].district,
        industry=ms[0].industry,
        month=month,
        months=months,
        rejections=rejections,
        flag="estimated",
        data_source="online monitoring (docs/methods/metering.md)",
    )
    if got is None:
        page.missing = ["metering"]
        return page
    mine = [f for f in got.findings if f.uscc == uscc]
    per_meter: dict[str, int] = {}
    for f in mine:
        if f.fault:
            per_meter[f.meter] = per_meter.get(f.meter, 0) + 1
            page.findings[f.rule] = page.findings.get(f.rule, 0) + 1
    page.index = next((i.__dict__ for i in got.indices if i.uscc == uscc), {})
    for m in sorted(ms, key=lambda m: m.meter):
        days = got.completeness.get(m.key, {})
        page.meters.append(
            MeterRow(
                meter=m.meter,
                energy_kind=m.energy_kind,
                unit=m.unit,
                mode=m.mode,
                completeness=round(sum(days.values()) / len(days), 4) if days else 0.0,
                calibration_due=m.calibration_due.isoformat(),
                findings=per_meter.get(m.meter, 0),
            )
        )
    page.gaps = [
        GapRow(meter=f.meter, start=_local(f.t), end=_local(f.t_end), periods=int(f.value))
        for f in sorted(mine, key=lambda f: (f.t, f.meter))
        if f.rule == "gap"
    ][:200]
    return page
