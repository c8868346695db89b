"""One value of a data record with its lineage: what the parsing of a file (statistics/parse.py) and
the checks of the enterprise kinds (enterprise/validate.py) give, and what a published row
(services/published.PublishedRow) extends with its record."""

from __future__ import annotations

from dataclasses import dataclass


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
