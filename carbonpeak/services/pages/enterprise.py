"""Enterprise pages: the office's view (/enterprises) and an enterprise's own account (/enterprises/{uscc}).

    enterprises_page(settings, user, year, db)   league tables by industry and district, the 高碳 /
                                                 grade-5 list, ETS compliance, 两高 below baseline,
                                                 the grade distribution (the office, departments,
                                                 districts, viewers; not an enterprise user)
    enterprise_page(settings, user, uscc, db)    trend, grade, anonymous position in its industry,
                                                 what moves it up a grade (an enterprise user: its own)
    reconciliation_section(db, year)             the inventory page's top-down vs bottom-up table
    export_rows(settings, user, year, db)        the graded accounts as rows for CSV/XLSX

Every figure is services/enterprise.py's (one computation per data set); labels in zh and en.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pydantic import BaseModel, Field

from carbonpeak.enterprise.ets import Compliance
from carbonpeak.enterprise.industries import industries
from carbonpeak.enterprise.scheme import load_scheme
from carbonpeak.indicators.series import weakest_flag
from carbonpeak.services import enterprise as ent
from carbonpeak.services.pages.common import PageBase, load_plan_for
from carbonpeak.settings import Settings
from carbonpeak.store.db import Database

SCHEME = "huzhou-2021"
GRADES = (1, 2, 3, 4, 5)


class Label(BaseModel):
    zh: str
    en: str


class GradeLine(BaseModel):
    uscc: str
    name_zh: str
    name_en: str
    industry: str
    division: str
    district: str
    energy_tce: float
    co2_t: float
    value_added: float | None
    intensity: float | None
    level: str | None
    k: float | None
    grade: int | None
    reason: str
    flag: str
    cut_to_next_t: float | None


class LeagueRow(BaseModel):
    code: str
    name_zh: str
    name_en: str
    enterprises: int
    graded: int
    co2_t: float
    value_added: float
    intensity: float | None  # Σ CO2 ÷ Σ value added, t/万元
    grades: list[int]  # enterprises in grade 1 … 5
    note: str | None = None  # "small_population" when the industry is below the minimum


class EtsLine(BaseModel):
    """An enterprise's ETS compliance in one period (enterprise/ets.Compliance) with its names."""

    uscc: str
    name_zh: str
    name_en: str
    period: str
    allocated_t: float
    verified_t: float
    surrendered_t: float | None
    surplus_t: float
    status: str
    flag: str

    @classmethod
    def of(cls, c: Compliance, name_zh: str, name_en: str) -> EtsLine:
        return cls(name_zh=name_zh, name_en=name_en, **asdict(c))


class EfficiencyLine(BaseModel):
    uscc: str
    name_zh: str
    name_en: str
    product: str
    product_zh: str
    product_en: str
    value: float
    unit: str
    benchmark: float
    baseline: float
    status: str
    flag: str
    source: str


class SectorLine(BaseModel):
    division: str
    name_zh: str
    name_en: str
    inventory_sectors: list[str]
    inventory_t: float
    enterprises_t: float
    coverage: float | None
    residual_t: float
    enterprises: int


class ReconciliationSection(BaseModel):
    year: int | None = None
    rows: list[SectorLine] = Field(default_factory=list)
    inventory_t: float = 0.0
    enterprises_t: float = 0.0
    coverage: float | None = None
    inventory_source: str | None = None


class EnterprisesPage(PageBase):
    year: int | None = None
    years: list[int] = Field(default_factory=list)
    scheme: dict[str, Any] = Field(default_factory=dict)
    registered: int = 0
    graded: int = 0
    key_energy_units: int = 0
    ets_units: int = 0
    lianggao_units: int = 0
    grade_counts: list[int] = Field(default_factory=list)  # grades 1 … 5, then not graded
    by_industry: list[LeagueRow] = Field(default_factory=list)
    by_district: list[LeagueRow] = Field(default_factory=list)
    high_carbon: list[GradeLine] = Field(default_factory=list)
    ets: list[EtsLine] = Field(default_factory=list)
    lianggao_below: list[EfficiencyLine] = Field(default_factory=list)
    lianggao_all: list[EfficiencyLine] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class TrendPoint(BaseModel):
    year: int
    co2_t: float
    intensity: float | None
    grade: int | None
    level: str | None
    flag: str


