"""Render a report — a list of sections of tables, text and charts — as HTML, PDF or XLSX.

The services (services/reports.py) build a `Report` in one language; the same `Report` gives the
HTML page (Jinja2 template `templates/report.html`), the PDF (WeasyPrint on that HTML, Noto Sans CJK
from the Debian package fonts-noto-cjk) and the XLSX workbook (openpyxl, one sheet per table), so the
three formats carry the same figures.

Cell formats: `int` (1,234), `1` and `2` (decimals), `pct` (a fraction shown as 92.5 %), `text`.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).with_name("templates")
Cell = str | int | float | None

_HTML_FORMATS = {"int": "{:,.0f}", "1": "{:,.1f}", "2": "{:,.2f}", "pct": "{:.1%}"}
_XLSX_FORMATS = {"int": "#,##0", "1": "#,##0.0", "2": "#,##0.00", "pct": "0.0%"}


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


def format_cell(value: Cell, fmt: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, int | float) and fmt in _HTML_FORMATS:
        return _HTML_FORMATS[fmt].format(value)
    return str(value)


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    env.filters["cell"] = format_cell
    return env


def render_html(report: Report) -> str:
    return _environment().get_template("report.html").render(report=report)


def render_pdf(report: Report) -> bytes:
    """PDF bytes of the report's HTML (WeasyPrint; fonts resolved through fontconfig)."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=render_html(report), base_url=str(TEMPLATES)).write_pdf()
    return pdf


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", name)[:28] or "Sheet"
    out, n = base, 2
    while out in used:
        out, n = f"{base[:26]}-{n}", n + 1
    used.add(out)
    return out


def render_xlsx(report: Report) -> bytes:
    """An XLSX workbook: a cover sheet with title and metadata, then one sheet per table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    cover = wb.active
    assert cover is not None
    cover.title = "README"
    cover.append([report.title])
    cover["A1"].font = Font(bold=True, size=14)
    if report.banner:
        cover.append([report.banner])
    for k, v in report.meta:
        cover.append([k, v])
    used = {"README"}
    for section in report.sections:
        for table in section.tables:
            ws = wb.create_sheet(_sheet_name(table.sheet or table.caption or section.title, used))
            ws.append([section.title + (f" — {table.caption}" if table.caption else "")])
            ws["A1"].font = Font(bold=True)
            ws.append(table.columns)
            for cell in ws[2]:
                cell.font = Font(bold=True)
            for row in table.rows:
                ws.append(list(row))
                for i, cell in enumerate(ws[ws.max_row]):
                    number_format = _XLSX_FORMATS.get(table.fmt(i))
                    if number_format and isinstance(cell.value, int | float):
                        cell.number_format = number_format
            for i, col in enumerate(table.columns, start=1):
                letter = ws.cell(row=2, column=i).column_letter
                ws.column_dimensions[letter].width = max(10, min(50, 2 * len(str(col)) + 4))
    for sheet in wb.worksheets:  # openpyxl makes text starting with "=" a formula; a report holds none
        for line in sheet.iter_rows():
            for cell in line:
                if cell.data_type == "f":
                    cell.data_type = "s"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def render(report: Report, fmt: str) -> bytes:
    """The report as bytes in `fmt` (html, pdf or xlsx)."""
    if fmt == "html":
        return render_html(report).encode("utf-8")
    if fmt == "pdf":
        return render_pdf(report)
    if fmt == "xlsx":
        return render_xlsx(report)
    raise ValueError(f"unknown report format {fmt!r}")


def as_dict(report: Report) -> dict[str, Any]:
    """A JSON-ready view (the API's twin of the HTML page); charts left out."""
    return {
        "kind": report.kind,
        "lang": report.lang,
        "title": report.title,
        "banner": report.banner,
        "meta": [list(m) for m in report.meta],
        "sections": [
            {
                "id": s.id,
                "title": s.title,
                "paragraphs": s.paragraphs,
                "tables": [{"caption": t.caption, "columns": t.columns, "rows": t.rows} for t in s.tables],
            }
            for s in report.sections
        ],
    }
