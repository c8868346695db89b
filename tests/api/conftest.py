"""An API on a temporary SQLite file with the tiny plan, one user and token per role, an open round.

`api` (module scope) has: `client` (TestClient), `db`, `users` {role: User}, `tokens` {role: str},
`headers(role)`, `round_id`, and helpers that make a fresh submission of dept_a in a given state.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient

from carbonpeak.app import create_app
from carbonpeak.services import submissions as svc
from carbonpeak.services.init import init_database
from carbonpeak.services.rounds import download_template, open_round
from carbonpeak.services.users import create_user, issue_token
from carbonpeak.settings import Settings
from carbonpeak.store.db import Database

PASSWORD = "correct horse 1"
ROLE_UNITS = {
    "office": "office",
    "department": "dept_a",
    "district": "district_x",
    "enterprise": "dept_b",
    "viewer": "dept_b",
}


@dataclass
class Api:
    client: TestClient
    db: Database
    fill: object
    users: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    round_id: int = 0

    def headers(self, role: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}

    def filled(self, value: float = 1500) -> bytes:
        with self.db.session() as s:
            _, xlsx = download_template(s, self.users["office"], self.round_id, "dept_a")
        return self.fill(xlsx, {"pv_capacity": value})

    made: int = 0

    def fresh(self, data: bytes) -> bytes:
        """`data` with a comment no earlier upload had on the pv_capacity row: a new file (an
        identical one makes no new version) that still reports the same value."""
        import io

        from openpyxl import load_workbook

        self.made += 1
        book = load_workbook(io.BytesIO(data))
        for row in book["指标"].iter_rows(min_row=4):
            if row[0].value == "pv_capacity":
                row[7].value = f"upload {self.made}"
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    def submission(self, state: str = "draft") -> int:
        office, dept = self.users["office"], self.users["department"]
        with self.db.session() as s:
            sub = svc.import_submission(
                s,
                dept,
                round_id=self.round_id,
                unit_code="dept_a",
                filename="a.xlsx",
                data=self.fresh(self.filled()),
            )
            steps = {
                "draft": [],
                "submitted": ["submit"],
                "approved": ["submit", "approve"],
                "published": ["submit", "approve", "publish"],
            }[state]
            done = {"draft": 0, "submitted": 1, "approved": 2, "published": 3}.get(sub.status, 0)
            for step in steps[done:]:  # an identical file returns its earlier version: go on from there
                if step == "submit":
                    svc.submit_submission(s, dept, sub.id)
                elif step == "approve":
                    svc.approve_submission(s, office, sub.id)
                else:
                    svc.publish_submission(s, office, sub.id)
            return sub.id

    def new_round(self, period: str, units: list[str] | None = None) -> int:
        with self.db.session() as s:
            return open_round(
                s,
                self.users["office"],
                period=period,
                title=period,
                due_date=dt.date(2031, 1, 1),
                unit_codes=units,
            ).id


@pytest.fixture(scope="module")
def api(tmp_path_factory, tiny_plan, fill):
    data_dir = tmp_path_factory.mktemp("api")
    settings = Settings(data_dir=data_dir, secret_key="test-secret", max_upload_bytes=2_000_000)
    db = Database.from_settings(settings)
    init_database(db, tiny_plan)
    app = create_app(settings)
    with TestClient(app) as client:
        a = Api(client=client, db=db, fill=fill)
        with db.session() as s:
            for role, unit in ROLE_UNITS.items():
                a.users[role] = create_user(s, username=role, password=PASSWORD, role=role, unit_code=unit)
                a.tokens[role] = issue_token(s, a.users[role])
            a.round_id = open_round(
                s, a.users["office"], period="2024", title="2024", due_date=dt.date(2025, 3, 31)
            ).id
        yield a
    db.dispose()
    if getattr(app.state, "database", None) is not None:
        app.state.database.dispose()
