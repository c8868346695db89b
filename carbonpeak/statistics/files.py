"""Files a user downloads: the energy-balance template and XLSX exports (numbers as numbers)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from carbonpeak.accounting import factors
from carbonpeak.statistics.tables import BALANCE_SHEET


def _neutral(v: Any) -> Any:
    """Text that a spreadsheet would run as a formula is kept as text (a leading apostrophe)."""
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@"):
        return "'" + v
    return v


def balance_template() -> bytes:
    """Sheet 能源平衡表: A1 `sector`, row 1 fuel codes, row 2 their units, column A the sector codes
    (supply, transformation, final use, losses; accounting/data/sectors.csv) and column B-… blank;
    sheet 说明 with the names of the codes."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = BALANCE_SHEET
    fuels = list(factors.fuels().values())
    sectors = list(factors.sectors().values())
    ws.append(["sector", *[f.code for f in fuels]])
    ws.append(["unit", *[f.unit for f in fuels]])
    order = {"supply": 0, "transformation": 1, "transformation_combustion": 1, "final": 2}
    for s in sorted(sectors, key=lambda s: order.get(s.role, 3)):
        ws.append([s.code])
    ws.freeze_panes = "B3"
    for cell in ws[1]:
        cell.font = Font(bold=True)
    notes = wb.create_sheet("说明")
    notes.append(["code", "name_zh", "name_en", "role"])
    for s in sectors:
        notes.append([s.code, s.name_zh, s.name_en, s.role])
    for f in fuels:
        notes.append([f.code, f.name_zh, f.name_en, f.unit])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_bytes(rows: Sequence[Mapping[str, Any]], *, sheet: str) -> bytes:
    """Rows as one sheet: a bold frozen header with a filter, numbers stored as numbers."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet[:31]
    cols = list(rows[0]) if rows else []
    ws.append(cols)
    for r in rows:
        ws.append([_neutral(r.get(c)) for c in cols])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    if cols:
        ws.auto_filter.ref = ws.dimensions
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
