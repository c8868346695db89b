"""`carbonpeak demo load`: demo users, and the sample progress reports loaded through the workflow.

What a load does, on a database where `carbonpeak init` has run:

1. one user per role (`demo-office` … `demo-viewer`, units in DEMO_USERS) with a password from
   `secrets.token_urlsafe`, returned once in the result and never stored, logged nor audited in
   clear; an existing demo user keeps its password unless `reset_passwords`;
2. one annual round per sample year (2023, 2024) titled `… 示例数据 / demo sample`, for the units
   with rows in carbonpeak/demo/data/task-progress.csv, with the task and project templates;
3. for every (round, unit): the unit's real template (rounds.download_template, the file a unit
   downloads) is filled with the sample rows using openpyxl, uploaded with
   submissions.import_submission (the same parsing and checks as any upload), submitted by the unit's
   demo user (the office user for units without one), approved and published by `demo-reviewer`, a
   second office user (separation of duties: nobody approves what they uploaded or submitted).

Sample marking: the store has no flag per value, so a demo submission is known as sample by its
round's title (DEMO_MARK), its file name (`demo-sample-<period>-<unit>.xlsx`) and its submit and
review comments (DEMO_MARK).

What the templates ask for beyond the sample files: a unit's template lists every task it leads or
co-leads, while task-progress.csv holds one report per task (by its first lead unit); the other
units' rows copy that report and say so in their comment. A project in several units' templates is
reported by each with the same sample row; a project no template asks for (no unit of the round
reports on it by Plan.project_units) stays out of the store and is counted in
`projects_not_in_templates`. Indicators are not loaded: the templates ask for indicators that
data/indicators.csv does not hold, the same city value would come from several units, and approved
indicator values are read as `published` figures (current.current_observations), which sample
values are not.

Idempotent: a (round, unit) whose latest version is published is left alone; a version stopped
half-way (a killed load) is carried on from its status. Running it again adds nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import Conflict, InputError
from carbonpeak.plan.schema import Plan
from carbonpeak.services import audit
from carbonpeak.store.db import Database
from carbonpeak.store.models import Round, Submission, User
from carbonpeak.validation import problem

DATA_DIR = Path(__file__).resolve().parents[1] / "demo" / "data"
DEMO_MARK = "示例数据 / demo sample"
DEMO_FILE_PREFIX = "demo-sample-"  # the name of every file load_demo uploads
ROUND_TEMPLATES = ["task", "project"]
# year reported → due date of its annual round
ROUND_DUE = {2023: dt.date(2024, 3, 31), 2024: dt.date(2025, 3, 31)}
# username, role, unit: the office user in the carbon-peak office, the department user in the unit
# that leads most tasks (so it has reports to look at), a district, an enterprise, a reader.
DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("demo-office", "office", "carbon_office"),
    ("demo-reviewer", "office", "carbon_office"),
    ("demo-department", "department", "development_reform"),
    ("demo-district", "district", "lixia"),
    ("demo-enterprise", "enterprise", "state_grid_jinan"),
    ("demo-viewer", "viewer", "carbon_office"),
)
# a measure of the template with no row in task-progress.csv (samples.py covers every measure today;
# kept for a plan whose sample lacks one): reported as not started, 0 %, and said so
NOT_IN_SAMPLE = {"unit": "", "status": "not_started", "percent": "0", "narrative": "", "next_steps": ""}
NOT_IN_SAMPLE_COMMENT = (
    f"{DEMO_MARK}：示例文件未包含此项，按未开始填写 / not in the sample file, reported as not started"
)
REVIEWER = "demo-reviewer"  # approves and publishes what the others upload and submit
PASSWORD_BYTES = 16  # token_urlsafe(16): 22 characters, 128 bits

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    unit_code: str
    password: str | None  # set only when created or reset by this run; shown once
    created: bool


@dataclass(frozen=True)
class DemoLoadResult:
    users: tuple[DemoUser, ...]
    rounds: tuple[str, ...]  # periods of the demo rounds
    units: tuple[str, ...]  # units that report in them
    published: int  # progress-report submissions published by this run
    data_records: int  # statistics records (energy balance, GDP …) published by this run
    already_loaded: bool  # everything was there before this run
    projects_not_in_templates: tuple[str, ...]
    seconds: float


def read_rows(name: str, data_dir: Path = DATA_DIR) -> list[dict[str, str]]:
    with (data_dir / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def is_demo_file(filename: str | None) -> bool:
    """True for a file that `load_demo` uploaded: its values are samples, not reports."""
    return bool(filename) and str(filename).startswith(DEMO_FILE_PREFIX)


def demo_filename(period: str, unit_code: str) -> str:
    return f"{DEMO_FILE_PREFIX}{period}-{unit_code}.xlsx"


def load_demo(
    db_or_session: Database | Session,
    plan: Plan,
    *,
    progress: Progress | None = None,
    reset_passwords: bool = False,
    data_dir: Path = DATA_DIR,
) -> DemoLoadResult:
    """Load the demo users and sample reports (module doc). NotFound when `init` has not run."""
    if isinstance(db_or_session, Database):
        with db_or_session.session() as session:
            return _load(session, plan, progress, reset_passwords, data_dir)
    return _load(db_or_session, plan, progress, reset_passwords, data_dir)


def _load(
    session: Session, plan: Plan, progress: Progress | None, reset_passwords: bool, data_dir: Path
) -> DemoLoadResult:
    from carbonpeak.services.init import current_plan_version

    started = time.perf_counter()
    pv = current_plan_version(session)
    if pv.plan_code != plan.code:
        raise InputError(
            f"the database holds plan {pv.plan_code}, not {plan.code}",
            [problem("plan", "demo.plan", pv.plan_code, plan_code=pv.plan_code, code=plan.code)],
            message_zh="方案不一致，无法加载示例数据",
        )
    users, users_existed = _users(session, reset_passwords)
    office = session.execute(select(User).where(User.username == DEMO_USERS[0][0])).scalar_one()
    reviewer = session.execute(select(User).where(User.username == REVIEWER)).scalar_one()
    statistics_published = _statistics(session, office, reviewer, data_dir)
    reporters = {
        u.unit_code: u for u in _demo_user_rows(session) if u.role in ("department", "district", "enterprise")
    }

    tasks = read_rows("task-progress.csv", data_dir)
    projects = {(r["project"], int(r["year"])): r for r in read_rows("project-status.csv", data_dir)}
    plan_units = {u.code for u in plan.units}
    work: list[tuple[int, str]] = []
    for year in ROUND_DUE:
        units = sorted({r["unit"] for r in tasks if int(r["year"]) == year and r["unit"] in plan_units})
        work.extend((year, u) for u in units)
    rounds = {year: _round(session, office, year, [u for y, u in work if y == year]) for year in ROUND_DUE}

    published = 0
    placed_tasks: set[tuple[str, str, int]] = set()
    placed_projects: set[str] = set()
    for done, (year, unit) in enumerate(work, start=1):
        rnd = rounds[year]
        uploader = reporters.get(unit, office)
        sub = _latest(session, rnd.id, unit)
        if sub is None or sub.status == "returned":
            data, t_keys, p_keys = _filled_template(session, office, rnd, unit, year, tasks, projects)
            placed_tasks |= t_keys
            placed_projects |= p_keys
            from carbonpeak.services.submissions import import_submission

            sub = import_submission(
                session,
                uploader,
                round_id=rnd.id,
                unit_code=unit,
                filename=demo_filename(rnd.period, unit),
                data=data,
            )
        else:
            placed_tasks |= {
                (r["task"], unit, year) for r in tasks if r["unit"] == unit and int(r["year"]) == year
            }
        published += _advance(session, sub, uploader, reviewer)
        if progress is not None:
            progress(done, len(work))

    missing = [
        problem(
            f"task-progress.csv:{r['task']}/{r['unit']}/{r['year']}", "demo.task_not_in_template", r["task"]
        )
        for r in tasks
        if r["unit"] in plan_units and (r["task"], r["unit"], int(r["year"])) not in placed_tasks
    ]
    if missing and published:
        raise InputError(
            "sample rows that no template asks for", missing, message_zh="示例数据中有模板未包含的行"
        )
    if published or statistics_published:
        audit.record(
            session,
            username=office.username,
            action="demo.load",
            object_type="demo",
            object_id="jinan-demo",
            detail={
                "rounds": [r.period for r in rounds.values()],
                "units": len(work),
                "published": published,
                "data_records": statistics_published,
            },
        )
        session.commit()
    from carbonpeak.collection.spec import spec_for_unit

    in_templates = {p.code for year, unit in work for p in spec_for_unit(plan, unit, year).projects}
    return DemoLoadResult(
        users=tuple(users),
        rounds=tuple(r.period for r in rounds.values()),
        units=tuple(dict.fromkeys(u for _, u in work)),
        published=published,
        data_records=statistics_published,
        already_loaded=users_existed and published == 0 and statistics_published == 0,
        projects_not_in_templates=tuple(sorted({p for p, _ in projects} - in_templates)),
        seconds=time.perf_counter() - started,
    )


# -- statistics -----------------------------------------------------------------------------------


def statistics_files(data_dir: Path = DATA_DIR) -> list[tuple[str, str, bytes]]:
    """(kind, file name, bytes) of the demo statistics, in the import layouts of statistics/kinds.yaml:
    the energy balance, the plan indicators and the assessment inputs (estimated) as shipped; GDP at
    current prices, the GDP index (上年=100 = 100 + real growth) and population on today's boundary
    from demo.build's comparable series (rows before 2019 linked from the old boundary, flagged estimated)."""
    from carbonpeak.demo import build
    from carbonpeak.demo.enterprises import demo_files as enterprise_files

    def csv_bytes(rows: list[dict[str, object]]) -> bytes:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buf.getvalue().encode("utf-8")

    boundary = {int(r["year"]): r["boundary"] for r in build.published() if r["indicator"] == "gdp_growth"}
    gdp: list[dict[str, object]] = []
    population: list[dict[str, object]] = []
    for o in build.comparable_observations():
        row: dict[str, object] = {
            "indicator": o.indicator,
            "region": o.region,
            "year": o.year,
            "value": o.value,
            "unit": o.unit,
            "flag": o.flag,
            "method": o.method,
            "source": o.source,
        }
        if o.indicator == "gdp":
            gdp.append({**row, "indicator": "gdp_current"})
        elif o.indicator == "population":
            population.append(row)
        elif o.indicator == "gdp_growth":
            old = boundary.get(o.year) != "current"
            gdp.append(
                {
                    **row,
                    "indicator": "gdp_index",
                    "value": round(100.0 + o.value, 4),
                    "unit": "上年=100",
                    "flag": "estimated" if old else o.flag,
                    "method": "上年=100 = 100 + real growth (%)"
                    + ("; the old city's growth stands for today's city" if old else ""),
                }
            )
    return [
        (
            "energy_balance",
            f"{DEMO_FILE_PREFIX}energy-balance.csv",
            (data_dir / "energy-balance.csv").read_bytes(),
        ),
        ("gdp", f"{DEMO_FILE_PREFIX}gdp.csv", csv_bytes(gdp)),
        ("population", f"{DEMO_FILE_PREFIX}population.csv", csv_bytes(population)),
        ("indicators", f"{DEMO_FILE_PREFIX}indicators.csv", (data_dir / "indicators.csv").read_bytes()),
        ("assessment", f"{DEMO_FILE_PREFIX}assessment.csv", (data_dir / "assessment.csv").read_bytes()),
        *enterprise_files(data_dir),  # the register first: reports are checked against it
        # monthly electricity of the nowcast (demo/monthly.py builds it; estimated and sample rows)
        (
            "electricity_monthly",
            f"{DEMO_FILE_PREFIX}electricity-monthly.csv",
            (data_dir / "electricity-monthly.csv").read_bytes(),
        ),
    ]


