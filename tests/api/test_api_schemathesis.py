"""Schemathesis against the OpenAPI schema of the store's routes: no generated request gets a 5xx.

Every operation under the store's prefixes gets a bounded number of generated requests (hypothesis,
derandomised), each sent as the office — the role that reaches every route — and as nobody.
(schemathesis' own pytest loader fails on pytest 9, so the operations are driven directly.)"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

STORE_PATHS = r"^/api/(auth|users|rounds|submissions|audit|observations|task-progress|values)"
EXAMPLES = 6


def test_no_server_error(api):
    schema = (
        schemathesis.openapi.from_asgi("/api/openapi.json", api.client.app)
        .include(path_regex=STORE_PATHS)
        .exclude(path="/api/auth/logout")
    )  # it would revoke the token the run uses (see test_api_flow)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
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
        def no_5xx(case) -> None:
            for headers in (api.headers("office"), {}):
                response = case.call(headers={**(case.headers or {}), **headers})
                statuses.append(response.status_code)
                assert response.status_code < 500, (
                    f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}"
                )

        no_5xx()
    # the generated requests reached the handlers, not only the validation layer
    assert {200, 401, 404, 422} <= set(statuses), sorted(set(statuses))
