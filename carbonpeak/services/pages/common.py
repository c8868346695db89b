"""Pieces shared by the page view-models: small models, the plan, and optional engines."""

from __future__ import annotations

import importlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from carbonpeak.plan.schema import Plan, Target
from carbonpeak.settings import Settings


class Named(BaseModel):
    code: str
    name_zh: str
    name_en: str


class SourceRef(BaseModel):
    section: str
    quote: str


class PageBase(BaseModel):
    """What every page model carries: the engines that had no data when it was built, and the
    weakest flag of the figures shown (published · estimated · sample), with where they came from."""

    missing: list[str] = Field(default_factory=list)
    flag: str | None = None
    data_source: str | None = None


class Point(BaseModel):
    year: int
    value: float | None


class FanPoint(BaseModel):
    year: int
    p5: float
    p25: float
    p50: float
    p75: float
    p95: float


class Series(BaseModel):
    key: str
    label_zh: str
    label_en: str
    values: list[float | None]  # aligned with the page's years


class Bar(BaseModel):
    key: str
    label_zh: str
    label_en: str
    value: float | None = None
    low: float | None = None
    high: float | None = None


class CountRow(BaseModel):
    key: str
    label_zh: str
    label_en: str
    count: int


def engine(module: str) -> Any:
    """The engine module, or None while it is not written yet (other import errors propagate)."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return None
        raise


def load_plan_for(settings: Settings) -> Plan | None:
    """The plan of `settings.plan_file` (services/plan.py caches it), or None when there is none."""
    path = Path(settings.plan_file)
    service = engine("carbonpeak.services.plan")
    if not path.exists() or service is None:
        return None
    plan: Plan = service.current_plan(path)
    return plan


def store_for(settings: Settings) -> Any:
    """The Database of `settings` (one per URL in the process), whose approved observations the
    indicator pages put over the current data set; None when the store package is absent."""
    store = engine("carbonpeak.store.db")
    return None if store is None else _store(store, settings.resolved_database_url())


@lru_cache(maxsize=8)
def _store(store: Any, url: str) -> Any:
    return store.Database(url)


PROJECT_ROOT = Path(__file__).resolve().parents[3]  # the checkout holding the carbonpeak package


def shown_path(path: str | Path | None) -> str | None:
    """A file as a page shows it: relative to the project (carbonpeak/…), not the machine's path."""
    if path is None:
        return None
    p = Path(path)
    try:
        return p.resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return p.name if p.is_absolute() else str(p)


def unit_ref(plan: Plan, code: str) -> Named:
    try:
        u = plan.unit(code)
        return Named(code=u.code, name_zh=u.short_zh or u.name_zh, name_en=u.name_en)
    except KeyError:
        return Named(code=code, name_zh=code, name_en=code)


def target_or_none(plan: Plan, code: str) -> Target | None:
    try:
        return plan.target(code)
    except KeyError:
        return None


def weakest(flags: list[str | None]) -> str | None:
    """`sample` beats `estimated` beats `published`: a page is only as good as its weakest figure."""
    present = {f for f in flags if f}
    for flag in ("sample", "estimated", "published"):
        if flag in present:
            return flag
    return None
