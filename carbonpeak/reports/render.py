"""Render a report — a list of sections of tables, text and charts — as HTML, PDF, DOCX or XLSX.

The services (services/reports.py) build a `Report` in one language; the same `Report` gives the
HTML page (Jinja2 template `templates/report.html`), the PDF (WeasyPrint on that HTML, Noto Sans CJK
from the Debian package fonts-noto-cjk), the DOCX document (word.py, python-docx: offices edit in
Word) and the XLSX workbook (openpyxl, one sheet per table: numbers as numbers, a filter on the
header row, the header frozen), so the four formats carry the same figures.

A report is laid out as a government document (公文): issuing body and document number (文号, a
placeholder the office fills in), the title, the addressee, numbered sections (一、二、…), and the
issuing body with the date at the end. Tables take their column widths from layout.py: no column is
narrower than its header, and a table too wide for a portrait page goes on a landscape page.

Cell formats: `int` (1,234), `1` and `2` (decimals), `pct` (a fraction shown as 92.5 %), `text`.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from carbonpeak.reports.model import Report, format_cell, table_view

TEMPLATES = Path(__file__).with_name("templates")
_XLSX_FORMATS = {"int": "#,##0", "1": "#,##0.0", "2": "#,##0.00", "pct": "0.0%"}


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    env.filters["cell"] = format_cell
    env.globals["view"] = table_view
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
    """An XLSX workbook: a cover sheet with title and metadata, then one sheet per table (row 1 the
    section title, row 2 the header with a filter, frozen below it; numbers stay numbers)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    cover = wb.active
    assert cover is not None
    cover.title = "README"
    cover.append([report.title])
    cover["A1"].font = Font(bold=True, size=14)
    for line in (report.banner, report.issuer, report.doc_number):
        if line:
            cover.append([line])
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
            if table.columns:
                last = ws.cell(row=2, column=len(table.columns)).column_letter
                ws.auto_filter.ref = f"A2:{last}{max(2, ws.max_row)}"
                ws.freeze_panes = "A3"
    for sheet in wb.worksheets:  # openpyxl makes text starting with "=" a formula; a report holds none
        for line in sheet.iter_rows():
            for cell in line:
                if cell.data_type == "f":
                    cell.data_type = "s"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def render(report: Report, fmt: str) -> bytes:
    """The report as bytes in `fmt` (html, pdf, docx or xlsx)."""
    if fmt == "html":
        return render_html(report).encode("utf-8")
    if fmt == "pdf":
        return render_pdf(report)
    if fmt == "docx":
        from carbonpeak.reports.word import render_docx

        return render_docx(report)
    if fmt == "xlsx":
        return render_xlsx(report)
    raise ValueError(f"unknown report format {fmt!r}")


def tables_with_broken_headers(report: Report, text: str) -> list[str]:
    """The tables of `report` whose header row is on no single line of `text` (the PDF's
    `pdftotext -layout` output): a header broken over lines leaves no line with all headers in
    order. Empty when every table's headers are whole — the check the report tests share."""
    lines = text.splitlines()
    broken = []
    for section in report.sections:
        for table in section.tables:
            heads = [re.escape(c) for c in table.columns if c]
            if not table.rows or not heads:
                continue
            pattern = re.compile(r"\s+".join(heads))
            if not any(pattern.search(line) for line in lines):
                broken.append(f"{section.title}: {' | '.join(table.columns)}")
    return broken


def as_dict(report: Report) -> dict[str, Any]:
    """A JSON-ready view (the API's twin of the HTML page); charts left out."""
    return {
        "kind": report.kind,
        "lang": report.lang,
        "title": report.title,
        "issuer": report.issuer,
        "doc_number": report.doc_number,
        "addressee": report.addressee,
        "date": report.date,
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
