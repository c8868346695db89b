"""The office's summaries of the narrative sections: stored append-only, audited, newest shown, on the
CLI and the API, and printed first in the report's section."""

import pytest
from sqlalchemy import select

from carbonpeak.errors import InputError, PermissionDenied
from carbonpeak.services import report_summaries as svc
from carbonpeak.services import users
from carbonpeak.store.models import AuditEntry, ReportSummary


@pytest.fixture
def database(db_url, tiny_plan):
    from carbonpeak.services.init import init_database
    from carbonpeak.store.db import Database

    db = Database(db_url)
    init_database(db, tiny_plan)
    yield db
    db.dispose()


@pytest.fixture
def people(database):
    with database.session() as s:
        office = users.create_user(
            s, username="o", password="office-password-1", role="office", unit_code="office"
        )
        dept = users.create_user(
            s, username="d", password="dept-password-1", role="department", unit_code="dept_a"
        )
        return office.id, dept.id


def test_newest_summary_is_shown_and_every_edit_audited(database, people):
    from carbonpeak.store.models import User

    with database.session() as s:
        office = s.get(User, people[0])
        svc.set_summary(s, office, kind="annual", year=2024, section="problems", text_zh="甲", text_en="A")
        svc.set_summary(s, office, kind="annual", year=2024, section="problems", text_zh="乙", text_en="B")
    assert svc.summaries_for(database, "annual", 2024) == {"problems": ("乙", "B")}
    assert svc.summaries_for(database, "annual", 2025) == {}
    with database.session() as s:
        assert len(s.execute(select(ReportSummary)).scalars().all()) == 2  # nothing overwritten
        audit = s.execute(select(AuditEntry).where(AuditEntry.action == "report.summary.set")).scalars().all()
        assert [a.username for a in audit] == ["o", "o"] and '"text_zh":"乙"' in audit[-1].detail


def test_bad_summaries_name_every_problem_and_store_nothing(database, people):
    from carbonpeak.store.models import User

    with database.session() as s:
        office, dept = s.get(User, people[0]), s.get(User, people[1])
        with pytest.raises(InputError) as exc:
            svc.set_summary(
                s, office, kind="dispatch", year=2024, section="outlook", text_zh=" ", text_en="x"
            )
        assert [p.rule for p in exc.value.problems] == [
            "reports.summary.kind",
            "reports.summary.section",
            "reports.summary.required",
        ]
        assert exc.value.problems[2].location == "text_zh"
        with pytest.raises(PermissionDenied):
            svc.set_summary(s, dept, kind="annual", year=2024, section="problems", text_zh="x", text_en="x")
        s.rollback()
        assert s.execute(select(ReportSummary)).scalars().all() == []
