"""Bytes → grids: an .xlsx workbook or a CSV read into plain rows of cell values, nothing checked yet.

A `Grid` is one sheet: `rows[i][j]` is the value of spreadsheet row i+1, column j+1 (None when
blank), `formulas` the (row, column) positions holding a formula, `merged` the merged ranges. Both
formats give the same grid, so one set of checks serves both. `identity` is what the file says it
is: the hidden `_meta` sheet of a workbook, or row 1 of a CSV.

An .xlsx is read by python-calamine (values and merged ranges, ~20x faster than openpyxl) unless a
worksheet holds a formula: only openpyxl tells a formula from its cached value, so such a workbook
is read by openpyxl, formulas kept as formulas. Both give the same grid (values as openpyxl types
them: whole numbers as int, dates as datetime). xlsx_safety's checks run before either reader.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook

from carbonpeak.collection import layout as L
from carbonpeak.collection.rules import problem, text_of
from carbonpeak.collection.xlsx_safety import DEFAULT_LIMITS, UploadLimits
from carbonpeak.errors import Problem


@dataclass
class Grid:
    sheet: str
    rows: list[list[object]]
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (1-based row, 0-based column)
    merged: list[tuple[str, int]] = field(default_factory=list)  # (range text, its first row)

    def cell(self, row: int, col: int) -> object:
        """Value at 1-based `row`, 0-based `col`; None beyond the grid."""
        if row - 1 >= len(self.rows) or col >= len(self.rows[row - 1]):
            return None
        return self.rows[row - 1][col]


@dataclass
class Workbook:
    """What a file holds: its data sheets as grids, its identity (None: the file has none), its format."""

    format: str
    grids: dict[str, Grid]
    identity: dict[str, str] | None
    identity_location: str  # where the identity is (or should be)
    identity_cells: dict[str, str] = field(default_factory=dict)  # key → location of its value

    def identity_at(self, key: str) -> str:
        return self.identity_cells.get(key, self.identity_location)


def read_xlsx(data: bytes, filename: str) -> Workbook | list[Problem]:
    """The workbook's data sheets and `_meta`; a `file.unreadable` problem if it cannot be opened.

    Values through python-calamine when no worksheet holds a formula, else through openpyxl with
    formulas kept as formulas (data_only=False) so they can be refused: see docs/methods/collection.md.
    """
    if not has_formulas(data):
        book = _read_values(data)
        if book is not None:
            return book
    return read_xlsx_openpyxl(data, filename)


# a formula element in worksheet XML: <f>, <f t="shared" …/>, or with a namespace prefix (<x:f>)
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


def has_formulas(data: bytes) -> bool:
    """Whether any worksheet part of the .xlsx holds a formula element (True when it cannot tell)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            sheets = [
                i
                for i in z.infolist()
                if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")
            ]
            return any(_FORMULA.search(z.read(info)) for info in sheets)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError, NotImplementedError):
        return True


def _read_values(data: bytes) -> Workbook | None:
    """The workbook through python-calamine; None when calamine cannot read it (openpyxl then says
    what is wrong)."""
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = set(wb.sheet_names)
        grids: dict[str, Grid] = {}
        for name in L.DATA_SHEETS:
            if name not in names:
                continue
            sheet = wb.get_sheet_by_name(name)
            merged = [
                (f"{_cell_ref(r0, c0)}:{_cell_ref(r1, c1)}", r0 + 1)
                for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []
            ]
            grids[name] = Grid(name, _dense_rows(sheet.to_python(skip_empty_area=False)), set(), merged)
        meta = (
            _dense_rows(wb.get_sheet_by_name(L.META).to_python(skip_empty_area=False))
            if L.META in names
            else None
        )
    except Exception:  # calamine raises its own error types on a damaged file
        return None
    identity: dict[str, str] | None = None
    if meta is not None:
        found: dict[str, str] = {}
        for row in meta[1:]:
            key = row[0] if row else None
            if key is not None:
                found[str(key)] = text_of(row[1] if len(row) > 1 else None) or ""
        if found.get("template") == L.TEMPLATE_MARK:
            identity = found
    return Workbook("xlsx", grids, identity, *_visible_identity(grids))


def _visible_identity(grids: dict[str, Grid]) -> tuple[str, dict[str, str]]:
    """Where a workbook's identity is shown to the user: row 1 of its first data sheet (the unit,
    year, round and version after their labels), else "" (the parser names the file). Never the
    hidden `_meta` sheet, which a user cannot open: a problem must point at a cell they can see."""
    sheet = next((name for name in L.DATA_SHEETS if name in grids), None)
    if sheet is None:
        return "", {}
    cells = {key: L.location(sheet, 1, L.column_letter(2 + 2 * n)) for n, key in enumerate(L.IDENTITY_KEYS)}
    return L.location(sheet, 1, "A"), cells


def _dense_rows(rows: list[list[Any]]) -> list[list[object]]:
    """Calamine's rows as openpyxl gives them: blank → None, whole numbers → int, dates → datetime,
    trailing blanks dropped, trailing blank rows dropped."""
    out: list[list[object]] = []
    big = 2**53
    for row in rows:
        # text and numbers inline (nearly every cell), anything else through _openpyxl_value
        values = [
            (v or None)
            if type(v) is str
            else (
                (int(v) if v.is_integer() and -big < v < big else v)
                if type(v) is float
                else _openpyxl_value(v)
            )
            for v in row
        ]
        while values and values[-1] is None:
            values.pop()
        out.append(values)
    while out and not out[-1]:
        out.pop()
    return out