def _statistics(session: Session, office: User, reviewer: User, data_dir: Path) -> int:
    """Import the demo statistics through services/statistics.import_records (the path of any data
    file) as `office` and carry each record to published (approved by `reviewer`); a record whose
    file is already in the store is carried on from its status, not imported again. The number of
    records published by this call."""
    from carbonpeak.services.statistics import import_records

    published = 0
    for kind, filename, data in statistics_files(data_dir):
        sha = hashlib.sha256(data).hexdigest()
        stored = list(
            session.execute(
                select(Submission).where(
                    Submission.dataset == kind, Submission.file_sha256 == sha, Submission.status != "returned"
                )
            ).scalars()
        )
        subs = stored or import_records(
            session, office, kind=kind, filename=filename, data=data, source="carbonpeak demo data set"
        )
        for sub in subs:
            published += _advance(session, sub, office, reviewer)
        session.commit()
    return published


# -- users ----------------------------------------------------------------------------------------


def _demo_user_rows(session: Session) -> list[User]:
    names = [name for name, _, _ in DEMO_USERS]
    return list(session.execute(select(User).where(User.username.in_(names))).scalars())


def _users(session: Session, reset: bool) -> tuple[list[DemoUser], bool]:
    from carbonpeak.auth import hash_password
    from carbonpeak.services.users import create_user

    out: list[DemoUser] = []
    existed = True
    for username, role, unit in DEMO_USERS:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None:
            existed = False
            password = secrets.token_urlsafe(PASSWORD_BYTES)
            create_user(
                session,
                username=username,
                password=password,
                role=role,
                unit_code=unit,
                display_name=f"{username} ({DEMO_MARK})",
            )
            out.append(DemoUser(username, role, unit, password, True))
            continue
        new_password = None
        if reset:
            new_password = secrets.token_urlsafe(PASSWORD_BYTES)
            user.password_hash = hash_password(new_password)
            audit.record(
                session,
                username=None,
                action="user.password_reset",
                object_type="user",
                object_id=user.id,
                detail={"username": username, "by": "demo load --reset-passwords"},
            )
            session.commit()
        out.append(DemoUser(user.username, user.role, user.unit_code, new_password, False))
    return out, existed


