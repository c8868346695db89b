"""The validation rules of an upload: codes, what each checks, and how a cell's text becomes a value.

Every problem an upload can have is one rule of `RULES`; its zh and en messages live in the
catalogue under `collection.rule.<code>` with `{placeholders}`; docs/methods/collection.md holds
the table `rules_table()` prints (a test keeps the two equal). `problem(code, location, …)` builds
the `Problem`. Cell readers (`read_number`, `read_date`, `read_status`) return a value or raise
`CellFault` naming the rule.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from carbonpeak import validation
from carbonpeak.errors import Problem
from carbonpeak.i18n import t


@dataclass(frozen=True)
class Rule:
    code: str
    checks: str  # what the rule checks, for the docs
    severity: str = "error"


RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule("file.empty", "the file has no bytes (or a CSV has no rows)"),
        Rule("file.too_large", "the file is larger than the limit passed in"),
        Rule("file.type", "the file name ends in .xlsx or .csv"),
        Rule("file.legacy_xls", "the bytes are an OLE2 file (.xls, or a password-encrypted workbook)"),
        Rule("file.not_zip", "a file named .xlsx is a zip archive (checked on the bytes, before any parser)"),
        Rule("file.not_xlsx", "the zip holds a workbook: [Content_Types].xml and xl/workbook.xml"),
        Rule(
            "file.zip_bomb",
            "declared uncompressed size and member count are within the limits (read from the zip "
            "directory before anything is decompressed)",
        ),
        Rule(
            "file.inflated_size",
            "the members of a workbook inflate to no more than the limit, counted while inflating "
            "(whatever sizes the zip declares)",
        ),
        Rule(
            "file.xml_entities",
            "no part that parses as XML (whatever its name or encoding) declares a DTD or entities",
        ),
        Rule("file.unreadable", "the workbook opens (no corrupt member, no checksum mismatch); a CSV parses"),
        Rule("file.encoding", "a CSV decodes as UTF-8 (with or without BOM) or GBK/GB18030"),
        Rule("sheet.rows", "a sheet has no more rows than the limit (checked while streaming its XML)"),
        Rule("sheet.extent", "every cell and merged range lies within the limit's rows and columns"),
        Rule("cell.too_long", "a cell's text is no longer than the limit (Excel's own: 32,767 characters)"),
        Rule("structure.sheet_missing", "the workbook has the sheets of the template"),
        Rule(
            "structure.metadata_missing",
            "the template identity (hidden _meta sheet, or row 1 of a CSV) is present",
        ),
        Rule("structure.metadata_mismatch", "the file belongs to this unit, year and round"),
        Rule("structure.template_version", "the template version is the current one"),
        Rule("structure.csv_sheet", "cell A1 of a CSV names a data sheet (指标, 任务进展, 重点项目)"),
        Rule("structure.header", "each header cell of row 2 is the template's header for that column"),
        Rule("structure.columns_shifted", "a header of the template stands in its own column, not another"),
        Rule("structure.data_outside_columns", "no value lies right of the last column of the template"),
        Rule("structure.merged_cells", "no merged cells in the data area (row 2 and below)"),
        Rule("structure.row_code_missing", "a row with values has its code"),
        Rule("structure.row_unknown", "a row's code is one of the spec's rows"),
        Rule("structure.row_duplicate", "a code appears in one row only"),
        Rule("cell.formula", "input cells hold typed values, not formulas"),
        Rule("cell.type", "a number cell holds a finite number (NaN and infinity are refused)"),
        Rule(
            "cell.formula_text",
            "a text cell does not begin with = + - @ (a spreadsheet would read it as a formula; "
            "exports neutralise it)",
            "warning",
        ),
        Rule("cell.date", "a date cell holds a date (YYYY-MM-DD, YYYY/M/D, YYYY年M月D日 or a month YYYY-MM)"),
        Rule("value.range", "a value lies in the indicator's valid range (after unit conversion)"),
        Rule("value.percent", "a percent complete lies in 0–100"),
        Rule("unit.unknown", "the unit is in the unit table"),
        Rule("unit.incompatible", "the unit converts to the row's unit (same dimension)"),
        Rule("status.unknown", "a status is one of the drop-down list's (Chinese label or English code)"),
        Rule("required.missing", "a required row has its value (indicators) or status and percent (tasks)"),
        Rule("consistency.parts_sum", "parts sum to their total within the spec's relative tolerance"),
        Rule("consistency.status_percent", "未开始 has 0 %, 已完成 has 100 %, other statuses lie between"),
        Rule("consistency.project_capacity", "only a project 已投运 has a capacity in operation"),
        Rule("consistency.operation_date", "a project 已投运 has an operation date"),
        Rule("consistency.dates", "the operation date is not before the start date"),
        Rule(
            "yoy.jump",
            "the change against last year's value is within the threshold, else a comment is needed",
            "warning",
        ),
        Rule(
            "project.above_plan",
            "capacity in operation does not exceed the plan's capacity, else a comment is needed",
            "warning",
        ),
    )
}


def problem(code: str, location: str, value: object = None, **fields: object) -> Problem:
    """The Problem of rule `code` at `location`, messages filled from the catalogue with `fields`."""
    key = f"collection.rule.{code}"
    return validation.problem(location, code, value, text_key=key, severity=RULES[code].severity, **fields)


def rules_table() -> str:
    """The Markdown table of every rule: code, what it checks, severity, zh and en message."""
    lines = [
        "| rule | what it checks | severity | message (zh) | message (en) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in RULES.values():
        key = f"collection.rule.{rule.code}"
        zh, en = (t(key, lang).replace("|", "\\|") for lang in ("zh", "en"))
        lines.append(f"| `{rule.code}` | {rule.checks} | {rule.severity} | {zh} | {en} |")
    return "\n".join(lines)


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    """True for text a spreadsheet would evaluate when opened from a CSV (CSV/formula injection)."""
    return text.startswith(FORMULA_PREFIXES)


def neutralised(value: object) -> object:
    """`value` safe to write into a CSV cell: text that looks like a formula gets a leading apostrophe
    (Excel, LibreOffice and WPS then show it as text); anything else unchanged."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


