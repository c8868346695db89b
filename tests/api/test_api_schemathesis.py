"""Schemathesis against the API's OpenAPI schema, on SQLite and PostgreSQL: no generated request gets
a 5xx, every status code answered is documented (ST103), every answer fits its documented schema
(ST108: e.g. timestamps as RFC 3339 date-times with an offset) and content type.

Every operation gets a bounded number of generated requests (hypothesis, derandomised), each sent as
the office — the role that reaches every route — and as nobody; left out: logout and token rotation
(they would revoke the run's token) and /api/projection/run (seconds of Monte Carlo per request:
tests/scenarios and test_api_security cover it).
(schemathesis' own pytest loader fails on pytest 9, so the operations are driven directly.)"""

from __future__ import annotations

import datetime as dt

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from carbonpeak.app import create_app
from carbonpeak.services.init import init_database
from carbonpeak.services.rounds import open_round
from carbonpeak.services.users import create_user, issue_token
from carbonpeak.settings import Settings
from carbonpeak.store.db import Database

EXAMPLES = 6
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]


def test_store_api_conforms_to_its_schema(db_url, tmp_path, tiny_plan):
    app_settings = Settings(data_dir=tmp_path, database_url=db_url, secret_key="k", audit_key="a")
    db = Database.from_settings(app_settings)
    init_database(db, tiny_plan)
    with db.session() as s:
        office = create_user(
            s, username="office", password="correct horse 1", role="office", unit_code="office"
        )
        token = issue_token(s, office)
        open_round(s, office, period="2024", title="2024", due_date=dt.date(2025, 3, 31))
    app = create_app(app_settings)
    app.state.database = db
    auth = {"Authorization": f"Bearer {token}"}
    try:
        with TestClient(app) as client:
            _run(client, auth)
    finally:
        db.dispose()


def _run(client: TestClient, auth: dict[str, str]) -> None:
    schema = (
        schemathesis.openapi.from_asgi("/api/openapi.json", client.app)
        .exclude(path="/api/projection/run")
        .exclude(path="/api/auth/logout")
        .exclude(path="/api/auth/token/rotate")
    )  # they would revoke the token the run uses (see test_api_flow, test_api_security)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40
    statuses: list[int] = []

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def conforms(case) -> None:
            for headers in (auth, {}):
                response = case.call(headers={**(case.headers or {}), **headers})
                statuses.append(response.status_code)
                case.validate_response(response, checks=CHECKS)

        conforms()
    # the generated requests reached the handlers, not only the validation layer
    assert {200, 401, 404, 422} <= set(statuses), sorted(set(statuses))
