"""The carbon-budget page: city, sectors and districts with their warning colour and reason, the
monthly nowcast with its backtest band, the watch-lists (services/budget.py; signed-in users)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from carbonpeak.errors import NotAuthenticated
from carbonpeak.services.pages.common import PageBase

if TYPE_CHECKING:
    from carbonpeak.settings import Settings
    from carbonpeak.store.db import Database


class BudgetUnit(BaseModel):
    unit: str
    name_zh: str
    name_en: str
    budget: float
    ytd: float
    budget_ytd: float
    months: int
    execution_ratio: float
    probability: float
    headroom: float
    level: int
    level_zh: str
    level_en: str
    colour: str
    reasons: list[dict[str, str]] = Field(default_factory=list)


class BacktestYear(BaseModel):
    year: int
    nowcast: float
    inventory: float
    error: float


class BudgetPage(PageBase):
    year: int | None = None
    years: list[int] = Field(default_factory=list)
    unit: str = "万tCO2"
    target: dict[str, Any] = Field(default_factory=dict)
    city: BudgetUnit | None = None
    sectors: list[BudgetUnit] = Field(default_factory=list)
    districts: list[BudgetUnit] = Field(default_factory=list)
    watch_sectors: list[dict[str, str]] = Field(default_factory=list)  # code, name_zh, name_en
    watch_districts: list[dict[str, str]] = Field(default_factory=list)
    enterprises_note: str = ""
    months: list[str] = Field(default_factory=list)
    nowcast: list[float] = Field(default_factory=list)
    band_low: list[float] = Field(default_factory=list)
    band_high: list[float] = Field(default_factory=list)
    backtest: list[BacktestYear] = Field(default_factory=list)
    backtest_mae: float | None = None
    backtest_rmse: float | None = None
    probability_source: str = ""
    rules: str = ""


SECTOR_NAMES = {
    "jinan": ("济南市", "Jinan"),
    "primary": ("第一产业", "Primary sector"),
    "secondary": ("第二产业", "Secondary sector"),
    "tertiary": ("第三产业", "Tertiary sector"),
    "residential": ("城乡居民生活", "Households"),
}


def _names(code: str, units: dict[str, Any]) -> tuple[str, str]:
    """The unit's names from the plan (the code stands in for one the plan does not name)."""
    if code in SECTOR_NAMES:
        return SECTOR_NAMES[code]
    unit = units.get(code)
    return (unit.name_zh, unit.name_en) if unit is not None else (code, code)


def _name_pair(code: str, units: dict[str, Any]) -> dict[str, str]:
    zh, en = _names(code, units)
    return {"code": code, "name_zh": zh, "name_en": en}


def _unit(u: dict[str, Any], units: dict[str, Any]) -> BudgetUnit:
    zh, en = _names(u["unit"], units)
    keep = {k: u[k] for k in BudgetUnit.model_fields if k in u}
    return BudgetUnit(**keep, name_zh=zh, name_en=en)


def budget_page(settings: Settings, *, year: int | None, db: Database | None, user: Any) -> BudgetPage:
    """The budget of `year` (default: the latest year with published months) for a signed-in user."""
    from carbonpeak.services import budget as service
    from carbonpeak.services.dataset import versions
    from carbonpeak.services.plan import current_plan

    if user is None:
        raise NotAuthenticated("sign in to see the carbon budget", message_zh="请登录后查看碳预算")
    view = service.nowcast_view(db)
    years = sorted(int(y) for y, a in view["annual"].items() if a["months"])
    chosen = year if year is not None else years[-1]
    rules, origin = service.current_rules(settings.data_dir if db is not None else None)
    report = service.budget_report(chosen, db, rules=rules, rules_origin=origin)
    flags = set(report["flags"])
    city_bt = [r for r in view["backtest"] if r["sector"] == "city"]
    summary = view["backtest_summary"].get("city", {})
    v = versions()
    units = {u.code: u for u in current_plan(settings.plan_file).units}
    return BudgetPage(
        flag="sample" if "sample" in flags else "estimated" if "estimated" in flags else "published",
        data_source=f"electricity_monthly ({view['origin']}); docs/methods/nowcast.md",
        snapshot=report["dataset"],
        factor_library=v["factor_library"],
        methods=v["methods"],
        year=chosen,
        years=[y for y in years if rules.period_of(y) is not None],
        target=report["target"],
        city=_unit(report["city"], units),
        sectors=[_unit(s, units) for s in report["sectors"]],
        districts=sorted(
            (_unit(d, units) for d in report["districts"]), key=lambda d: (d.level, -d.execution_ratio)
        ),
        watch_sectors=[_name_pair(c, units) for c in report["watch_list"]["sectors"]],
        watch_districts=[_name_pair(c, units) for c in report["watch_list"]["districts"]],
        enterprises_note=report["watch_list"]["enterprises_note"],
        months=view["months"],
        nowcast=view["city"],
        band_low=view["band_low"],
        band_high=view["band_high"],
        backtest=[
            BacktestYear(year=r["year"], nowcast=r["nowcast"], inventory=r["inventory"], error=r["error"])
            for r in city_bt
        ],
        backtest_mae=summary.get("mae"),
        backtest_rmse=summary.get("rmse"),
        probability_source=f"{report['probability']['scenario']} · seed {report['probability']['seed']} · "
        f"{report['probability']['draws']} draws",
        rules=origin,
    )


__all__ = ["BudgetPage", "budget_page"]