class CellFault(Exception):
    """A cell that cannot be read as its column's type: `rule` names the rule it breaks."""

    def __init__(self, rule: str) -> None:
        super().__init__(rule)
        self.rule = rule


def is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def text_of(raw: object) -> str | None:
    """A text cell as stripped text; None when blank. Numbers and dates become their text."""
    if is_blank(raw):
        return None
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat()
    return str(raw).strip()


_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(\D|$))")


def read_number(raw: object, *, percent: bool = False) -> float | None:
    """A number cell as a float; None when blank. Text is accepted when it is a plain number
    (full-width digits, thousands separators and, for `percent` columns, a trailing % allowed)."""
    if is_blank(raw):
        return None
    if isinstance(raw, bool | dt.date | dt.time | dt.timedelta):
        raise CellFault("cell.type")
    if isinstance(raw, int | float):
        value = float(raw)
    else:
        text = unicodedata.normalize("NFKC", str(raw)).strip().replace(" ", "")
        text = _THOUSANDS.sub("", text)
        if percent and text.endswith("%"):
            text = text[:-1]
        try:
            value = float(text)
        except ValueError:
            raise CellFault("cell.type") from None
    if not math.isfinite(value):
        raise CellFault("cell.type")
    return value


_DATE_FORMS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})[-/.](\d{1,2})()$"),
    re.compile(r"^(\d{4})年(\d{1,2})月?()$"),
)


def read_date(raw: object) -> dt.date | None:
    """A date cell; None when blank. A month (2024-05, 2024年5月) reads as its first day."""
    if is_blank(raw):
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    text = text.split(" ")[0] if re.match(r"^\d{4}-\d{2}-\d{2} 00:00(:00)?$", text) else text
    for form in _DATE_FORMS:
        m = form.match(text)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3] or 1))
            except ValueError:
                raise CellFault("cell.date") from None
    raise CellFault("cell.date")


def read_status(raw: object, labels: Mapping[str, str]) -> str | None:
    """A status cell as its code (`labels` maps code → Chinese label); None when blank.
    The Chinese label, the code, and the code with spaces for underscores are accepted."""
    if is_blank(raw):
        return None
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    for code, label in labels.items():
        if text == label or text.lower() in (code, code.replace("_", " ")):
            return code
    raise CellFault("status.unknown")


def range_text(minimum: float | None, maximum: float | None) -> str:
    """A valid range as shown to users: `0–100`, `≥ 0`, `≤ 5`, or empty."""

    def fmt(x: float) -> str:
        return f"{x:g}"

    if minimum is not None and maximum is not None:
        return f"{fmt(minimum)}–{fmt(maximum)}"
    if minimum is not None:
        return f"≥ {fmt(minimum)}"
    if maximum is not None:
        return f"≤ {fmt(maximum)}"
    return ""
