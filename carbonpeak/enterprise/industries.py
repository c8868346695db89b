"""Industries (GB/T 4754-2017 divisions of mining, manufacturing and utilities) and the city
inventory's sectors each covers: data/industries.csv (code, name_zh, name_en, inventory_sectors,
source).

    industries() -> {division: Industry}
    division_of(code) -> str | None     "31" for "31" or "3110" (a class of a known division); None if unknown
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

INDUSTRIES_FILE = Path(__file__).with_name("data") / "industries.csv"


@dataclass(frozen=True)
class Industry:
    code: str
    name_zh: str
    name_en: str
    inventory_sectors: tuple[str, ...]
    source: str


@cache
def industries() -> dict[str, Industry]:
    with INDUSTRIES_FILE.open(encoding="utf-8") as f:
        return {
            r["code"]: Industry(
                r["code"], r["name_zh"], r["name_en"], tuple(r["inventory_sectors"].split()), r["source"]
            )
            for r in csv.DictReader(f)
        }


def division_of(code: str) -> str | None:
    """The division (大类, two digits) of a division or class (小类, four digits) code; None if the
    code is not of that form or its division is not in the table."""
    code = code.strip()
    if len(code) not in (2, 4) or not code.isdigit():
        return None
    return code[:2] if code[:2] in industries() else None


__all__ = ["Industry", "division_of", "industries"]
