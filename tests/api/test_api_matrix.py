"""Authorisation matrix: every role × every endpoint of the store's API, allowed and denied.

Each row names an endpoint, how to build the request (a fresh object when the call changes state)
and the roles allowed; every other role must get 403, and no credentials 401.
"""

from __future__ import annotations

import itertools

import pytest

ROLES = ("office", "department", "district", "enterprise", "viewer")
EVERYONE = frozenset(ROLES)
OFFICE = frozenset({"office"})
OWNER = frozenset({"office", "department"})  # dept_a's own data: its department user and the office
_counter = itertools.count(1)


def _user_body(role):
    n = next(_counter)
    return {"username": f"new_{role}_{n}", "password": "long enough", "role": "viewer", "unit_code": "dept_b"}


# name: (method, path builder, request kwargs builder, allowed roles, success status)
ENDPOINTS = {
    "me": ("GET", lambda a: "/api/auth/me", None, EVERYONE, 200),
    "users.list": ("GET", lambda a: "/api/users", None, OFFICE, 200),
    "users.create": ("POST", lambda a: "/api/users", lambda a, r: {"json": _user_body(r)}, OFFICE, 201),
    "users.get.other": ("GET", lambda a: f"/api/users/{a.users['office'].id}", None, OFFICE, 200),
    "users.deactivate": (
        "POST",
        lambda a: f"/api/users/{a.users['viewer'].id + 1000}/deactivate",
        None,
        OFFICE,
        404,
    ),
    "rounds.list": ("GET", lambda a: "/api/rounds", None, EVERYONE, 200),
    "rounds.open": (
        "POST",
        lambda a: "/api/rounds",
        lambda a, r: {"json": {"period": f"{2100 + next(_counter)}", "title": "t", "due_date": "2031-01-01"}},
        OFFICE,
        201,
    ),
    "rounds.get.invited": ("GET", lambda a: f"/api/rounds/{a.round_id}", None, EVERYONE, 200),
    "rounds.get.dept_a_only": (
        "GET",
        lambda a: f"/api/rounds/{a.new_round(str(3000 + next(_counter)), ['dept_a'])}",
        None,
        frozenset({"office", "department", "viewer"}),
        200,
    ),
    "rounds.close": (
        "POST",
        lambda a: f"/api/rounds/{a.new_round(str(4000 + next(_counter)))}/close",
        None,
        OFFICE,
        200,
    ),
    "rounds.template": ("GET", lambda a: f"/api/rounds/{a.round_id}/template/dept_a", None, OWNER, 200),
    "submissions.upload": (
        "POST",
        lambda a: f"/api/rounds/{a.round_id}/submissions",
        lambda a, r: {"files": {"file": ("a.xlsx", a.filled())}, "data": {"unit_code": "dept_a"}},
        OWNER,
        201,
    ),
    "submissions.list": ("GET", lambda a: "/api/submissions", None, EVERYONE, 200),
    "submissions.get": ("GET", lambda a: f"/api/submissions/{a.submission()}", None, OWNER, 200),
    "submissions.get.published": (
        "GET",
        lambda a: f"/api/submissions/{a.submission('published')}",
        None,
        frozenset({"office", "department", "viewer"}),
        200,
    ),
    "submissions.file": ("GET", lambda a: f"/api/submissions/{a.submission()}/file", None, OWNER, 200),
    "submissions.submit": (
        "POST",
        lambda a: f"/api/submissions/{a.submission()}/submit",
        lambda a, r: {"json": {}},
        OWNER,
        200,
    ),
    "submissions.approve": (
        "POST",
        lambda a: f"/api/submissions/{a.submission('submitted')}/approve",
        lambda a, r: {"json": {}},
        OFFICE,
        200,
    ),
    "submissions.return": (
        "POST",
        lambda a: f"/api/submissions/{a.submission('submitted')}/return",
        lambda a, r: {"json": {"comment": "请核实"}},
        OFFICE,
        200,
    ),
    "submissions.publish": (
        "POST",
        lambda a: f"/api/submissions/{a.submission('approved')}/publish",
        None,
        OFFICE,
        200,
    ),
    "submissions.unpublish": (
        "POST",
        lambda a: f"/api/submissions/{a.submission('published')}/unpublish",
        lambda a, r: {"json": {"comment": "数字有误"}},
        OFFICE,
        200,
    ),
    "observations.current": ("GET", lambda a: "/api/observations/current", None, EVERYONE, 200),
    "task_progress.current": ("GET", lambda a: "/api/task-progress/current", None, EVERYONE, 200),
    "values.history": (
        "GET",
        lambda a: "/api/values/history?kind=indicator&key=pv_capacity",
        None,
        EVERYONE,
        200,
    ),
    "audit.list": ("GET", lambda a: "/api/audit", None, OFFICE, 200),
    "audit.verify": ("GET", lambda a: "/api/audit/verify", None, OFFICE, 200),
    "metering.packs": (
        "POST",
        lambda a: "/api/metering/packs",
        lambda a, r: {"content": b'[{"n": "x/y/z", "t": 1750000000, "v": 1}]'},
        frozenset({"office", "department", "enterprise"}),
        200,
    ),
    "metering.meters": ("GET", lambda a: "/api/metering/meters", None, EVERYONE, 200),
    "metering.rejections": ("GET", lambda a: "/api/metering/rejections", None, EVERYONE, 200),
}


