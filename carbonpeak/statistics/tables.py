"""Reading an uploaded file of a data kind into rows of text (pure): the bytes through the upload
safety checks (collection/xlsx_safety.py), a CSV or the first sheet of an XLSX (or the sheet
`能源平衡表`) as a grid of cell values, and the grid as long rows of (line, values by column,
location by column); the energy balance's template layout read as the same long rows.

    read_table(data, filename, max_bytes)       (sheet name, rows of cell values), or InputError
    long_rows(grid, sheet, filename, layout)    the rows of a long-layout table (statistics/kinds.py)
    wide_balance(grid, filename, year, region)  the template layout, one long row per non-blank cell
    fail(filename, problems)                    the InputError of a file with problems: nothing stored

A location is `file:line:column` in a CSV, `sheet!A1` in an XLSX.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from carbonpeak.errors import InputError, Problem
from carbonpeak.statistics.kinds import LONG_COLUMNS
from carbonpeak.validation import TableRow, column_letter, problem

BALANCE_SHEET = "能源平衡表"
MAX_ROWS = 200_000


def fail(filename: str, problems: list[Problem]) -> InputError:
    return InputError(
        f"{filename}: {len(problems)} problem(s); nothing was stored",
        problems,
        message_zh=f"{filename}：发现{len(problems)}个问题，未保存任何数据",
    )


def read_table(data: bytes, filename: str, max_bytes: int) -> tuple[str, list[list[object]]]:
    """(sheet name, rows of cell values) of a CSV or the first sheet of an XLSX."""
    from carbonpeak.collection import xlsx_safety as safety

    limits = safety.UploadLimits(max_bytes=max_bytes)
    problems = safety.bytes_problems(data, filename, limits)
    if problems:
        raise fail(filename, problems)
    if safety.file_kind(filename) == "csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise fail(
                filename,
                [problem(filename, "data.encoding", exc.start)],
            ) from None
        return filename, [list(r) for r in csv.reader(io.StringIO(text))]
    problems = safety.container_problems(data, filename, limits) or safety.part_problems(
        data, filename, limits
    )
    if problems:
        raise fail(filename, problems)
    return xlsx_table(data, filename)


MAX_COLUMNS = 200  # the template has ~40 fuel columns; nothing beyond is read


def xlsx_table(data: bytes, filename: str) -> tuple[str, list[list[object]]]:
    """The sheet `能源平衡表` if there is one, else the first sheet, streamed (read-only mode) and cut
    at MAX_ROWS + 2 rows and MAX_COLUMNS columns, so a sheet whose dimension claims a million rows
    costs no more than its real cells; a formula cell is refused (its value is not what was typed)."""
    import warnings

    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many types on a damaged file
        raise fail(
            filename,
            [problem(filename, "file.unreadable", __name__=type(exc).__name__)],
        ) from None
    try:
        if not wb.sheetnames:
            raise fail(filename, [problem(filename, "data.sheet")])
        name = BALANCE_SHEET if BALANCE_SHEET in wb.sheetnames else wb.sheetnames[0]
        ws = wb[name]
        rows: list[list[object]] = []
        formulas: list[Problem] = []
        for r, row in enumerate(ws.iter_rows(max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS), start=1):
            values: list[object] = []
            for c, cell in enumerate(row):
                if getattr(cell, "data_type", None) == "f":
                    formulas.append(problem(cell_location(name, r, c, filename), "data.formula"))
                values.append(getattr(cell, "value", None))
            while values and values[-1] is None:
                values.pop()
            rows.append(values)
        if formulas:
            raise fail(filename, formulas)
        while rows and not rows[-1]:
            rows.pop()
        return name, rows
    finally:
        wb.close()


def cell_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def cell_location(sheet: str, row: int, col: int, filename: str) -> str:
    if sheet == filename:  # CSV: file:line:column
        return f"{filename}:{row}:{col + 1}"
    return f"{sheet}!{column_letter(col)}{row}"


def long_rows(grid: Sequence[Sequence[object]], sheet: str, filename: str, layout: str) -> Iterable[TableRow]:
    """(line, values by column, location by column) of a long-layout table; InputError on headers."""
    if not grid:
        raise fail(filename, [problem(filename, "data.empty")])
    header = [cell_text(c) for c in grid[0]]
    missing = [c for c in LONG_COLUMNS[layout] if c not in header]
    if missing:
        raise fail(
            filename,
            [
                problem(
                    cell_location(sheet, 1, len(header), filename),
                    "data.column",
                    c=c,
                    long_columns_list=", ".join(LONG_COLUMNS[layout]),
                )
                for c in missing
            ],
        )
    if len(grid) - 1 > MAX_ROWS:
        raise fail(
            filename,
            [problem(filename, "data.rows", len(grid) - 1, max_rows=MAX_ROWS)],
        )
    cols = {name: j for j, name in enumerate(header) if name}
    for i, raw in enumerate(grid[1:], start=2):
        values = {name: cell_text(raw[j]) if j < len(raw) else "" for name, j in cols.items()}
        if not any(values.values()):
            continue
        yield i, values, {name: cell_location(sheet, i, j, filename) for name, j in cols.items()}


def wide_balance(
    grid: Sequence[Sequence[object]], filename: str, year: int | None, region: str
) -> Iterable[TableRow]:
    """The template layout as long rows (one per non-blank cell)."""
    sheet = BALANCE_SHEET
    if year is None:
        raise fail(
            filename,
            [problem("--year", "data.year_required")],
        )
    if len(grid) < 2 or cell_text(grid[0][0] if grid[0] else None) != "sector":
        raise fail(
            filename,
            [problem(f"{sheet}!A1", "data.template")],
        )
    fuels = [cell_text(c) for c in grid[0]]
    unit_row = [cell_text(c) for c in grid[1]]
    for i, raw in enumerate(grid[2:], start=3):
        sector = cell_text(raw[0] if raw else None)
        for j in range(1, len(fuels)):
            cell = cell_text(raw[j]) if j < len(raw) else ""
            if not cell or not fuels[j]:
                continue
            where = cell_location(sheet, i, j, filename)
            yield (
                i,
                {
                    "region": region,
                    "year": str(year),
                    "sector": sector,
                    "fuel": fuels[j],
                    "quantity": cell,
                    "unit": unit_row[j] if j < len(unit_row) else "",
                },
                {
                    "region": where,
                    "year": "--year",
                    "sector": cell_location(sheet, i, 0, filename),
                    "fuel": cell_location(sheet, 1, j, filename),
                    "quantity": where,
                    "unit": cell_location(sheet, 2, j, filename),
                },
            )
