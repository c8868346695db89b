"""The office's summaries of a report's narrative sections (成效, 问题, 下步工作), stored and audited.

    set_summary(session, user, kind=…, year=…, section=…, text_zh=…, text_en=…)   a new row + audit entry
    current_summaries(session, kind, year)   section → the newest ReportSummary of (kind, year)
    summaries_for(database, kind, year)      the same as plain (zh, en) pairs, for report building

Append-only (store/models.ReportSummary): an edit is a new row and the newest is shown; history stays
in the table and in the audit log (action `report.summary.set`). A report shows the office's text
first in each narrative section, then the items assembled from the units' reports
(services/reports.narrative_sections). zh and en are both required: the English report is complete.
"""

from __future__ import annotations

from typing import get_args

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import InputError, PermissionDenied, Problem
from carbonpeak.services import audit
from carbonpeak.store.db import Database
from carbonpeak.store.models import ReportSummary, User
from carbonpeak.supervision.narrative import NarrativeSection
from carbonpeak.validation import problem

SUMMARY_KINDS = ("annual", "assessment")
SECTIONS: tuple[str, ...] = get_args(NarrativeSection)
MAX_CHARS = 4000


def set_summary(
    session: Session, user: User, *, kind: str, year: int, section: str, text_zh: str, text_en: str
) -> ReportSummary:
    """Store (and commit, with its audit entry) the office's summary of `section` of the `kind` report
    of `year` (office users only)."""
    if user.role != "office":
        raise PermissionDenied("only the office edits report summaries", message_zh="仅双碳办可编辑报告综述")
    problems: list[Problem] = []
    if kind not in SUMMARY_KINDS:
        problems.append(
            problem(
                "kind",
                "reports.summary.kind",
                kind,
                kind=kind,
                summary_kinds_list="、".join(SUMMARY_KINDS),
                summary_kinds_list2=", ".join(SUMMARY_KINDS),
            )
        )
    if section not in SECTIONS:
        problems.append(
            problem(
                "section",
                "reports.summary.section",
                section,
                section=section,
                sections_list="、".join(SECTIONS),
                sections_list2=", ".join(SECTIONS),
            )
        )
    for field, text, lang in (("text_zh", text_zh, "中文"), ("text_en", text_en, "English")):
        if not text.strip():
            problems.append(problem(field, "reports.summary.required", lang=lang))
        elif len(text) > MAX_CHARS:
            problems.append(problem(field, "reports.summary.length", max_chars=MAX_CHARS, length=len(text)))
    if problems:
        raise InputError("the report summary is not valid", problems, message_zh="报告综述不符合要求")
    row = ReportSummary(
        kind=kind,
        year=year,
        section=section,
        text_zh=text_zh.strip(),
        text_en=text_en.strip(),
        created_by=user.id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        username=user.username,
        action="report.summary.set",
        object_type="report_summary",
        object_id=row.id,
        detail={
            "kind": kind,
            "year": year,
            "section": section,
            "text_zh": row.text_zh,
            "text_en": row.text_en,
        },
    )
    session.commit()
    return row


def current_summaries(session: Session, kind: str, year: int) -> dict[str, ReportSummary]:
    """section → the newest summary of the `kind` report of `year` (sections without one left out)."""
    rows = session.execute(
        select(ReportSummary)
        .where(ReportSummary.kind == kind, ReportSummary.year == year)
        .order_by(ReportSummary.id)
    ).scalars()
    return {r.section: r for r in rows}


def summaries_for(database: Database, kind: str, year: int) -> dict[str, tuple[str, str]]:
    """section → (text_zh, text_en) of the newest summaries (empty when the office has written none)."""
    with database.session() as session:
        return {s: (r.text_zh, r.text_en) for s, r in current_summaries(session, kind, year).items()}


__all__ = ["SECTIONS", "SUMMARY_KINDS", "current_summaries", "set_summary", "summaries_for"]