@pytest.mark.parametrize(("endpoint", "role"), [(e, r) for e in ENDPOINTS for r in (*ROLES, None)])
def test_matrix(api, endpoint, role):
    method, path, kwargs, allowed, ok = ENDPOINTS[endpoint]
    request = kwargs(api, role) if kwargs else {}
    response = api.client.request(method, path(api), headers=api.headers(role), **request)
    expected = 401 if role is None else ok if role in allowed else 403
    assert response.status_code == expected, response.text


STORE_PREFIXES = (
    "/api/auth",
    "/api/users",
    "/api/rounds",
    "/api/submissions",
    "/api/audit",
    "/api/observations",
    "/api/task-progress",
    "/api/values",
)
MATRIX_ROUTES = {
    ("GET", "/api/auth/me"),
    ("GET", "/api/users"),
    ("POST", "/api/users"),
    ("GET", "/api/users/{user_id}"),
    ("POST", "/api/users/{user_id}/deactivate"),
    ("GET", "/api/rounds"),
    ("POST", "/api/rounds"),
    ("GET", "/api/rounds/{round_id}"),
    ("POST", "/api/rounds/{round_id}/close"),
    ("GET", "/api/rounds/{round_id}/template/{unit_code}"),
    ("POST", "/api/rounds/{round_id}/submissions"),
    ("GET", "/api/submissions"),
    ("GET", "/api/submissions/{submission_id}"),
    ("GET", "/api/submissions/{submission_id}/file"),
    ("POST", "/api/submissions/{submission_id}/submit"),
    ("POST", "/api/submissions/{submission_id}/approve"),
    ("POST", "/api/submissions/{submission_id}/return"),
    ("POST", "/api/submissions/{submission_id}/publish"),
    ("POST", "/api/submissions/{submission_id}/unpublish"),
    ("GET", "/api/observations/current"),
    ("GET", "/api/task-progress/current"),
    ("GET", "/api/values/history"),
    ("GET", "/api/audit"),
    ("GET", "/api/audit/verify"),
}
SIGN_IN_OUT = {("POST", "/api/auth/token"), ("POST", "/api/auth/session"), ("POST", "/api/auth/logout")}
ROTATE = {("POST", "/api/auth/token/rotate")}  # any live API token rotates itself: test_api_security.py


def test_every_route_of_the_store_is_in_the_matrix(api):
    schema = api.client.get("/api/openapi.json").json()
    routes = {
        (m.upper(), p) for p, ops in schema["paths"].items() if p.startswith(STORE_PREFIXES) for m in ops
    }
    assert routes == MATRIX_ROUTES | SIGN_IN_OUT | ROTATE  # sign-in and sign-out: test_api_flow.py


def test_reporting_units_see_only_their_own_submissions(api):
    sub = api.submission()
    seen = {
        role: {s["id"] for s in api.client.get("/api/submissions", headers=api.headers(role)).json()}
        for role in ROLES
    }
    assert sub in seen["office"] and sub in seen["department"]
    assert sub not in seen["district"] | seen["enterprise"] | seen["viewer"]
