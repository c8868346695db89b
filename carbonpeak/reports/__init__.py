"""Reports (annual progress, mid-term assessment, dispatch notice) as HTML, PDF and XLSX.

    render.py     Report/Section/Table → HTML (Jinja2), PDF (WeasyPrint, Noto Sans CJK), XLSX (openpyxl)
    charts.py     small inline SVG bar charts
    templates/    report.html (labels in zh and en through the i18n catalogue)

The content of each report is assembled in carbonpeak/services/reports.py.
"""
