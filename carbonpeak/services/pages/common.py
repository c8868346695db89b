"""Pieces shared by the page view-models: small models, the plan, and the store's one excuse.

A page reads the app's database (passed in as `db`); the only database error it may turn into
"nothing stored yet" is a store that was never initialised (`reading_store`). Any other database
error propagates, so a broken store answers an error page instead of the sample data.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel, Field
from sqlalchemy import inspect
from sqlalchemy.exc import OperationalError, ProgrammingError

from carbonpeak.errors import IntegrityError, NotInitialised
from carbonpeak.plan.schema import Plan, Target
from carbonpeak.services.plan import current_plan
from carbonpeak.settings import Settings
from carbonpeak.store.db import Database, is_missing_table


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
    snapshot: str | None = None  # the id of the data set its figures were computed from
    factor_library: str | None = None  # services/dataset.versions(): the factor files' hash
    methods: str | None = None  # the methods' (package) version


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


def load_plan_for(settings: Settings) -> Plan | None:
    """The plan of `settings.plan_file` (services/plan.py caches it), or None when there is none."""
    path = Path(settings.plan_file)
    if not path.exists():
        return None
    return current_plan(path)


VERSION_TABLE = "alembic_version"  # written by the first migration (`carbonpeak init`)


@contextmanager
def reading_store(db: Database) -> Iterator[None]:
    """Around a read of the store: a missing table in a database that was never initialised becomes
    NotInitialised (the caller shows what it shows without a store); a missing table in an
    initialised database is an IntegrityError; every other database error propagates as it is."""
    try:
        yield
    except (OperationalError, ProgrammingError) as exc:
        if not is_missing_table(exc):
            raise
        if VERSION_TABLE in inspect(db.engine).get_table_names():
            raise IntegrityError(
                f"the database is initialised but lacks a table: {exc.orig or exc}",
                message_zh=f"数据库已初始化但缺少数据表：{exc.orig or exc}",
            ) from exc
        raise NotInitialised() from exc


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


class Odds(BaseModel):
    """P(peak by 2030) of one shipped scenario's shown run (%)."""

    scenario: str  # plan · baseline
    value: float | None = None  # %
    label_zh: str = ""
    label_en: str = ""
    source: str = ""


ODDS_SCENARIOS = ("plan", "baseline")  # shown side by side: the plan delivered in full, current trends