# -- rounds and submissions -----------------------------------------------------------------------


def round_title(year: int) -> str:
    return f"{year}年度任务与项目进展（{DEMO_MARK}）"


def _round(session: Session, office: User, year: int, units: list[str]) -> Round:
    from carbonpeak.services.rounds import open_round

    period = str(year)
    rnd = session.execute(select(Round).where(Round.period == period)).scalar_one_or_none()
    if rnd is not None:
        if DEMO_MARK not in rnd.title:
            raise Conflict(
                f"a round for {period} exists that is not the demo's ({rnd.title!r}); "
                "load the demo into a database of its own",
                message_zh=f"期间 {period} 已有非示例的填报轮次（{rnd.title}），"
                "请在单独的数据库中加载示例数据",
            )
        return rnd
    return open_round(
        session,
        office,
        period=period,
        title=round_title(year),
        due_date=ROUND_DUE[year],
        unit_codes=units,
        templates=ROUND_TEMPLATES,
    )


def _latest(session: Session, round_id: int, unit: str) -> Submission | None:
    return session.execute(
        select(Submission)
        .where(Submission.round_id == round_id, Submission.unit_code == unit)
        .order_by(Submission.version.desc())
        .limit(1)
    ).scalar_one_or_none()


def _advance(session: Session, sub: Submission, uploader: User, reviewer: User) -> int:
    """Carry a version on to published (submitted by `uploader`, approved and published by
    `reviewer`); 1 if this call published it."""
    from carbonpeak.services.submissions import approve_submission, publish_submission, submit_submission

    if sub.status == "published":
        return 0
    if sub.status == "draft":
        submit_submission(session, uploader, sub.id, comment=DEMO_MARK)
    if sub.status == "submitted":
        approve_submission(session, reviewer, sub.id, comment=DEMO_MARK)
    publish_submission(session, reviewer, sub.id)
    return 1