class MonthPoint(BaseModel):
    month: int
    co2_t: float
    grade: int | None


class EnterprisePage(PageBase):
    uscc: str
    name_zh: str
    name_en: str
    industry: str
    industry_zh: str
    industry_en: str
    district: Label
    key_energy_unit: bool
    ets_covered: bool
    lianggao: str
    year: int | None = None
    current: GradeLine | None = None
    trend: list[TrendPoint] = Field(default_factory=list)
    monthly_year: int | None = None
    monthly: list[MonthPoint] = Field(default_factory=list)
    # the industry's K values of the year, sorted, without names; `position` is this enterprise's index
    peers_k: list[float] = Field(default_factory=list)
    position: int | None = None
    rank: int | None = None
    population: int = 0
    industry_mean: float | None = None
    next_grade: int | None = None
    next_grade_bound: float | None = None
    cut_to_next_t: float | None = None
    ets: list[EtsLine] = Field(default_factory=list)
    efficiency: list[EfficiencyLine] = Field(default_factory=list)
    lineage: str = ""


def _line(r: ent.GradeRow) -> GradeLine:
    return GradeLine(**{k: getattr(r, k) for k in GradeLine.model_fields})


def _district_labels(settings: Settings) -> dict[str, Label]:
    plan = load_plan_for(settings)
    if plan is None:
        return {}
    return {u.code: Label(zh=u.name_zh, en=u.name_en) for u in plan.units}


def _league(rows: list[ent.GradeRow], key: str, labels: dict[str, Label]) -> list[LeagueRow]:
    groups: dict[str, list[ent.GradeRow]] = {}
    for r in rows:
        groups.setdefault(getattr(r, key), []).append(r)
    out = []
    for code, members in groups.items():
        co2 = sum(r.co2_t for r in members)
        va = sum(r.value_added or 0.0 for r in members)
        label = labels.get(code, Label(zh=code, en=code))
        small = key == "division" and all(r.reason == "small_population" for r in members)
        out.append(
            LeagueRow(
                code=code,
                name_zh=label.zh,
                name_en=label.en,
                enterprises=len(members),
                graded=sum(1 for r in members if r.grade),
                co2_t=co2,
                value_added=va,
                intensity=co2 / va if va > 0 else None,
                grades=[sum(1 for r in members if r.grade == g) for g in GRADES],
                note="small_population" if small else None,
            )
        )
    return sorted(out, key=lambda r: -r.co2_t)


def _year(db: Database | None, year: int | None) -> tuple[int | None, list[int]]:
    years = ent.book(db).years
    if not years:
        return None, []
    return (year if year in years else years[-1]), years


def _industry_labels() -> dict[str, Label]:
    return {d: Label(zh=i.name_zh, en=i.name_en) for d, i in industries().items()}


