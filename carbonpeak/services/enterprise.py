"""Enterprise carbon accounts from the data set: the register, accounts, grades, ETS, 两高 and the
reconciliation with the city inventory — one computation, cached per data set, that the pages, the
API and the CLI all show.

    book(db) -> Book                    the register and the reports of the data set (services/dataset):
                                        the published records of the enterprise kinds, or (no store,
                                        nothing published) the demo files read through the same checks
    accounts(db, year, month=None)      Accounts: per enterprise, energy (tce), direct and indirect CO2 (t),
                                        value added (万元), flag and lineage
    grades(db, year, scheme, month=None) GradeRow per enterprise (carbonpeak/enterprise/grading.py)
    ets_status(db) / lianggao(db, year)  ETS compliance per period; 两高 specific energy vs the levels
    reconciliation(db, year)            SectorCheck rows: inventory vs enterprises, direct CO2 by industry
    visible_usccs(user, book)           the enterprises a user may see (an enterprise role: its own)
    report_context(session, kind)       what an upload of a report is checked against (register, metering)

Metering: the published data kind `metered_energy` (carbonpeak/metering/monthly.py; key USCC,
field `<energy_kind>:<YYYY-MM>`, a unit convertible to tce) give the metered energy of an enterprise-month;
an enterprise report contradicting it beyond the kind's tolerance is refused (enterprise/validate.py).
Formulas: docs/methods/enterprise.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from carbonpeak import units
from carbonpeak.enterprise import accounts as acc
from carbonpeak.enterprise import ets, grading, reconcile
from carbonpeak.enterprise.efficiency import efficiency_status, levels
from carbonpeak.enterprise.industries import division_of, industries
from carbonpeak.enterprise.scheme import GradingScheme, load_scheme
from carbonpeak.enterprise.validate import Context
from carbonpeak.errors import NotFound, PermissionDenied
from carbonpeak.indicators.series import weakest_flag
from carbonpeak.services.published import PublishedRow  # a demo file's rows take its shape
from carbonpeak.settings import DEFAULT_REGION

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from carbonpeak.statistics import DataKind
    from carbonpeak.store.db import Database

KINDS = ("enterprises", "enterprise_year", "enterprise_month")
METERED_KIND = "metered_energy"  # published by `carbonpeak metering publish` (metering/monthly.py)
SEE_ALL_ROLES = frozenset({"office", "department", "district", "viewer"})


@dataclass(frozen=True)
class Enterprise:
    uscc: str
    name_zh: str
    name_en: str
    industry: str
    division: str
    district: str
    key_energy_unit: bool
    ets: bool
    lianggao: str
    reporters: tuple[str, ...]
    flag: str
    lineage: str


@dataclass(frozen=True)
class Value:
    value: float  # in the item's canonical unit
    flag: str
    lineage: str


@dataclass
class Book:
    """The enterprise data of one data set (`id`): the register (newest year of each enterprise) and
    the annual and monthly report values by (USCC, year[, month]) → item → Value."""

    id: str
    register: dict[str, Enterprise] = field(default_factory=dict)
    annual: dict[tuple[str, int], dict[str, Value]] = field(default_factory=dict)
    monthly: dict[tuple[str, int, int], dict[str, Value]] = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        return sorted({y for _, y in self.annual})


def _lineage(r: Any) -> str:
    """The row's source and record: `[submission N vV, file cell]`, or `[file cell]` for a demo file
    read before anything is published; then its method."""
    method = f" ({r.method})" if r.method else ""
    record = f"submission {r.submission_id} v{r.version}, " if r.submission_id else ""
    return f"{r.source} [{record}{r.filename} {r.location}]{method}"


def _book_of(data_id: str, rows: Iterable[Any]) -> Book:
    book = Book(data_id)
    reg: dict[tuple[str, int], dict[str, Any]] = {}
    for r in rows:
        if r.kind == "enterprises":
            reg.setdefault((r.key, r.year), {})[r.field] = r
        elif r.kind in ("enterprise_year", "enterprise_month"):
            try:
                value = acc.canonical_value(r.value, r.unit, r.field) if acc.item(r.field) else None
            except (KeyError, ValueError):
                value = None
            if value is None:
                continue
            v = Value(value, r.flag, _lineage(r))
            if r.kind == "enterprise_year":
                book.annual.setdefault((r.key, r.year), {})[r.field] = v
            else:
                uscc, _, month = r.key.partition("/")
                book.monthly.setdefault((uscc, r.year, int(month)), {})[r.field] = v
    for (uscc, _year), fields in sorted(reg.items()):  # the newest year wins
        text = {k: f.text for k, f in fields.items()}
        first = next(iter(fields.values()))
        book.register[uscc] = Enterprise(
            uscc=uscc,
            name_zh=text.get("name_zh", ""),
            name_en=text.get("name_en", "") or text.get("name_zh", ""),
            industry=text.get("industry", ""),
            division=division_of(text.get("industry", "")) or "",
            district=text.get("district", ""),
            key_energy_unit=text.get("key_energy_unit") == "yes",
            ets=text.get("ets") == "yes",
            lianggao=text.get("lianggao", ""),
            reporters=tuple(text.get("reporters", "").split()),
            flag=weakest_flag([f.flag for f in fields.values()]),
            lineage=_lineage(first),
        )
    return book


_BOOKS: dict[str, Book] = {}


def book(db: Database | None = None) -> Book:
    """The enterprise data of the data set of `db` (cached per data set id)."""
    from carbonpeak.services.dataset import current

    data = current(db)
    found = _BOOKS.get(data.id)
    if found is not None:
        return found
    # as services/dataset.current: the demo files only while nothing at all is published; a store
    # with published statistics but no enterprise record has no enterprises (not the demo's)
    rows: Iterable[Any] = _demo_rows() if data.origin == "files" else data.enterprise
    found = _book_of(data.id, rows)
    if len(_BOOKS) >= 4:
        _BOOKS.clear()
    _BOOKS[data.id] = found
    return found


def _demo_rows() -> list[PublishedRow]:
    """The demo files parsed by statistics.parse_records (the checks of any upload; the register
    checked against the reports). TRANSITION as services/dataset.current: before anything is published."""
    from carbonpeak.demo.enterprises import demo_files
    from carbonpeak.statistics import kind_of, parse_records

    out: list[PublishedRow] = []
    register: frozenset[str] | None = None
    for kind, name, data in demo_files():
        spec = kind_of(kind)
        ctx = Context(register=register, tolerance=spec.tolerance) if spec.layout == "enterprise" else None
        parsed = parse_records(spec, name, data, region=DEFAULT_REGION, context=ctx)
        for rows in parsed.by_year.values():
            out += [
                PublishedRow(**asdict(r), kind=kind, submission_id=0, version=0, filename=name) for r in rows
            ]
        if kind == "enterprises":
            register = frozenset(r.key for r in out)
    return out


# -- accounts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Accounts:
    """One period's accounts: arrays aligned with `usccs`."""

    year: int
    month: int | None
    usccs: tuple[str, ...]
    energy_tce: np.ndarray
    direct_t: np.ndarray
    indirect_t: np.ndarray
    value_added: np.ndarray  # 万元; NaN when not reported
    flags: np.ndarray  # 0 published, 1 estimated, 2 sample (the weakest of the record's values)
    lineage: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def total_t(self) -> np.ndarray:
        return np.asarray(self.direct_t + self.indirect_t)


