"""The JSON API. Each module of `routes/` defines `router: APIRouter`; all are included here.

Routes are thin: parse, call one service, return a pydantic model. Errors are raised as
carbonpeak.errors and mapped to status codes by api/errors.py; ERROR_RESPONSES documents those
answers (ErrorOut) on every operation of the OpenAPI document, as any route may meet them (a missing
token, a record gone, a database not initialised); 422 is documented by FastAPI itself wherever a
request can fail validation.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from carbonpeak.api import routes


class ProblemOut(BaseModel):
    location: str
    rule: str
    message_zh: str
    message_en: str
    value: str | None = None
    severity: str


class ErrorOut(BaseModel):
    """Every error answer of the API (api/errors.error_body): the error's class, en and zh text, and
    for bad input every problem found."""

    error: str
    message: str
    message_zh: str
    problems: list[ProblemOut] | None = None


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "no valid token or session (NotAuthenticated)"},
    403: {"model": ErrorOut, "description": "the role or unit does not allow it (PermissionDenied)"},
    404: {"model": ErrorOut, "description": "no such record (NotFound)"},
    409: {"model": ErrorOut, "description": "the record's state does not allow it (Conflict)"},
    429: {
        "model": ErrorOut,
        "description": "too many tries; wait Retry-After seconds (TooManyRequests)",
        "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds to wait"}},
    },
    503: {"model": ErrorOut, "description": "the database is not initialised (NotInitialised)"},
}


def build_api_router() -> APIRouter:
    root = APIRouter(responses=ERROR_RESPONSES)
    for info in sorted(pkgutil.iter_modules(routes.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{routes.__name__}.{info.name}")
        router = getattr(module, "router", None)
        if router is not None:
            root.include_router(router)
    return root