def enterprises_page(
    settings: Settings, *, user: Any, year: int | None = None, db: Database | None = None
) -> EnterprisesPage:
    b = ent.book(db)
    ent.require_all(user, b)
    year, years = _year(db, year)
    if year is None:
        return EnterprisesPage(missing=["enterprises"])
    scheme = load_scheme(SCHEME)
    rows = ent.grades(db, year, scheme=SCHEME)
    names = {u: (e.name_zh, e.name_en) for u, e in b.register.items()}
    ets_rows = [EtsLine.of(c, *names[c.uscc]) for c in ent.ets_status(db) if c.uscc in names]
    eff = _efficiency_lines(db, year, names)
    from carbonpeak.services.dataset import versions

    a = ent.accounts(db, year, scheme=SCHEME)
    shown = [r.flag for r in rows] + [r.flag for r in ets_rows] + [r.flag for r in eff]
    return EnterprisesPage(
        flag=weakest_flag(shown) if shown else None,
        data_source=f"data set {b.id}",
        snapshot=b.id,
        factor_library=versions()["factor_library"],
        methods=versions()["methods"],
        year=year,
        years=years,
        scheme={
            "code": scheme.code,
            "title_zh": scheme.title_zh,
            "title_en": scheme.title_en,
            "source": scheme.source,
            "min_population": scheme.min_population,
            "levels": [lv.model_dump() for lv in scheme.levels],
            "grades": [g.model_dump() for g in scheme.grades],
        },
        registered=len(b.register),
        graded=sum(1 for r in rows if r.grade),
        key_energy_units=sum(1 for e in b.register.values() if e.key_energy_unit),
        ets_units=sum(1 for e in b.register.values() if e.ets),
        lianggao_units=sum(1 for e in b.register.values() if e.lianggao),
        grade_counts=[sum(1 for r in rows if r.grade == g) for g in GRADES]
        + [sum(1 for r in rows if not r.grade)],
        by_industry=_league(rows, "division", _industry_labels()),
        by_district=_league(rows, "district", _district_labels(settings)),
        high_carbon=sorted(
            (_line(r) for r in rows if r.grade == 5 or r.level == "high"),
            key=lambda r: -(r.intensity or 0.0),
        ),
        ets=ets_rows,
        lianggao_below=[e for e in eff if e.status == "below_baseline"],
        lianggao_all=eff,
        notes=list(a.notes),
    )


def _efficiency_lines(
    db: Database | None, year: int, names: dict[str, tuple[str, str]]
) -> list[EfficiencyLine]:
    from carbonpeak.enterprise.efficiency import levels

    out = []
    for e in ent.lianggao(db, year):
        if e.uscc not in names:
            continue
        lv = levels()[e.product]
        out.append(
            EfficiencyLine(
                uscc=e.uscc,
                name_zh=names[e.uscc][0],
                name_en=names[e.uscc][1],
                product=e.product,
                product_zh=lv.name_zh,
                product_en=lv.name_en,
                value=e.value,
                unit=e.unit,
                benchmark=e.benchmark,
                baseline=e.baseline,
                status=e.status,
                flag=e.flag,
                source=e.source,
            )
        )
    return out


def own_accounts(user: Any, db: Database | None) -> list[str]:
    """The USCCs an enterprise user reports for (register `reporters`), sorted; [] for other roles."""
    if getattr(user, "role", None) != "enterprise":
        return []
    return sorted(ent.visible_usccs(user, ent.book(db)) or ())