ACCOUNT_ROLES = ("fuel", "electricity", "heat", "green", "own", "process", "value_added")


def _accounts_of(b: Book, year: int, month: int | None, scheme: GradingScheme) -> Accounts:
    records = (
        {u: v for (u, y), v in b.annual.items() if y == year}
        if month is None
        else {u: v for (u, y, m), v in b.monthly.items() if y == year and m == month}
    )
    usccs = tuple(sorted(u for u in records if u in b.register))
    catalogue = acc.items()
    codes = tuple(
        sorted(
            {
                c
                for u in usccs
                for c in records[u]
                if catalogue[c].role in ACCOUNT_ROLES and c != acc.VALUE_ADDED
            }
        )
    )
    q = np.zeros((len(usccs), len(codes)))
    va = np.full(len(usccs), np.nan)
    flags = np.zeros(len(usccs), dtype=np.int8)
    lineage = []
    col = {c: j for j, c in enumerate(codes)}
    for i, u in enumerate(usccs):
        vals = records[u]
        for c, v in vals.items():
            if c in col:
                q[i, col[c]] = v.value
        if acc.VALUE_ADDED in vals:
            va[i] = vals[acc.VALUE_ADDED].value
        used = [v for c, v in vals.items() if c in col or c == acc.VALUE_ADDED]
        flags[i] = grading.FLAG_CODES.index(weakest_flag([v.flag for v in used])) if used else 0
        lineage.append(next(iter(vals.values())).lineage if vals else "")
    f = acc.factor_vector(codes, year, scheme)
    direct, indirect = acc.co2(q, f) if codes else (np.zeros(len(usccs)), np.zeros(len(usccs)))
    tce = acc.energy_tce(q, f) if codes else np.zeros(len(usccs))
    return Accounts(year, month, usccs, tce, direct, indirect, va, flags, tuple(lineage), f.notes)


