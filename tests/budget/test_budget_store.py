"""On the demo store (`init` + `demo load`): the monthly electricity arrives through the same import
path and is read from the published snapshot; the office's rule file and project decisions are
audited; an approved project's offsets cannot be used again."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from carbonpeak.budget.rules import RULES_FILE, SAMPLE_PROJECT
from carbonpeak.errors import InputError, PermissionDenied
from carbonpeak.services import budget as service
from carbonpeak.services.dataset import current
from carbonpeak.store.db import Database
from carbonpeak.store.models import AuditEntry, Submission, User


@pytest.fixture(scope="module")
def db(demo_settings):
    database = Database.from_settings(demo_settings)
    yield database
    database.dispose()


def test_demo_load_publishes_the_monthly_electricity_and_the_budget_reads_it(db):
    with db.session() as s:
        subs = (
            s.execute(select(Submission).where(Submission.dataset == "electricity_monthly")).scalars().all()
        )
        assert subs and all(sub.status == "published" for sub in subs)
    assert service.fast_data(db)["origin"] == "store"
    store = service.budget_report(2025, db)
    files = service.budget_report(2025, None)
    assert store["dataset"] == current(db).id != files["dataset"]
    # the same file through the same parser: the same figures
    assert store["city"]["ytd"] == pytest.approx(files["city"]["ytd"])
    assert store["city"]["budget"] == pytest.approx(files["city"]["budget"], rel=1e-6)


def _user(s, role):
    return s.execute(select(User).where(User.role == role)).scalars().first()


def test_the_office_sets_the_rules_audited(db, tmp_path):
    text = RULES_FILE.read_text(encoding="utf-8").replace("change: -0.17", "change: -0.18")
    with db.session() as s:
        with pytest.raises(PermissionDenied):
            service.set_rules(s, _user(s, "department"), text, tmp_path)
        with pytest.raises(InputError):
            service.set_rules(s, _user(s, "office"), "periods: []\n", tmp_path)
        assert not (tmp_path / "budget").exists()  # nothing half-saved
        out = service.set_rules(s, _user(s, "office"), text, tmp_path)
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == "budget.rules")).scalars().one()
        assert out["sha256"] in entry.detail
    rules, origin = service.current_rules(tmp_path)
    assert rules.period_of(2026).change == -0.18 and origin.endswith("budget-rules.yaml")
    tighter = service.budget_report(2026, db, rules=rules)
    assert tighter["city"]["budget"] < service.budget_report(2026, db)["city"]["budget"]


def test_an_approved_projects_offsets_are_used_once(db):
    with db.session() as s:
        office = _user(s, "office")
        with pytest.raises(InputError):
            service.record_decision(
                s, office, project="p", decision="maybe", reason="", offsets=[], assessment_sha="x"
            )
        service.record_decision(
            s,
            office,
            project="first",
            decision="approve",
            reason="fits",
            offsets=["OFF-2024-002"],
            assessment_sha="x",
        )
        used = service.used_offsets(s)
        assert used["OFF-2024-002"] == "first"
        with pytest.raises(InputError) as info:
            service.record_decision(
                s,
                office,
                project="second",
                decision="approve",
                reason="r",
                offsets=["OFF-2024-002"],
                assessment_sha="y",
            )
        assert info.value.problems[0].rule == "budget.offset_used"
    text = SAMPLE_PROJECT.read_text(encoding="utf-8").replace("[OFF-2024-001]", "[OFF-2024-002]")
    result = service.assess_project(text, "p.yaml", db, used=used, draws=200)
    offsets = next(t for t in result["tests"] if t["test"] == "offsets")
    assert offsets["result"] == "fail" and "first" in offsets["detail_en"]
