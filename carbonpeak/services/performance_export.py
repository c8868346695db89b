"""The evaluation's points per unit as a file the city's 高质量发展综合绩效考核 (comprehensive
performance assessment) can take: one row per unit and criterion, numbers as numbers.

    export_rows(result)          list of rows (dicts with the columns below)
    export_bytes(result, fmt)    csv (UTF-8 with BOM, so Excel opens Chinese correctly) or xlsx

Columns (the same in both formats): year, scheme, scheme_version, unit_code, unit_name_zh,
unit_name_en, audience, score (0–100, the unit's total), grade_zh, grade_en, rank, vetoed (0/1),
veto_criteria (codes joined by `;`), criterion, criterion_name_zh, points (the criterion's full
points), rate (0–1, empty when not applicable), criterion_score (points earned after redistribution
of non-applicable points is in `score`, not here), criterion_state (scored | not_applicable |
not_assessable), basis. Units not evaluated have one row each with criterion `not_evaluated` and
the reason in `basis`, so the file accounts for every unit.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from carbonpeak.errors import InputError
from carbonpeak.evaluation.scoring import EvaluationResult
from carbonpeak.validation import problem

COLUMNS = (
    "year",
    "scheme",
    "scheme_version",
    "unit_code",
    "unit_name_zh",
    "unit_name_en",
    "audience",
    "score",
    "grade_zh",
    "grade_en",
    "rank",
    "vetoed",
    "veto_criteria",
    "criterion",
    "criterion_name_zh",
    "points",
    "rate",
    "criterion_score",
    "criterion_state",
    "basis",
)
NUMERIC = frozenset(
    {"year", "scheme_version", "score", "rank", "vetoed", "points", "rate", "criterion_score"}
)
EXPORT_FORMATS = ("csv", "xlsx")


def export_rows(result: EvaluationResult) -> list[dict[str, Any]]:
    """One row per unit and criterion (see the module docstring), ranked units first."""
    head = {"year": result.year, "scheme": result.scheme_code, "scheme_version": result.scheme_version}
    rows: list[dict[str, Any]] = []
    for s in result.scores:
        unit = {
            **head,
            "unit_code": s.unit,
            "unit_name_zh": s.name_zh,
            "unit_name_en": s.name_en,
            "audience": s.audience,
            "score": round(s.score, 2),
            "grade_zh": s.grade_zh,
            "grade_en": s.grade_en,
            "rank": s.rank,
            "vetoed": int(s.vetoed),
            "veto_criteria": ";".join(s.veto_criteria),
        }
        for c in s.criteria:
            rows.append(
                {
                    **unit,
                    "criterion": c.code,
                    "criterion_name_zh": c.name_zh,
                    "points": c.points,
                    "rate": None if c.rate is None else round(c.rate, 4),
                    "criterion_score": round(c.score, 2),
                    "criterion_state": c.state,
                    "basis": c.basis,
                }
            )
    for n in result.not_evaluated:
        rows.append(
            {
                **head,
                "unit_code": n.unit,
                "unit_name_zh": n.name_zh,
                "unit_name_en": n.name_en,
                "criterion": "not_evaluated",
                "criterion_state": "not_evaluated",
                "basis": n.reason_zh,
            }
        )
    return [{c: r.get(c) for c in COLUMNS} for r in rows]


def export_bytes(result: EvaluationResult, fmt: str) -> bytes:
    """The export as csv or xlsx bytes (xlsx: numbers as numbers, header filtered and frozen)."""
    rows = export_rows(result)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return ("\ufeff" + buf.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = f"evaluation {result.year}"
        ws.append(list(COLUMNS))
        for r in rows:
            ws.append([r[c] for c in COLUMNS])
        for line in ws.iter_rows(min_row=2):
            for cell in line:
                if cell.data_type == "f":  # text starting with "=" stays text
                    cell.data_type = "s"
        ws.auto_filter.ref = ws.dimensions
        ws.freeze_panes = "A2"
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()
    raise InputError(
        f"unknown export format {fmt!r}",
        [problem("export", "evaluation.export_format", fmt, fmt=fmt)],
    )


__all__ = ["COLUMNS", "EXPORT_FORMATS", "export_bytes", "export_rows"]