_ACCOUNTS: dict[tuple[str, int, int | None, str], Accounts] = {}


def accounts(
    db: Database | None, year: int, *, month: int | None = None, scheme: str = "huzhou-2021"
) -> Accounts:
    b = book(db)
    key = (b.id, year, month, scheme)
    if key not in _ACCOUNTS:
        if len(_ACCOUNTS) >= 64:
            _ACCOUNTS.clear()
        _ACCOUNTS[key] = _accounts_of(b, year, month, load_scheme(scheme))
    return _ACCOUNTS[key]


# -- grades ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradeRow:
    uscc: str
    name_zh: str
    name_en: str
    industry: str
    division: str
    district: str
    energy_tce: float
    co2_t: float
    direct_t: float
    indirect_t: float
    value_added: float | None
    intensity: float | None  # L, t/万元
    level: str | None  # low | medium | high
    industry_mean: float | None
    population: int
    k: float | None
    grade: int | None
    reason: str  # graded | no_value_added | small_population
    flag: str  # the weakest flag the grade rests on
    cut_to_next_t: float | None
    rank: int | None  # 1 = lowest K of its industry in the period
    lineage: str


def _num(v: float) -> float | None:
    return None if v is None or not np.isfinite(v) else float(v)


def grade_rows(a: Accounts, b: Book, scheme: GradingScheme) -> list[GradeRow]:
    """Grade the accounts of one period (industries by division)."""
    divisions = sorted({b.register[u].division for u in a.usccs})
    idx = {d: i for i, d in enumerate(divisions)}
    ind = np.asarray([idx[b.register[u].division] for u in a.usccs], dtype=np.int64)
    total = a.total_t
    if not len(a.usccs):
        return []
    g = grading.grade(total[:, None], a.value_added[:, None], ind, scheme, a.flags[:, None])
    k = g.k[:, 0]
    rank = np.full(len(a.usccs), 0)
    for d in range(len(divisions)):
        members = np.flatnonzero((ind == d) & ~np.isnan(k))
        order = members[np.argsort(k[members], kind="stable")]
        rank[order] = np.arange(1, len(order) + 1)
    out = []
    for i, u in enumerate(a.usccs):
        e = b.register[u]
        level = int(g.level[i, 0])
        gr = int(g.grade[i, 0])
        out.append(
            GradeRow(
                uscc=u,
                name_zh=e.name_zh,
                name_en=e.name_en,
                industry=e.industry,
                division=e.division,
                district=e.district,
                energy_tce=float(a.energy_tce[i]),
                co2_t=float(total[i]),
                direct_t=float(a.direct_t[i]),
                indirect_t=float(a.indirect_t[i]),
                value_added=_num(a.value_added[i]),
                intensity=_num(g.intensity[i, 0]),
                level=scheme.levels[level].code if level >= 0 else None,
                industry_mean=_num(g.industry_mean[i, 0]),
                population=int(g.population[i, 0]),
                k=_num(k[i]),
                grade=gr or None,
                reason=grading.REASONS[int(g.reason[i, 0])],
                flag=grading.FLAG_CODES[int(g.flag[i, 0])],
                cut_to_next_t=_num(g.cut_to_next_t[i, 0]),
                rank=int(rank[i]) or None,
                lineage=a.lineage[i],
            )
        )
    return out


_GRADES: dict[tuple[str, int, int | None, str], list[GradeRow]] = {}


