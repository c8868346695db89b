"""A report as a Word document (DOCX, python-docx), laid out as the PDF: a government document (公文).

    render_docx(report) -> bytes

Issuing body and document number (文号 placeholder) at the head above a red rule, the centred title,
the addressee, numbered section headings, paragraphs indented two characters, tables with a repeated
header row and column widths from layout.py (a table too wide for portrait gets a landscape section),
and the signature block. Numbers are written formatted as on the PDF; the XLSX carries them as
numbers. Charts (inline SVG) are left out: Word cannot show SVG reliably, the figures are in the tables.
East Asian text is set in Noto Sans CJK SC (the `w:eastAsia` font), Latin in the same family.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from carbonpeak.reports.layout import LANDSCAPE_MM, PORTRAIT_MM

if TYPE_CHECKING:
    from docx.document import Document as DocumentObject
    from docx.text.run import Run

    from carbonpeak.reports.model import Report, Table

FONT = "Noto Sans CJK SC"
RED = (0xC0, 0x00, 0x00)


def _font(run: Run, *, size: float | None = None, bold: bool = False, red: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = FONT
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), FONT)
    if size:
        run.font.size = Pt(size)
    run.font.bold = bold or None
    if red:
        run.font.color.rgb = RGBColor(*RED)


def _paragraph(
    doc: DocumentObject,
    text: str,
    *,
    size: float = 10.5,
    bold: bool = False,
    center: bool = False,
    right: bool = False,
    indent: bool = False,
    red: bool = False,
) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = doc.add_paragraph()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif right:
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    _font(p.add_run(text), size=size, bold=bold, red=red)


def _red_rule(doc: DocumentObject) -> None:
    from docx.oxml.ns import qn

    p = doc.add_paragraph()
    ppr = p._p.get_or_add_pPr()
    border = ppr.makeelement(qn("w:pBdr"), {})
    bottom = border.makeelement(
        qn("w:bottom"), {qn("w:val"): "single", qn("w:sz"): "12", qn("w:space"): "1", qn("w:color"): "C00000"}
    )
    border.append(bottom)
    ppr.append(border)


def _orient(doc: DocumentObject, landscape: bool) -> None:
    """Start a new section in `landscape` (or portrait) orientation when it changes."""
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.shared import Mm

    current = doc.sections[-1]
    if (current.orientation == WD_ORIENT.LANDSCAPE) == landscape:
        return
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))


def _table(doc: DocumentObject, table: Table) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Mm

    from carbonpeak.reports.model import table_view

    view = table_view(table)
    _orient(doc, view.layout.landscape)
    if table.caption:
        _paragraph(doc, table.caption, size=10, bold=True)
    width_mm = LANDSCAPE_MM if view.layout.landscape else PORTRAIT_MM
    grid = doc.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.autofit = False
    size = min(9.0, view.layout.font_pt)
    header = grid.rows[0]
    trpr = header._tr.get_or_add_trPr()  # repeat the header row on every page
    trpr.append(trpr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"}))
    for i, col in enumerate(table.columns):
        cell = header.cells[i]
        cell.text = ""
        _font(cell.paragraphs[0].add_run(col), size=size, bold=True)
    for row in view.cells:
        cells = grid.add_row().cells
        for i, text in enumerate(row):
            cells[i].text = ""
            para = cells[i].paragraphs[0]
            if view.numeric[i]:
                from docx.enum.text import WD_ALIGN_PARAGRAPH

                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _font(para.add_run(text), size=size)
    for i, column in enumerate(grid.columns):
        w = Mm(width_mm * view.layout.shares[i])
        column.width = w
        for cell in column.cells:
            cell.width = w
    _orient(doc, False)


def render_docx(report: Report) -> bytes:
    """DOCX bytes of the report (A4, portrait; landscape sections for wide tables)."""
    from docx import Document
    from docx.shared import Mm

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(14)
    section.top_margin = section.bottom_margin = Mm(18)
    if report.issuer:
        _paragraph(doc, report.issuer, size=20, bold=True, center=True, red=True)
    if report.doc_number:
        _paragraph(doc, report.doc_number, center=True)
    _red_rule(doc)
    _paragraph(doc, report.title, size=17, bold=True, center=True)
    if report.subtitle:
        _paragraph(doc, report.subtitle, center=True)
    if report.banner:
        _paragraph(doc, report.banner, red=True)
    if report.meta:
        _paragraph(doc, "   ".join(f"{k} {v}" for k, v in report.meta), size=8.5)
    if report.addressee:
        _paragraph(doc, report.addressee)
    for sec in report.sections:
        _paragraph(doc, sec.title, size=13, bold=True)
        for text in sec.paragraphs:
            _paragraph(doc, text, indent=True)
        for table in sec.tables:
            _table(doc, table)
    if report.issuer:
        _paragraph(doc, report.issuer, right=True)
    if report.date:
        _paragraph(doc, report.date, right=True)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


__all__ = ["render_docx"]
