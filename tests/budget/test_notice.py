"""The monthly warning notice through the report engine: PDF, DOCX and XLSX carry the engine's
figures, the barometer's level names and their reasons."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

import docx
from openpyxl import load_workbook

from carbonpeak.services.budget import budget_report
from carbonpeak.services.budget_notice import budget_notice, notice_bytes
from carbonpeak.services.plan import current_plan

ISSUED = dt.date(2026, 12, 1)


def test_the_notice_holds_the_report_figures():
    report = budget_report(2026)
    notice = budget_notice(report, current_plan(), "zh", issued=ISSUED)
    assert notice.title == "碳排放预算执行预警通报（2026年1—10月）"
    districts = notice.sections[1].tables[0]
    assert len(districts.rows) == len(report["districts"])
    first = districts.rows[0]
    worst = max(report["districts"], key=lambda d: (-d["level"], d["execution_ratio"]))
    assert first[0] == "钢城区" and first[3] == worst["execution_ratio"] and first[5] == "一级（十分严峻）"
    assert "sample" in report["flags"] and notice.banner  # sample district rows are said to be sample


def test_pdf_docx_and_xlsx(tmp_path):
    pdf = notice_bytes(2026, "pdf", issued=ISSUED)
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "n.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for words in (
        "碳排放预算执行预警通报",
        "钢城区",
        "一级（十分",
        "重点关注名单",
        "济南市碳达峰碳中和工作领导小组办公室",
    ):
        assert words in text, words
    document = docx.Document(io.BytesIO(notice_bytes(2026, "docx", lang="en", issued=ISSUED)))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Carbon budget warning notice (2026, January to month 10)" in body
    assert "Level 1 (very severe)" in body
    book = load_workbook(io.BytesIO(notice_bytes(2026, "xlsx", issued=ISSUED)))
    assert {"districts", "sectors"} <= set(book.sheetnames)
    assert isinstance(book["districts"]["B3"].value, float)  # numbers as numbers (row 1 caption, 2 header)
