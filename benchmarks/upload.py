"""Benchmark: reading a large Excel upload — the hostile-file checks (collection/xlsx_safety.py) and
then the reader, as `parse_upload` runs them — with the two readers interleaved in one run:
  - python-calamine (collection/reading.read_xlsx: values and merged ranges; the path of a workbook
    without formulas);
  - openpyxl's full load (reading.read_xlsx_openpyxl: what every upload took before, and what a
    workbook with a formula still takes).
The workbook: the three data sheets at 9,000 rows × 8 columns each, numbers, text and dates, plus
`_meta` — near the largest the default limits accept (10,000 rows per sheet, 10 MB of XML).
Both readers must give the same grid (checked). The checks stream every XML element through expat
in Python; they are timed alone too.
Goal (issue 24): >= 50,000 rows/s through checks and reader.
Run: `.venv/bin/python benchmarks/upload.py [--rows N] [--repeat R]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
from pathlib import Path

from openpyxl import Workbook

from carbonpeak.collection import layout as L
from carbonpeak.collection.reading import _read_values, read_xlsx, read_xlsx_openpyxl
from carbonpeak.collection.xlsx_safety import DEFAULT_LIMITS, container_problems, part_problems

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Row, interleaved, record


def big_workbook(rows: int) -> bytes:
    wb = Workbook(write_only=True)
    for name in L.DATA_SHEETS:
        ws = wb.create_sheet(name)
        ws.append(["code", "名称", "unit", "value", "status", "percent", "date", "说明"])
        for i in range(rows - 1):
            ws.append(
                [
                    f"E{i:05d}",
                    f"企业{i}",
                    "tce",
                    i * 1.25,
                    "在建",
                    i % 100,
                    dt.datetime(2024, 1 + i % 12, 1),
                    None,
                ]
            )
    meta = wb.create_sheet(L.META)
    meta.append(["key", "value"])
    meta.append(["template", L.TEMPLATE_MARK])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def checked(data: bytes) -> None:
    assert not (
        container_problems(data, "a.xlsx", DEFAULT_LIMITS) or part_problems(data, "a.xlsx", DEFAULT_LIMITS)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=9_000, help="rows per data sheet")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = big_workbook(args.rows)
    total = args.rows * len(L.DATA_SHEETS)
    fast, full = _read_values(data), read_xlsx_openpyxl(data, "a.xlsx")
    assert fast is not None and not isinstance(full, list)
    assert {n: g.rows for n, g in fast.grids.items()} == {n: g.rows for n, g in full.grids.items()}
    assert read_xlsx(data, "a.xlsx") == fast  # no formula: the calamine path
    print(f"{total:,} rows in {len(data) / 1e6:.1f} MB")
    t = interleaved(
        {
            "checks": lambda: checked(data),
            "checks + calamine": lambda: (checked(data), read_xlsx(data, "a.xlsx")),
            "checks + openpyxl": lambda: (checked(data), read_xlsx_openpyxl(data, "a.xlsx")),
        },
        args.repeat,
    )
    for name, timing in t.items():
        print(f"  {name:18} {timing.text(1.0, 's')}   {total / timing.wall_median:10,.0f} rows/s")
    ours, theirs = t["checks + calamine"], t["checks + openpyxl"]
    record(
        "upload",
        [
            Row(
                "upload",
                f"{total:,}-row workbook, checks + calamine: rows/s",
                total / ours.wall_median,
                "rows/s",
                ">= 50,000 rows/s",
                total / ours.wall_median >= 50_000,
                f"CPU {total / ours.cpu_median:,.0f} rows/s; "
                f"checks alone {total / t['checks'].wall_median:,.0f}",
            ),
            Row(
                "upload",
                f"{total:,}-row workbook, checks + openpyxl (before): rows/s",
                total / theirs.wall_median,
                "rows/s",
                "",
                None,
                f"calamine/openpyxl {theirs.wall_median / ours.wall_median:.1f}x",
            ),
        ],
    )


if __name__ == "__main__":
    main()
