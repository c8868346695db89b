"""The JSON API. Each module of `routes/` defines `router: APIRouter`; all are included here.

Routes are thin: parse, call one service, return a pydantic model. Errors are raised as
carbonpeak.errors and mapped to status codes by api/errors.py.
"""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import APIRouter

from carbonpeak.api import routes


def build_api_router() -> APIRouter:
    root = APIRouter()
    for info in sorted(pkgutil.iter_modules(routes.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{routes.__name__}.{info.name}")
        router = getattr(module, "router", None)
        if router is not None:
            root.include_router(router)
    return root
