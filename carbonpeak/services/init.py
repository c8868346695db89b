"""`carbonpeak init`: create or upgrade the database and load the plan as a new plan version.

A plan is stored whole (its JSON) as `plan_versions` row n, with its targets, tasks (programme
tasks, guarantees, organisation items) and key projects as `plan_items`, and who is responsible
for what as `plan_item_units`. Loading the same plan again changes nothing; a changed plan adds
version n+1. Units are upserted and never deleted: a unit gone from the plan is retired
(`last_plan_version` < current) and keeps its users and history. Reported data is never touched.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbonpeak.plan.schema import Plan
from carbonpeak.services import audit
from carbonpeak.store.db import Database
from carbonpeak.store.migrate import upgrade
from carbonpeak.store.models import PlanItem, PlanItemUnit, PlanVersion, Unit


@dataclass(frozen=True)
class InitResult:
    plan_code: str
    plan_version: int
    created: bool  # False when the plan was already loaded unchanged
    units_added: int
    units_retired: int

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def plan_digest(plan: Plan) -> str:
    text = json.dumps(plan.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def init_database(db: Database, plan: Plan, *, source_file: str | None = None) -> InitResult:
    """Migrate the schema to head and load `plan` (a new version only when it changed)."""
    upgrade(db.engine)
    with db.session() as session:
        return load_plan_version(session, plan, source_file=source_file)


def load_plan_version(session: Session, plan: Plan, *, source_file: str | None = None) -> InitResult:
    digest = plan_digest(plan)
    latest = session.execute(
        select(PlanVersion)
        .where(PlanVersion.plan_code == plan.code)
        .order_by(PlanVersion.version.desc())
        .limit(1)
    ).scalar_one_or_none()
    if latest is not None and latest.sha256 == digest:
        return InitResult(plan.code, latest.version, False, 0, 0)
    number = (latest.version if latest else 0) + 1
    pv = PlanVersion(
        plan_code=plan.code,
        version=number,
        sha256=digest,
        source_file=source_file,
        plan_json=json.dumps(plan.model_dump(mode="json"), ensure_ascii=False),
    )
    session.add(pv)
    session.flush()

    existing = {u.code: u for u in session.execute(select(Unit)).scalars()}
    added = 0
    for u in plan.units:
        row = existing.get(u.code)
        if row is None:
            session.add(
                Unit(
                    code=u.code,
                    name_zh=u.name_zh,
                    name_en=u.name_en,
                    kind=u.kind,
                    first_plan_version=number,
                    last_plan_version=number,
                )
            )
            added += 1
        else:
            row.name_zh, row.name_en, row.kind, row.last_plan_version = u.name_zh, u.name_en, u.kind, number
    plan_codes = {u.code for u in plan.units}
    retired = sum(
        1 for code, row in existing.items() if code not in plan_codes and row.last_plan_version == number - 1
    )
    session.flush()

    for t in plan.targets:
        _item(session, pv.id, "target", t.code, t.name_zh, t.model_dump(mode="json"))
        for unit in t.responsible_units:
            session.add(
                PlanItemUnit(
                    plan_version_id=pv.id, kind="target", code=t.code, unit_code=unit, role="responsible"
                )
            )
    for m in plan.measures():
        _item(session, pv.id, "task", m.code, m.title_zh, m.model_dump(mode="json"))
        for role, units in (("lead", m.lead_units), ("co", m.co_units)):
            for unit in dict.fromkeys(units):
                session.add(
                    PlanItemUnit(plan_version_id=pv.id, kind="task", code=m.code, unit_code=unit, role=role)
                )
    for p in plan.key_projects:
        _item(session, pv.id, "project", p.code, p.name_zh, p.model_dump(mode="json"))
    audit.record(
        session,
        username=None,
        action="plan.load",
        object_type="plan_version",
        object_id=pv.id,
        detail={"plan": plan.code, "version": number, "sha256": digest, "source_file": source_file},
    )
    session.commit()
    return InitResult(plan.code, number, True, added, retired)


def _item(session: Session, pv_id: int, kind: str, code: str, name_zh: str, data: dict[str, object]) -> None:
    session.add(
        PlanItem(
            plan_version_id=pv_id,
            kind=kind,
            code=code,
            name_zh=name_zh,
            data=json.dumps(data, ensure_ascii=False),
        )
    )


def current_plan_version(session: Session) -> PlanVersion:
    """The newest plan version loaded (by load order); NotFound when `carbonpeak init` has not run."""
    from carbonpeak.errors import NotFound

    pv = session.execute(select(PlanVersion).order_by(PlanVersion.id.desc()).limit(1)).scalar_one_or_none()
    if pv is None:
        raise NotFound(
            "no plan loaded: run `carbonpeak init`", message_zh="尚未加载方案：请运行 carbonpeak init"
        )
    return pv


def stored_plan(session: Session, plan_version_id: int | None = None) -> Plan:
    """The Plan of a stored version (default: the current one), rebuilt from its JSON."""
    pv = (
        current_plan_version(session)
        if plan_version_id is None
        else session.get(PlanVersion, plan_version_id)
    )
    if pv is None:
        from carbonpeak.errors import NotFound

        raise NotFound(f"plan version {plan_version_id} not found", message_zh="方案版本不存在")
    return _plan_of(pv.plan_json)


@functools.lru_cache(maxsize=8)
def _plan_of(plan_json: str) -> Plan:
    """The Plan of a stored JSON text, validated once per text (a stored version never changes and
    Plan is frozen; every upload and page asked for it again: 10 ms each)."""
    return Plan.model_validate_json(plan_json)


def plan_versions(session: Session) -> list[PlanVersion]:
    return list(session.execute(select(PlanVersion).order_by(PlanVersion.id)).scalars())


def unit_count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(Unit)).scalar_one())
