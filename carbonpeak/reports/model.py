"""What a report is, apart from how it is drawn: `Report` (sections of paragraphs, tables and an
inline SVG chart, in one language), `Table` with per-column formats, and `table_view` — a table's
formatted cells and column layout, shared by every renderer (render.py: HTML, PDF, XLSX; word.py:
DOCX).

Cell formats: `int` (1,234), `1` and `2` (decimals), `pct` (a fraction shown as 92.5 %), `text`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from carbonpeak.reports.layout import TableLayout, table_layout

Cell = str | int | float | None

_HTML_FORMATS = {"int": "{:,.0f}", "1": "{:,.1f}", "2": "{:,.2f}", "pct": "{:.1%}"}


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Cell]]
    formats: list[str] = field(default_factory=list)  # one per column; missing = text
    caption: str = ""
    sheet: str = ""  # XLSX sheet name (≤ 31 characters)

    def fmt(self, i: int) -> str:
        return self.formats[i] if i < len(self.formats) else "text"


@dataclass
class Section:
    id: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    chart: str = ""  # inline SVG


@dataclass
class Report:
    kind: str
    lang: str
    title: str
    subtitle: str
    meta: list[tuple[str, str]]
    sections: list[Section]
    banner: str = ""  # e.g. the sample-data warning
    issuer: str = ""  # the issuing body (发文机关), at the head and in the signature block
    doc_number: str = ""  # 文号: a placeholder the office completes
    addressee: str = ""  # 主送
    date: str = ""  # the date of the signature block


@dataclass(frozen=True)
class TableView:
    """A table as rendered: formatted cells, which columns are numbers, and the column layout."""

    cells: list[list[str]]
    numeric: list[bool]
    layout: TableLayout


def table_view(table: Table) -> TableView:
    cells = [[format_cell(v, table.fmt(i)) for i, v in enumerate(row)] for row in table.rows]
    numeric = [table.fmt(i) != "text" for i in range(len(table.columns))]
    return TableView(cells, numeric, table_layout(table.columns, cells, numeric))


def format_cell(value: Cell, fmt: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, int | float) and fmt in _HTML_FORMATS:
        return _HTML_FORMATS[fmt].format(value)
    return str(value)
