"""National carbon market (全国碳排放权交易) compliance per enterprise and compliance period (pure).

    periods() -> tuple[Period, ...]        data/ets-periods.csv (period, first_year, last_year, source)
    compliance(rows) -> list[Compliance]   verified emissions vs allowances allocated and surrendered

A period is settled (`compliant`) when allowances surrendered ≥ verified emissions of its years;
`shortfall` when fewer were surrendered; `open` when no surrender is reported yet; `incomplete` when
a year of the period has no verified emissions. Surplus = allocated − verified (t CO2; negative: the
enterprise had to buy). docs/methods/enterprise.md#ets.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PERIODS_FILE = Path(__file__).with_name("data") / "ets-periods.csv"
STATUSES = ("compliant", "shortfall", "open", "incomplete")


@dataclass(frozen=True)
class Period:
    code: str
    first_year: int
    last_year: int
    source: str


@cache
def periods() -> tuple[Period, ...]:
    with PERIODS_FILE.open(encoding="utf-8") as f:
        return tuple(
            Period(r["period"], int(r["first_year"]), int(r["last_year"]), r["source"])
            for r in csv.DictReader(f)
        )


@dataclass(frozen=True)
class EtsYear:
    """One enterprise-year: t CO2; None where not reported."""

    uscc: str
    year: int
    allocated: float | None
    verified: float | None
    surrendered: float | None
    flag: str = "published"


@dataclass(frozen=True)
class Compliance:
    uscc: str
    period: str
    allocated_t: float
    verified_t: float
    surrendered_t: float | None
    surplus_t: float
    status: str
    flag: str


def compliance(rows: Iterable[EtsYear]) -> list[Compliance]:
    """One row per enterprise and compliance period with any ETS figure, ordered by enterprise, period."""
    from carbonpeak.indicators.series import weakest_flag

    by: dict[tuple[str, str], list[EtsYear]] = {}
    period_of = {y: p for p in periods() for y in range(p.first_year, p.last_year + 1)}
    for r in rows:
        p = period_of.get(r.year)
        if p is not None:
            by.setdefault((r.uscc, p.code), []).append(r)
    order = {p.code: i for i, p in enumerate(periods())}
    out = []
    for (uscc, code), years in sorted(by.items(), key=lambda kv: (kv[0][0], order[kv[0][1]])):
        p = next(p for p in periods() if p.code == code)
        have = {r.year for r in years if r.verified is not None}
        allocated = sum(r.allocated or 0.0 for r in years)
        verified = sum(r.verified or 0.0 for r in years)
        given = [r.surrendered for r in years if r.surrendered is not None]
        surrendered = sum(given) if given else None
        if have != set(range(p.first_year, p.last_year + 1)):
            status = "incomplete"
        elif surrendered is None:
            status = "open"
        else:
            status = "compliant" if surrendered >= verified else "shortfall"
        out.append(
            Compliance(
                uscc,
                code,
                allocated,
                verified,
                surrendered,
                allocated - verified,
                status,
                weakest_flag([r.flag for r in years]),
            )
        )
    return out


__all__ = ["STATUSES", "Compliance", "EtsYear", "Period", "compliance", "periods"]