def grades(
    db: Database | None, year: int, *, month: int | None = None, scheme: str = "huzhou-2021"
) -> list[GradeRow]:
    """Every enterprise's grade of `year` (or one month of it), cached per data set."""
    b = book(db)
    key = (b.id, year, month, scheme)
    if key not in _GRADES:
        if len(_GRADES) >= 64:
            _GRADES.clear()
        _GRADES[key] = grade_rows(accounts(db, year, month=month, scheme=scheme), b, load_scheme(scheme))
    return _GRADES[key]


# -- ETS, 两高 ------------------------------------------------------------------------------------


def ets_status(db: Database | None) -> list[ets.Compliance]:
    b = book(db)
    rows = []
    for (u, y), vals in b.annual.items():
        if not any(c in vals for c in acc.ETS_ITEMS):
            continue

        def get(code: str, vals: Mapping[str, Value] = vals) -> float | None:
            return vals[code].value if code in vals else None

        flag = weakest_flag([vals[c].flag for c in acc.ETS_ITEMS if c in vals])
        rows.append(
            ets.EtsYear(u, y, get("ets_allocated"), get("ets_verified"), get("ets_surrendered"), flag)
        )
    return ets.compliance(rows)


@dataclass(frozen=True)
class EfficiencyRow:
    uscc: str
    product: str
    value: float
    unit: str
    benchmark: float
    baseline: float
    status: str
    flag: str
    source: str  # of the levels


def lianggao(db: Database | None, year: int) -> list[EfficiencyRow]:
    """Specific energy use of the 两高 products reported in `year`, against the national levels."""
    b = book(db)
    out = []
    for (u, y), vals in sorted(b.annual.items()):
        if y != year:
            continue
        for code, v in vals.items():
            if code.startswith("sec:"):
                lv = levels()[code[4:]]
                out.append(
                    EfficiencyRow(
                        u,
                        lv.product,
                        v.value,
                        lv.unit,
                        lv.benchmark,
                        lv.baseline,
                        efficiency_status(lv.product, v.value),
                        v.flag,
                        lv.source,
                    )
                )
    return out


# -- reconciliation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reconciliation:
    year: int
    rows: list[reconcile.SectorCheck]
    inventory_sectors: dict[str, tuple[str, ...]]  # division → the inventory sector codes it covers
    inventory_source: str


def inventory_direct_by_division(
    db: Database | None, year: int, divisions: Iterable[str]
) -> dict[str, float]:
    """Direct CO2 (energy + process scopes; t) of the inventory's sectors of each division in `year`:
    the sum of services/dataset.current_inventory cells — the figures the inventory page shows."""
    from carbonpeak.services.dataset import current_inventory

    found = current_inventory(db)
    if found is None:
        return {}
    by_sector: dict[str, float] = {}
    for c in found.result["cells"]:
        if int(c["year"]) == year and c["scope"] in ("energy", "process"):
            by_sector[c["sector"]] = by_sector.get(c["sector"], 0.0) + float(c["co2_t"])
    table = industries()
    return {d: sum(by_sector.get(s, 0.0) for s in table[d].inventory_sectors) for d in divisions}


def reconciliation(db: Database | None, year: int) -> Reconciliation:
    """Enterprises' direct CO2 by industry division against the inventory's sectors of it, `year`."""
    from carbonpeak.services.dataset import current_inventory

    a = accounts(db, year)
    b = book(db)
    ent: dict[str, float] = {}
    count: dict[str, int] = {}
    for i, u in enumerate(a.usccs):
        d = b.register[u].division
        ent[d] = ent.get(d, 0.0) + float(a.direct_t[i])
        count[d] = count.get(d, 0) + 1
    inv = inventory_direct_by_division(db, year, ent)
    found = current_inventory(db)
    return Reconciliation(
        year,
        reconcile.reconcile(inv, ent, count),
        {d: industries()[d].inventory_sectors for d in ent},
        found.source if found else "",
    )


# -- access ---------------------------------------------------------------------------------------