def _filled_template(
    session: Session,
    office: User,
    rnd: Round,
    unit: str,
    year: int,
    tasks: list[dict[str, str]],
    projects: dict[tuple[str, int], dict[str, str]],
) -> tuple[bytes, set[tuple[str, str, int]], set[str]]:
    """The unit's downloaded template with the sample rows typed in, as a unit would."""
    from openpyxl import load_workbook

    from carbonpeak.collection import layout as L
    from carbonpeak.collection.spec import PROJECT_STATUSES, TASK_STATUSES
    from carbonpeak.services.rounds import download_template

    _, template = download_template(session, office, rnd.id, unit)
    wb = load_workbook(io.BytesIO(template))
    own = {r["task"]: r for r in tasks if int(r["year"]) == year and r["unit"] == unit}
    any_unit = {r["task"]: r for r in tasks if int(r["year"]) == year}
    placed_tasks: set[tuple[str, str, int]] = set()
    placed_projects: set[str] = set()
    if L.TASKS in wb.sheetnames:
        ws = wb[L.TASKS]
        for row in range(L.FIRST_DATA_ROW, ws.max_row + 1):
            code = ws.cell(row, 1).value
            if code is None:
                continue
            sample = own.get(str(code))
            comment = None
            if sample is None:
                sample = any_unit.get(str(code))
                if sample is None:
                    sample, comment = NOT_IN_SAMPLE, NOT_IN_SAMPLE_COMMENT
                else:
                    lead = sample["unit"]
                    comment = f"{DEMO_MARK}：沿用牵头单位 {lead} 的报送 / copies the report of {lead}"
            else:
                placed_tasks.add((str(code), unit, year))
            values: dict[str, Any] = {
                "status": TASK_STATUSES[sample["status"]],
                "percent": float(sample["percent"]),
                "narrative": sample["narrative"] or None,
                "next_steps": sample["next_steps"] or None,
                "comment": comment,
            }
            for key, value in values.items():
                ws.cell(row, L.column_index(L.TASKS, key) + 1, value)
    if L.PROJECTS in wb.sheetnames:
        ws = wb[L.PROJECTS]
        for row in range(L.FIRST_DATA_ROW, ws.max_row + 1):
            code = ws.cell(row, 1).value
            if code is None:
                continue
            sample = projects.get((str(code), year))
            if sample is None:
                raise _no_sample(f"project-status.csv:{code}/{year}", str(code))
            placed_projects.add(str(code))
            start = dt.date.fromisoformat(sample["start_date"]) if sample["start_date"] else None
            capacity = float(sample["capacity_in_operation"]) if sample["capacity_in_operation"] else None
            values = {
                "status": PROJECT_STATUSES[sample["status"]],
                "capacity": capacity,
                "capacity_unit": (sample["capacity_unit"] or None) if capacity is not None else None,
                "start_date": start,
                # the sample gives the date a project reached its stage; in operation, that is the
                # date it went into operation (the template requires one)
                "operation_date": start if sample["status"] == "in_operation" else None,
            }
            for key, value in values.items():
                if value is not None:
                    ws.cell(row, L.column_index(L.PROJECTS, key) + 1, value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), placed_tasks, placed_projects


def _no_sample(location: str, code: str) -> InputError:
    return InputError(
        f"no sample row for {location}",
        [problem(location, "demo.sample_missing", code)],
        message_zh="示例数据不完整",
    )
