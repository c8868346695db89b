"""Layout of a collection template, shared by the writer (templates.py) and the reader (parse.py).

Every data sheet has the same frame:

    row 1   identity: A1 the sheet name, then label/value pairs
            单位代码 | code | 年度 | year | 填报轮次 | round | 模板版本 | version
    row 2   column headers in Chinese
    row 3   the same headers in English
    row 4…  one row per indicator / task / project of the spec

Row 1 travels with a sheet saved as CSV, so a CSV upload names its sheet and its unit and period.
The workbook also holds a very hidden sheet `_meta` with the same identity as key/value rows.
The columns of each data sheet (key, filled in by the user or not, width) are data: data/columns.csv.
Labels come from the i18n catalogue (keys `collection.col.<sheet>.<column>`).
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from carbonpeak.i18n import t
from carbonpeak.validation import column_letter as column_letter  # L.column_letter for the readers

TEMPLATE_VERSION = "1"
TEMPLATE_MARK = "carbonpeak.collection"
COLUMNS_FILE = Path(__file__).with_name("data") / "columns.csv"

INSTRUCTIONS = "说明"
INDICATORS = "指标"
TASKS = "任务进展"
PROJECTS = "重点项目"
META = "_meta"
DATA_SHEETS = (INDICATORS, TASKS, PROJECTS)

IDENTITY_ROW = 1
HEADER_ROW = 2
HEADER_EN_ROW = 3
FIRST_DATA_ROW = 4

# keys of the identity, in the order of row 1 (after the sheet name) and of the _meta sheet
IDENTITY_KEYS = ("unit_code", "year", "round_code", "template_version")
META_KEYS = ("template", "unit_code", "unit_name_zh", "year", "round_code", "template_version", "plan_code")


@dataclass(frozen=True)
class Column:
    """A column of a data sheet: `key` in code, labels from the catalogue, `input` if the user fills it."""

    sheet_key: str
    key: str
    input: bool
    width: int = 14

    @property
    def zh(self) -> str:
        return t(f"collection.col.{self.sheet_key}.{self.key}", "zh")

    @property
    def en(self) -> str:
        return t(f"collection.col.{self.sheet_key}.{self.key}", "en")


SHEET_KEYS = {INDICATORS: "indicators", TASKS: "tasks", PROJECTS: "projects"}


def _columns() -> dict[str, tuple[Column, ...]]:
    """The columns of each data sheet from data/columns.csv (sheet key, column key, input yes/no, width)."""
    with COLUMNS_FILE.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {
        sheet: tuple(
            Column(key, r["key"], r["input"] == "yes", int(r["width"])) for r in rows if r["sheet"] == key
        )
        for sheet, key in SHEET_KEYS.items()
    }


COLUMNS: dict[str, tuple[Column, ...]] = _columns()


def column_index(sheet: str, key: str) -> int:
    """0-based position of column `key` in `sheet`."""
    for n, col in enumerate(COLUMNS[sheet]):
        if col.key == key:
            return n
    raise KeyError(key)


def identity_labels() -> dict[str, str]:
    """Chinese label shown before each identity value in row 1."""
    return {key: t(f"collection.identity.{key}", "zh") for key in IDENTITY_KEYS}


def normalise_label(text: object) -> str:
    """A header as compared: NFKC (full-width → half-width), no whitespace, lower case."""
    if text is None:
        return ""
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).lower()


def location(sheet: str, row: int, column: str) -> str:
    """`sheet!row:column` with a 1-based row and the column's Chinese header."""
    return f"{sheet}!{row}:{column}"
