"""One value of a data record with its lineage: what the parsing of a file (statistics/parse.py) and
the checks of the enterprise kinds (enterprise/validate.py) give, and what a published row
(services/published.PublishedRow) extends with its record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

FLAGS = ("published", "estimated", "sample")  # what a value is: StatRow.flag


@dataclass(frozen=True)
class StatRow:
    """One value of a data record. Balance: key = sector code, field = fuel code; series: key =
    indicator code, field = "value"; enterprise kinds: key = USCC (annual, register) or USCC/MM
    (monthly), field = item or register column. `unit` as given (the engines convert)."""

    key: str
    field: str
    region: str
    year: int
    value: float
    unit: str
    flag: str
    source: str
    method: str
    location: str
    text: str = ""  # a text value (an enterprise register's name, industry …; a meter's attributes)


def line_row(
    line: Mapping[str, str],
    default_source: str,
    location: str,
    key: str,
    field: str,
    region: str,
    year: int,
    value: float,
    unit: str,
    flag: str,
    text: str = "",
) -> StatRow:
    """The StatRow of a value read from one `line` of an import at `location`: its source and method are
    the line's own if it gives them, else the file's `default_source` and no method."""
    source, method = line.get("source") or default_source, line.get("method") or ""
    return StatRow(key, field, region, year, value, unit, flag, source, method, location, text)


def balance_row(r: StatRow) -> dict[str, str]:
    """An energy-balance value in the accounting layout (accounting/balance.py): region, year,
    sector, fuel, quantity (exact: repr), unit."""
    return {
        "region": r.region,
        "year": str(r.year),
        "sector": r.key,
        "fuel": r.field,
        "quantity": repr(r.value),
        "unit": r.unit,
    }


__all__ = ["StatRow", "balance_row"]