def _openpyxl_value(v: Any) -> object:
    if isinstance(v, str):
        return v if v != "" else None
    if isinstance(v, bool):
        return v
    if isinstance(v, float):
        # openpyxl gives int for a number written without a decimal point (what Excel writes for
        # a whole number)
        return int(v) if v.is_integer() and abs(v) < 2**53 else v
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return dt.datetime(v.year, v.month, v.day)
    return v


def _cell_ref(row: int, col: int) -> str:
    """A1 reference of 0-based `row`, `col`."""
    return f"{L.column_letter(col)}{row + 1}"


def read_xlsx_openpyxl(data: bytes, filename: str) -> Workbook | list[Problem]:
    """read_xlsx through openpyxl, formulas kept as formulas."""
    try:
        with warnings.catch_warnings():
            # openpyxl warns about Excel extensions it drops (e.g. x14 data validation); not the user's fault
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(data), data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many types (KeyError, ValueError, BadZipFile …) on damage
        return [problem("file.unreadable", filename, detail=f"{type(exc).__name__}: {exc}"[:200])]
    grids: dict[str, Grid] = {}
    for name in L.DATA_SHEETS:
        if name not in wb.sheetnames:
            continue
        ws = wb[name]
        rows, formulas = _sparse_rows(ws)
        merged = [(str(rng.coord), rng.min_row) for rng in ws.merged_cells.ranges]
        grids[name] = Grid(name, rows, formulas, merged)
    identity: dict[str, str] | None = None
    if L.META in wb.sheetnames:
        found: dict[str, str] = {}
        for key, value, *_ in wb[L.META].iter_rows(min_row=2, max_col=2, values_only=True):
            if key is not None:
                found[str(key)] = text_of(value) or ""
        if found.get("template") == L.TEMPLATE_MARK:
            identity = found
    return Workbook("xlsx", grids, identity, *_visible_identity(grids))


def _sparse_rows(ws: Any) -> tuple[list[list[object]], set[tuple[int, int]]]:
    """The sheet's cells as rows, built from the cells the file holds. Not `iter_rows`: it visits
    every position up to the farthest cell, which is how one cell at XFD1048576 cost gigabytes."""
    cells = ws._cells  # openpyxl's sparse {(row, column): Cell}, 1-based
    height = max((r for r, _ in cells), default=0)
    rows: list[list[object]] = [[] for _ in range(height)]
    formulas: set[tuple[int, int]] = set()
    for (r, c), cell in sorted(cells.items()):
        values = rows[r - 1]
        values.extend([None] * (c - 1 - len(values)))
        if cell.data_type == "f":
            formulas.add((r, c - 1))
            # an array formula is an object whose text is the formula
            value = cell.value
            values.append(value if isinstance(value, str) else str(getattr(value, "text", value)))
        else:
            values.append(cell.value)
    return rows, formulas


def decode_csv(data: bytes) -> str | None:
    """The text of a CSV: UTF-8 (BOM or not), else GB18030 (a superset of GBK, what Excel writes for
    'CSV' on a Chinese Windows); None when neither decodes or the text holds NUL characters
    (UTF-16 'Unicode text', or a binary file named .csv)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return None if "\x00" in text else text
    return None


def read_csv(data: bytes, filename: str, limits: UploadLimits = DEFAULT_LIMITS) -> Workbook | list[Problem]:
    """One data sheet saved as CSV: A1 names the sheet, row 1 carries the identity. Rows beyond
    `limits.max_rows` and cells longer than `limits.max_cell_chars` are refused, each located."""
    text = decode_csv(data)
    if text is None:
        return [problem("file.encoding", filename)]
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[list[object]] = []
    sheet_name = filename
    try:
        for row in reader:
            if len(rows) == limits.max_rows:
                where = L.location(sheet_name, len(rows) + 1, "A")
                return [problem("sheet.rows", where, limit=limits.max_rows)]
            for c, cell in enumerate(row):
                if len(cell) > limits.max_cell_chars:
                    where = L.location(sheet_name, len(rows) + 1, L.column_letter(c))
                    return [problem("cell.too_long", where, limit=limits.max_cell_chars)]
            rows.append([cell if cell.strip() else None for cell in row])
            if len(rows) == 1 and row:
                sheet_name = row[0].strip() or filename
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):  # the csv module's own cap (131,072 characters)
            where = L.location(sheet_name, len(rows) + 1, "?")
            return [problem("cell.too_long", where, limit=limits.max_cell_chars)]
        return [problem("file.unreadable", filename, detail=str(exc))]
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    if not rows:
        return [problem("file.empty", filename, filename=filename)]
    sheet = text_of(rows[0][0]) if rows[0] else None
    if sheet not in L.DATA_SHEETS:
        return [
            problem(
                "structure.csv_sheet",
                f"{filename}!1:A",
                sheet or "",
            )
        ]
    first = rows[0]
    # row 1: sheet, label, unit_code, label, year, label, round_code, label, template_version
    positions = range(2, 2 + 2 * len(L.IDENTITY_KEYS), 2)
    values = [text_of(first[i]) if i < len(first) else None for i in positions]
    identity: dict[str, str] | None = None
    if all(values):
        identity = {"template": L.TEMPLATE_MARK}
        identity.update((k, str(v)) for k, v in zip(L.IDENTITY_KEYS, values, strict=True))
    assert sheet is not None
    cells = {
        k: L.location(sheet, 1, L.column_letter(i)) for k, i in zip(L.IDENTITY_KEYS, positions, strict=True)
    }
    return Workbook("csv", {sheet: Grid(sheet, rows)}, identity, L.location(sheet, 1, "A"), cells)
