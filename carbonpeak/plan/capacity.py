"""Capacities stated in a project's name, parsed into numbers with units.

`parse_capacities("济南平阴200MW/400MWh储能电站项目")` gives two: power 200 MW and energy 400 MWh.
The rules (docs/methods/plan.md, "Capacities"):

- a number followed by a unit word: `200MW`, `1000千伏`, `3万水立方`, `50万千瓦`, `2000万吨`;
  the value is kept as stated and the unit written as its canonical name in carbonpeak/units/units.csv
  (`千伏` → `kV`, `万水立方` → `万m3`), so `carbonpeak.units.convert` can take it anywhere;
- `N×` before the number is a count of identical units: `2×400MW` → value 400, count 2;
- `级` after the unit marks a class, not an exact rating: `2×400MW级` → approximate;
- `±` before a voltage marks a DC line (`±800千伏`): the value is the pole voltage, 800 kV;
- a turbine class is not a capacity: `2×9F级` has no unit word and gives nothing.

Pure: no I/O, returns an empty list when the name states no capacity.
"""

from __future__ import annotations

import re
from typing import Literal

from carbonpeak.plan.schema import Capacity

Quantity = Literal["power", "energy", "voltage", "volume", "length", "area", "count", "mass", "other"]

# surface spelling → (canonical unit of units.csv, quantity). Longest spellings are tried first.
UNIT_WORDS: dict[str, tuple[str, Quantity]] = {
    "GWh": ("GWh", "energy"),
    "MWh": ("MWh", "energy"),
    "kWh": ("kWh", "energy"),
    "亿千瓦时": ("亿kWh", "energy"),
    "万千瓦时": ("万kWh", "energy"),
    "兆瓦时": ("MWh", "energy"),
    "千瓦时": ("kWh", "energy"),
    "GW": ("GW", "power"),
    "MW": ("MW", "power"),
    "kW": ("kW", "power"),
    "万千瓦": ("万kW", "power"),
    "吉瓦": ("GW", "power"),
    "兆瓦": ("MW", "power"),
    "千瓦": ("kW", "power"),
    "kV": ("kV", "voltage"),
    "千伏": ("kV", "voltage"),
    "万水立方": ("万m3", "volume"),
    "万立方米": ("万m3", "volume"),
    "万方": ("万m3", "volume"),
    "亿立方米": ("亿m3", "volume"),
    "水立方": ("m3", "volume"),
    "立方米": ("m3", "volume"),
    "万吨": ("万t", "mass"),
    "吨": ("t", "mass"),
    "公里": ("km", "length"),
    "km": ("km", "length"),
    "万平方米": ("万m2", "area"),
    "平方米": ("m2", "area"),
}

_UNIT_ALT = "|".join(re.escape(w) for w in sorted(UNIT_WORDS, key=len, reverse=True))
_PATTERN = re.compile(
    r"(?<![\d.])"
    r"(?:(?P<count>\d+)\s*[×xX*]\s*)?"
    r"(?P<sign>±)?"
    r"(?P<value>\d+(?:\.\d+)?)\s*"
    r"(?P<unit>" + _UNIT_ALT + r")"
    r"(?![A-Za-z])"
    r"(?P<cls>级)?"
)


def parse_capacities(name: str) -> list[Capacity]:
    """Every capacity stated in `name`, in the order written; [] when it states none."""
    found: list[Capacity] = []
    for m in _PATTERN.finditer(name):
        unit, quantity = UNIT_WORDS[m.group("unit")]
        count = int(m.group("count")) if m.group("count") else 1
        found.append(
            Capacity(
                quantity=quantity,
                value=float(m.group("value")),
                unit=unit,
                count=count,
                approximate=m.group("cls") is not None,
                text=m.group(0),
            )
        )
    return found


def total(capacity: Capacity) -> float:
    """The stated capacity times the number of identical units (2×400 MW → 800, in `capacity.unit`)."""
    return capacity.value * capacity.count
