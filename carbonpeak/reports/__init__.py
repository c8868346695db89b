"""Reports (annual progress, mid-term assessment, dispatch notice) as HTML, PDF, DOCX and XLSX.

    model.py      Report/Section/Table and table_view (formatted cells, column layout), for every renderer
    render.py     a Report → HTML (Jinja2), PDF (WeasyPrint, Noto Sans CJK), XLSX (openpyxl)
    word.py       the same Report → DOCX (python-docx), the 公文 layout for editing in Word
    layout.py     column widths: no column narrower than its header; landscape for wide tables
    charts.py     small inline SVG bar charts
    templates/    report.html (labels in zh and en through the i18n catalogue)

The content of each report is assembled in carbonpeak/services/reports.py.
"""
