"""Layout of a collection template, shared by the writer (templates.py) and the reader (parse.py).

Every data sheet has the same frame:

    row 1   identity: A1 the sheet name, then label/value pairs
            单位代码 | code | 年度 | year | 填报轮次 | round | 模板版本 | version
    row 2   column headers in Chinese
    row 3   the same headers in English
    row 4…  one row per indicator / task / project of the spec

Row 1 travels with a sheet saved as CSV, so a CSV upload names its sheet and its unit and period.
The workbook also holds a very hidden sheet `_meta` with the same identity as key/value rows.
Labels come from the i18n catalogue (keys `collection.col.<sheet>.<column>`).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from carbonpeak.i18n import t
from carbonpeak.validation import column_letter as column_letter  # L.column_letter for the readers

TEMPLATE_VERSION = "1"
TEMPLATE_MARK = "carbonpeak.collection"

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

COLUMNS: dict[str, tuple[Column, ...]] = {
    INDICATORS: (
        Column("indicators", "code", False, 22),
        Column("indicators", "name", False, 36),
        Column("indicators", "unit", True, 12),
        Column("indicators", "value", True, 14),
        Column("indicators", "previous", False, 14),
        Column("indicators", "range", False, 16),
        Column("indicators", "required", False, 8),
        Column("indicators", "comment", True, 40),
    ),
    TASKS: (
        Column("tasks", "code", False, 10),
        Column("tasks", "title", False, 36),
        Column("tasks", "role", False, 8),
        Column("tasks", "status", True, 10),
        Column("tasks", "percent", True, 10),
        Column("tasks", "narrative", True, 48),
        Column("tasks", "next_steps", True, 36),
        Column("tasks", "evidence", True, 24),
        Column("tasks", "comment", True, 30),
    ),
    PROJECTS: (
        Column("projects", "code", False, 10),
        Column("projects", "name", False, 40),
        Column("projects", "planned", False, 14),
        Column("projects", "status", True, 10),
        Column("projects", "capacity", True, 12),
        Column("projects", "capacity_unit", True, 10),
        Column("projects", "start_date", True, 12),
        Column("projects", "operation_date", True, 12),
        Column("projects", "comment", True, 30),
    ),
}


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