def visible_usccs(user: Any, b: Book) -> set[str] | None:
    """None (all) for the office, departments, districts and viewers; an enterprise user: the
    enterprises whose register row names its user name among `reporters`."""
    if user is None:
        from carbonpeak.errors import NotAuthenticated

        raise NotAuthenticated("log in to see enterprise accounts", message_zh="请登录后查看企业碳账户")
    if user.role in SEE_ALL_ROLES:
        return None
    if user.role == "enterprise":
        return {u for u, e in b.register.items() if user.username in e.reporters}
    raise PermissionDenied(
        f"role {user.role} may not see enterprise accounts", message_zh="您的角色无权查看企业碳账户"
    )


def require_all(user: Any, b: Book) -> None:
    """The office views (league tables, lists): not for an enterprise user."""
    if visible_usccs(user, b) is not None:
        raise PermissionDenied(
            "the league tables are the office's; an enterprise sees its own account",
            message_zh="排名与名单仅供管理部门查看；企业可查看本企业碳账户",
        )


def require_one(user: Any, b: Book, uscc: str) -> Enterprise:
    if uscc not in b.register:
        raise NotFound(f"no enterprise {uscc} in the register", message_zh=f"名录中没有企业 {uscc}")
    seen = visible_usccs(user, b)
    if seen is not None and uscc not in seen:
        raise PermissionDenied(
            "an enterprise sees only its own account", message_zh="企业只能查看本企业碳账户"
        )
    return b.register[uscc]


# -- upload checks and export ---------------------------------------------------------------------


def metered_energy(rows: Iterable[Any]) -> dict[tuple[str, int, int], float]:
    """Metered energy (tce) by (USCC, year, month) from rows of `metered_energy` (key USCC, field
    `<energy_kind>:<YYYY-MM>`; every energy kind converted to tce and summed)."""
    out: dict[tuple[str, int, int], float] = {}
    for r in rows:
        uscc = str(r.key)
        month = str(r.field).rpartition(":")[2].rpartition("-")[2]
        if not month.isdigit():
            continue
        try:
            tce = float(units.convert(float(r.value), units.lookup(r.unit).name, "tce"))
        except (KeyError, ValueError):
            continue
        k = (uscc, int(r.year), int(month))
        out[k] = out.get(k, 0.0) + tce
    return out


def report_context(session: Session, spec: DataKind) -> Context:
    """The published register's USCCs and the published metered energy a report upload is checked
    against, with the kind's tolerance."""
    from carbonpeak.services.published import published_rows
    from carbonpeak.statistics import data_kinds

    register = frozenset(r.key for r in published_rows(session, kind="enterprises"))
    metered: dict[tuple[str, int, int], float] = {}
    if METERED_KIND in data_kinds():
        metered = metered_energy(published_rows(session, kind=METERED_KIND))
    return Context(register=register, metered=metered, tolerance=spec.tolerance)


def export_layout(spec: DataKind, rows: Iterable[Any], year: int | None) -> list[dict[str, Any]]:
    """The published rows of an enterprise kind in its upload layout (a file that imports again)."""
    from carbonpeak.enterprise.validate import REGISTER_FIELDS

    out: list[dict[str, Any]] = []
    if spec.layout == "register":
        by: dict[tuple[str, int], dict[str, Any]] = {}
        for r in rows:
            if year is not None and r.year != year:
                continue
            row = by.setdefault(
                (r.key, r.year),
                {"uscc": r.key, "year": r.year, **dict.fromkeys(REGISTER_FIELDS, "")},
            )
            row[r.field] = r.text
            row.update(flag=r.flag, method=r.method, source=r.source)
        return list(by.values())
    for r in rows:
        if year is not None and r.year != year:
            continue
        uscc, _, month = r.key.partition("/")
        head: dict[str, Any] = {"uscc": uscc, "year": r.year}
        if spec.monthly:
            head["month"] = int(month)
        out.append(
            {
                **head,
                "item": r.field,
                "value": r.value,
                "unit": r.unit,
                "flag": r.flag,
                "method": r.method,
                "source": r.source,
            }
        )
    return out


__all__ = [
    "KINDS",
    "Accounts",
    "Book",
    "EfficiencyRow",
    "Enterprise",
    "GradeRow",
    "Reconciliation",
    "accounts",
    "book",
    "ets_status",
    "export_layout",
    "grade_rows",
    "grades",
    "inventory_direct_by_division",
    "lianggao",
    "metered_energy",
    "reconciliation",
    "report_context",
    "require_all",
    "require_one",
    "visible_usccs",
]
