"""Run: .venv/bin/python scripts/reporting_burden.py (a temporary SQLite store; about a minute).

The reporting burden on the demo store: the department that leads P1.T1 downloads its 2024
template, changes P1.T1 to 95 %, uploads. Prints rows in the template, rows pre-filled, problems,
rows stored, the change list, and the same file again."""

import io
import tempfile
import time
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from carbonpeak.services import rounds
from carbonpeak.services import submissions as svc
from carbonpeak.services.demo import load_demo
from carbonpeak.services.init import init_database
from carbonpeak.services.plan import current_plan
from carbonpeak.services.users import create_user
from carbonpeak.settings import Settings
from carbonpeak.store.db import Database
from carbonpeak.store.models import Round

tmp = Path(tempfile.mkdtemp())
settings = Settings(data_dir=tmp, secret_key="x")
db = Database.from_settings(settings)
plan = current_plan(settings.plan_file)
init_database(db, plan)
load_demo(db, plan)
unit = next(m for m in plan.measures() if m.code == "P1.T1").lead_units[0]
with db.session() as s:
    dept = create_user(s, username="m-dept", password="measure-password-1", role="department", unit_code=unit)
    rnd = s.execute(select(Round).where(Round.year == 2024)).scalars().first()
    t = time.perf_counter()
    _, xlsx = rounds.download_template(s, dept, rnd.id, unit)
    t_template = time.perf_counter() - t
    book = load_workbook(io.BytesIO(xlsx))
    ws = book["任务进展"]
    rows = [r for r in ws.iter_rows(min_row=4) if r[0].value]
    prefilled = sum(1 for r in rows if r[3].value is not None)
    proj = (
        [r for r in book["重点项目"].iter_rows(min_row=4) if r[0].value]
        if "重点项目" in book.sheetnames
        else []
    )
    for r in rows:
        if r[0].value == "P1.T1":
            old = (r[3].value, r[4].value)
            r[3].value, r[4].value = "进行中", 95
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    t = time.perf_counter()
    sub, made = svc.upload_submission(
        s, dept, round_id=rnd.id, unit_code=unit, filename="p1t1.xlsx", data=data
    )
    t_upload = time.perf_counter() - t
    stored = {(r.kind, r.key) for r in svc.submission_rows(s, sub.id)}
    changes = svc.submission_changes(s, sub)
    again, made2 = svc.upload_submission(
        s, dept, round_id=rnd.id, unit_code=unit, filename="p1t1.xlsx", data=data
    )
print(
    f"unit {unit}, round {rnd.period}: {len(rows)} task rows ({prefilled} pre-filled), "
    f"{len(proj)} project rows"
)
print(f"P1.T1 pre-filled as {old}; changed to 进行中 95")
print(f"upload: 0 problems, version {sub.version}, new version made: {made}, rows stored: {sorted(stored)}")
print("changes:", [(c["key"], c["field"], c["old"], c["new"], c["old_period"]) for c in changes])
print(f"same file again: version {again.version}, new version made: {made2}")
print(f"template {t_template * 1000:.0f} ms, upload {t_upload * 1000:.0f} ms")
