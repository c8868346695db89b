"""The meter register (计量器具台账): key energy-using units and their metering points.

A register is a data record of kind `meter_register` (statistics/kinds.yaml, layout `meters`): a
long table, one row per metering point, through the usual import → review → publish path. Columns
(docs/methods/metering.md#register):

    uscc, unit_name, industry, district, meter, energy_kind, quantity, unit, mode, rated_capacity,
    register_width, interval_minutes, calibration_due[, year, flag, source]

`check_register` turns the rows into `RegisterRow`s (one per metering point) or problems located at
the cell; `meters_of` turns published rows back into `Meter`s. Nothing here reads a file.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from carbonpeak.errors import Problem
from carbonpeak.validation import FirstSeen, TableRow, finite_number, problem

COLUMNS = (
    "uscc",
    "unit_name",
    "industry",
    "district",
    "meter",
    "energy_kind",
    "quantity",
    "unit",
    "mode",
    "rated_capacity",
    "register_width",
    "interval_minutes",
    "calibration_due",
)
# energy kind → the unit its meters count in (one unit per kind keeps aggregation a plain sum)
ENERGY_UNITS = {
    "electricity": "kWh",
    "natural_gas": "m3",
    "heat": "GJ",
    "steam": "t",
    "coal": "t",
    "oil": "t",
    "water": "m3",
}
MODES = ("cumulative", "interval")
INTERVALS = (15, 30, 60)  # minutes: 15 by default, 30 or 60 allowed (发改环资〔2017〕1711号)
# GB 32100-2015 统一社会信用代码: 18 characters from this alphabet, the last a check character
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
METER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
INDUSTRY = re.compile(r"^[A-T](\d{2}(\d{1,2})?)?$")  # GB/T 4754-2017: section letter, 2-4 digits


def uscc_check_char(first17: str) -> str:
    """The check character of a 统一社会信用代码 from its first 17 characters (GB 32100-2015)."""
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def uscc_from(first17: str) -> str:
    """A 统一社会信用代码 completed with its check character (the simulator's units)."""
    return first17 + uscc_check_char(first17)


def valid_uscc(code: str) -> bool:
    return len(code) == 18 and all(c in USCC_CHARS for c in code) and uscc_check_char(code[:17]) == code[17]


@dataclass(frozen=True)
class Meter:
    """One metering point. `rated_capacity`: the most the point can pass in one hour, in `unit`
    per hour; `register_width`: the digits of a cumulative register (it rolls over at
    10**register_width; 0 for interval meters)."""

    uscc: str
    unit_name: str
    industry: str
    district: str
    meter: str
    energy_kind: str
    quantity: str
    unit: str
    mode: str
    rated_capacity: float
    register_width: int
    interval_minutes: int
    calibration_due: dt.date

    @property
    def name(self) -> str:
        """The SenML name of its readings and the MQTT topic's tail: `<uscc>/<meter>/<quantity>`."""
        return f"{self.uscc}/{self.meter}/{self.quantity}"

    @property
    def key(self) -> str:
        """`<uscc>/<meter>`: the reading's identity is (key, period start)."""
        return f"{self.uscc}/{self.meter}"

    @property
    def rollover(self) -> float:
        """The value at which the register returns to 0 (inf for an interval meter)."""
        return float(10**self.register_width) if self.register_width else math.inf

    @property
    def interval_seconds(self) -> int:
        return self.interval_minutes * 60


@dataclass(frozen=True)
class RegisterRow:
    """A checked register row as the data spine stores it: key `<uscc>/<meter>`, value the rated
    capacity, unit, region the district, the other attributes as JSON text."""

    key: str
    value: float
    unit: str
    region: str
    text: str
    location: str


def check_register(rows: Iterable[TableRow]) -> tuple[list[RegisterRow], list[Problem]]:
    """(values by column, location by column) rows → register rows, or every problem found."""
    out: list[RegisterRow] = []
    problems: list[Problem] = []
    seen: FirstSeen[str] = FirstSeen("metering.duplicate")
    names: dict[str, str] = {}  # uscc → unit name (one name per unit)
    for _line, v, where in rows:
        bad: list[Problem] = []

        def fail(col: str, rule: str, **fields: Any) -> None:
            bad.append(problem(where.get(col, col), rule, v.get(col) or None, **fields))  # noqa: B023

        uscc = v["uscc"].upper()
        if not valid_uscc(uscc):
            fail("uscc", "metering.uscc", text_key="problem.metering.uscc.register")
        elif names.setdefault(uscc, v["unit_name"]) != v["unit_name"]:
            fail(
                "unit_name",
                "metering.unit_name",
                text_key="problem.metering.unit_name.differs",
                names=names[uscc],
            )
        if not v["unit_name"]:
            fail("unit_name", "metering.unit_name")
        if not INDUSTRY.match(v["industry"]):
            fail("industry", "metering.industry")
        if not v["district"]:
            fail("district", "metering.district")
        if not METER_ID.match(v["meter"]):
            fail("meter", "metering.meter")
        kind = v["energy_kind"]
        if fault := energy_unit_fault(kind, v["unit"]):
            fail(fault[0], fault[1], **fault[2])
        if not METER_ID.match(v["quantity"]):
            fail("quantity", "metering.quantity")
        if v["mode"] not in MODES:
            fail("mode", "metering.mode")
        capacity = finite_number(v["rated_capacity"])
        if capacity is None or capacity <= 0:
            fail("rated_capacity", "metering.capacity")
        width = finite_number(v["register_width"] or "0")
        if width is None or width != int(width) or not (0 <= width <= 15):
            fail("register_width", "metering.width")
        elif v["mode"] == "cumulative" and width == 0:
            fail("register_width", "metering.width", text_key="problem.metering.width.cumulative")
        interval = finite_number(v["interval_minutes"] or "15")
        if interval not in INTERVALS:
            fail("interval_minutes", "metering.interval")
        try:
            due = dt.date.fromisoformat(v["calibration_due"])
        except ValueError:
            fail("calibration_due", "metering.calibration")
            due = dt.date.min
        key = f"{uscc}/{v['meter']}"
        if not bad and (twice := seen.again(key, where.get("meter", "meter"), v.get("meter") or None)):
            bad.append(twice)
        if bad:
            problems += bad
            continue
        attrs = {
            "unit_name": v["unit_name"],
            "industry": v["industry"],
            "energy_kind": kind,
            "quantity": v["quantity"],
            "mode": v["mode"],
            "register_width": int(width or 0),
            "interval_minutes": int(interval or 15),
            "calibration_due": due.isoformat(),
        }
        out.append(
            RegisterRow(
                key=key,
                value=float(capacity or 0.0),
                unit=v["unit"],
                region=v["district"],
                text=json.dumps(attrs, ensure_ascii=False, sort_keys=True),
                location=where.get("meter", ""),
            )
        )
    return out, problems


def meter_of(key: str, capacity: float, unit: str, district: str, text: str) -> Meter:
    """A published register row back as a Meter."""
    uscc, meter = key.split("/", 1)
    a = json.loads(text)
    return Meter(
        uscc=uscc,
        unit_name=a["unit_name"],
        industry=a["industry"],
        district=district,
        meter=meter,
        energy_kind=a["energy_kind"],
        quantity=a["quantity"],
        unit=unit,
        mode=a["mode"],
        rated_capacity=capacity,
        register_width=int(a["register_width"]),
        interval_minutes=int(a["interval_minutes"]),
        calibration_due=dt.date.fromisoformat(a["calibration_due"]),
    )


def register_rows(meters: Iterable[Meter], year: int) -> list[dict[str, str]]:
    """Meters as the register file's rows (the simulator writes its population with this)."""
    return [
        {
            "uscc": m.uscc,
            "unit_name": m.unit_name,
            "industry": m.industry,
            "district": m.district,
            "meter": m.meter,
            "energy_kind": m.energy_kind,
            "quantity": m.quantity,
            "unit": m.unit,
            "mode": m.mode,
            "rated_capacity": repr(m.rated_capacity),
            "register_width": str(m.register_width),
            "interval_minutes": str(m.interval_minutes),
            "calibration_due": m.calibration_due.isoformat(),
            "year": str(year),
        }
        for m in meters
    ]


def energy_unit_fault(kind: str, unit: str) -> tuple[str, str, dict[str, str]] | None:
    """(column, rule, fields of its catalogue text) of what is wrong with an energy kind and its
    unit, or None."""
    if kind not in ENERGY_UNITS:
        return "energy_kind", "metering.energy_kind", {"kinds": ", ".join(ENERGY_UNITS)}
    if unit != ENERGY_UNITS[kind]:
        return "unit", "metering.unit", {"kind": kind, "unit": ENERGY_UNITS[kind]}
    return None
