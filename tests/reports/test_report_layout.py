"""Reports as official documents: tables that fit the page with every header on one line (checked
on the PDF with pdftotext), the 公文 head and signature, DOCX and XLSX with numbers as numbers."""

import io
import shutil
import subprocess

import pytest
from docx import Document
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from carbonpeak.reports.layout import (
    FONT_PT,
    LANDSCAPE_MM,
    PADDING_EM,
    PORTRAIT_MM,
    PT_PER_MM,
    table_layout,
    text_width,
)
from carbonpeak.reports.model import Report, table_view
from carbonpeak.reports.render import render_pdf, render_xlsx, tables_with_broken_headers
from carbonpeak.services.reports import build_report

NEEDS_POPPLER = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")


def _annual(small_plan, bundle, scheme, results, lang):
    return build_report("annual", small_plan, bundle, year=2024, lang=lang, scheme=scheme, results=results)


def test_text_width_counts_cjk_as_one_em():
    assert text_width("目标年") == 3.0
    assert text_width("目标年") > text_width("ab1")


def _room_em(layout) -> float:
    return (LANDSCAPE_MM if layout.landscape else PORTRAIT_MM) * PT_PER_MM / layout.font_pt


def test_a_column_is_never_narrower_than_its_header():
    columns = ["指标", "目标年", "目标值", "单位", "数据年份", "状态"]
    cells = [["单位地区生产总值二氧化碳排放降低" * 3, "2025", "6,000.00", "万kW", "2024", "存在风险"]]
    layout = table_layout(columns, cells, [False, False, True, False, False, False])
    assert not layout.landscape and layout.font_pt == FONT_PT
    room = _room_em(layout)
    for i, header in enumerate(columns):
        assert layout.shares[i] * room >= text_width(header) + PADDING_EM, header
    assert layout.shares[3] * room >= text_width("万kW") + PADDING_EM  # a short value does not wrap
    assert layout.shares[0] == max(layout.shares)  # the long text column takes what is left


@given(st.lists(st.text(alphabet="指标目标值abcXYZ 12%", min_size=1, max_size=40), min_size=1, max_size=16))
def test_shares_sum_to_one_and_hold_every_header(headers):
    layout = table_layout(headers, [["1"] * len(headers)], [False] * len(headers))
    assert sum(layout.shares) == pytest.approx(1.0)
    room = _room_em(layout)
    if layout.font_pt > 6.0:  # below the smallest font a table may not fit; above it every header does
        for share, header in zip(layout.shares, headers, strict=True):
            assert share * room >= text_width(header) * 1.05 + PADDING_EM - 1e-9


def test_a_wide_table_goes_landscape():
    columns = [f"很长的列标题第{i}列" for i in range(8)]
    layout = table_layout(columns, [["1"] * 8], [True] * 8)
    assert layout.landscape


def _pdf_text(report: Report, tmp_path) -> str:
    path = tmp_path / f"{report.kind}-{report.lang}.pdf"
    path.write_bytes(render_pdf(report))
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@NEEDS_POPPLER
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pdf_headers_on_one_line_and_the_document_head(small_plan, bundle, scheme, results, tmp_path, lang):
    report = _annual(small_plan, bundle, scheme, results, lang)
    text = _pdf_text(report, tmp_path)
    assert tables_with_broken_headers(report, text) == []
    assert (report.doc_number and report.doc_number.split("×")[-1] in text) or "No." in text
    if lang == "zh":
        assert "〔2025〕" in text and "2025年3月1日" in text  # 文号 placeholder, the date signed
        assert "一、目标进展" in text
    else:
        assert "No. ____ (2025)" in text and "1. Targets" in text


def test_xlsx_numbers_filters_and_frozen_headers(small_plan, bundle, scheme, results):
    report = _annual(small_plan, bundle, scheme, results, "zh")
    wb = load_workbook(io.BytesIO(render_xlsx(report)))
    ws = wb["targets"]
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == f"A2:I{ws.max_row}"
    row = next(r for r in ws.iter_rows(min_row=3, values_only=True) if r[4] is not None)
    assert isinstance(row[4], float) and isinstance(row[7], float)  # actual and completion, numbers
    for sheet in wb.worksheets[1:]:
        assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref, sheet.title


def test_docx_has_the_head_sections_and_every_table(small_plan, bundle, scheme, results):
    from carbonpeak.reports.render import render

    report = _annual(small_plan, bundle, scheme, results, "zh")
    doc = Document(io.BytesIO(render(report, "docx")))
    texts = [p.text for p in doc.paragraphs if p.text]
    assert texts[0] == (report.issuer or report.doc_number) and report.doc_number in texts
    assert report.title in texts and texts[-1] == "2025年3月1日"
    for section in report.sections:
        assert section.title in texts
    tables = [t for s in report.sections for t in s.tables]
    assert len(doc.tables) == len(tables)
    for table, grid in zip(tables, doc.tables, strict=True):
        assert [c.text for c in grid.rows[0].cells] == table.columns
        assert len(grid.rows) == len(table.rows) + 1
        view = table_view(table)
        for cells, row in zip(view.cells, grid.rows[1:], strict=True):
            assert [c.text for c in row.cells] == cells  # the same formatted figures as the PDF
