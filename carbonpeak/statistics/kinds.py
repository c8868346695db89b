"""The registry of data kinds (kinds.yaml), validated at load."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from carbonpeak import yaml_loader
from carbonpeak.errors import InputError
from carbonpeak.metering.register import COLUMNS as METER_COLUMNS
from carbonpeak.validation import problem

KINDS_FILE = Path(__file__).with_name("kinds.yaml")


# the columns of a file of each long layout (statistics/parse.py reads them)
LONG_COLUMNS = {
    "balance": ("region", "year", "sector", "fuel", "quantity", "unit"),
    "series": ("indicator", "region", "year", "value", "unit"),
    # the enterprise kinds (carbonpeak/enterprise/validate.py checks their rows)
    "register": (
        "uscc",
        "year",
        "name_zh",
        "name_en",
        "industry",
        "district",
        "key_energy_unit",
        "ets",
        "lianggao",
    ),
    "enterprise": ("uscc", "year", "item", "value", "unit"),
    "monthly": ("indicator", "region", "year", "month", "value", "unit"),
    "meters": (*METER_COLUMNS, "year"),  # metering/register.py (docs/methods/metering.md)
    # metering/monthly.py checks the rows
    "unit_month": ("uscc", "energy_kind", "month", "quantity", "unit", "completeness"),
}


class DataKind(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    name_zh: str
    name_en: str
    layout: Literal["balance", "series", "register", "enterprise", "monthly", "meters", "unit_month"]
    indicators: dict[str, str] = {}
    any_target_indicator: bool = False
    tolerance: float = 0.02
    monthly: bool = False  # layout enterprise: rows carry a month (1-12)


@cache
def data_kinds() -> dict[str, DataKind]:
    raw = yaml_loader.safe_load(KINDS_FILE.read_text(encoding="utf-8"))
    return {code: DataKind(code=code, **spec) for code, spec in raw.items()}


def kind_of(code: str) -> DataKind:
    """The kind named `code`; InputError naming the known kinds otherwise."""
    kinds = data_kinds()
    if code not in kinds:
        known = ", ".join(kinds)
        raise InputError(
            f"unknown data kind {code!r} (known: {known})",
            [problem("KIND", "data.kind", code=code, known=known)],
            message_zh=f"未知数据类型“{code}”",
        )
    return kinds[code]