def enterprise_page(
    settings: Settings, *, user: Any, uscc: str, year: int | None = None, db: Database | None = None
) -> EnterprisePage:
    b = ent.book(db)
    e = ent.require_one(user, b, uscc)
    year, years = _year(db, year)
    scheme = load_scheme(SCHEME)
    ind = industries().get(e.division)
    district = _district_labels(settings).get(e.district, Label(zh=e.district, en=e.district))
    page = EnterprisePage(
        uscc=e.uscc,
        name_zh=e.name_zh,
        name_en=e.name_en,
        industry=e.industry,
        industry_zh=ind.name_zh if ind else e.industry,
        industry_en=ind.name_en if ind else e.industry,
        district=district,
        key_energy_unit=e.key_energy_unit,
        ets_covered=e.ets,
        lianggao=e.lianggao,
        year=year,
        snapshot=b.id,
        data_source=f"data set {b.id}",
        lineage=e.lineage,
    )
    flags = [e.flag]
    for y in years:
        mine = next((r for r in ent.grades(db, y, scheme=SCHEME) if r.uscc == uscc), None)
        if mine is not None:
            page.trend.append(
                TrendPoint(
                    year=y,
                    co2_t=mine.co2_t,
                    intensity=mine.intensity,
                    grade=mine.grade,
                    level=mine.level,
                    flag=mine.flag,
                )
            )
            flags.append(mine.flag)
    if year is not None:
        rows = ent.grades(db, year, scheme=SCHEME)
        mine = next((r for r in rows if r.uscc == uscc), None)
        if mine is not None:
            page.current = _line(mine)
            page.rank, page.population, page.industry_mean = mine.rank, mine.population, mine.industry_mean
            if mine.grade:
                peers = sorted(
                    (r.k, r.uscc == uscc) for r in rows if r.division == e.division and r.k is not None
                )
                page.peers_k = [k for k, _ in peers]
                page.position = next(i for i, (_, me) in enumerate(peers) if me)
                if mine.grade > 1:
                    page.next_grade = mine.grade - 1
                    page.next_grade_bound = scheme.grades[mine.grade - 2].max
                    page.cut_to_next_t = mine.cut_to_next_t
        months = sorted({m for (u, y, m) in b.monthly if u == uscc and y == year})
        if months:
            page.monthly_year = year
            for m in months:
                r = next((r for r in ent.grades(db, year, month=m, scheme=SCHEME) if r.uscc == uscc), None)
                if r is not None:
                    page.monthly.append(MonthPoint(month=m, co2_t=r.co2_t, grade=r.grade))
        names = {uscc: (e.name_zh, e.name_en)}
        page.efficiency = _efficiency_lines(db, year, names)
    page.ets = [EtsLine.of(c, e.name_zh, e.name_en) for c in ent.ets_status(db) if c.uscc == uscc]
    flags += [r.flag for r in page.ets] + [r.flag for r in page.efficiency]
    page.flag = weakest_flag(flags)
    return page


def reconciliation_section(db: Database | None, year: int | None) -> ReconciliationSection:
    """Enterprises' direct CO2 against the inventory's, by industry, for the inventory page."""
    if year is None or year not in ent.book(db).years:
        return ReconciliationSection()
    rec = ent.reconciliation(db, year)
    labels = _industry_labels()
    rows = [
        SectorLine(
            division=r.sector,
            name_zh=labels[r.sector].zh,
            name_en=labels[r.sector].en,
            inventory_sectors=list(rec.inventory_sectors.get(r.sector, ())),
            inventory_t=r.inventory_t,
            enterprises_t=r.enterprises_t,
            coverage=r.coverage,
            residual_t=r.residual_t,
            enterprises=r.enterprises,
        )
        for r in rec.rows
    ]
    inv = sum(r.inventory_t for r in rows)
    entp = sum(r.enterprises_t for r in rows if r.inventory_t > 0)
    return ReconciliationSection(
        year=year,
        rows=rows,
        inventory_t=inv,
        enterprises_t=entp,
        coverage=entp / inv if inv > 0 else None,
        inventory_source=rec.inventory_source,
    )


EXPORT_COLUMNS = (
    "uscc",
    "name_zh",
    "name_en",
    "industry",
    "division",
    "district",
    "energy_tce",
    "co2_t",
    "direct_t",
    "indirect_t",
    "value_added",
    "intensity",
    "level",
    "industry_mean",
    "population",
    "k",
    "grade",
    "reason",
    "flag",
    "cut_to_next_t",
)


def export_rows(user: Any, year: int | None, db: Database | None) -> tuple[int | None, list[dict[str, Any]]]:
    """(year, one row per enterprise: its account and grade, numbers as numbers)."""
    b = ent.book(db)
    ent.require_all(user, b)
    year, _ = _year(db, year)
    if year is None:
        return None, []
    return year, [{c: getattr(r, c) for c in EXPORT_COLUMNS} for r in ent.grades(db, year, scheme=SCHEME)]


__all__ = [
    "EXPORT_COLUMNS",
    "EnterprisePage",
    "EnterprisesPage",
    "ReconciliationSection",
    "enterprise_page",
    "enterprises_page",
    "export_rows",
    "own_accounts",
    "reconciliation_section",
]
