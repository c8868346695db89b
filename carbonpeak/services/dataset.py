"""The platform's data set: what every engine computes from, one snapshot of the store.

    current(database=None)                             DataSet: the published records of the store's
                                                       snapshot (id = snapshot id), or the files of
                                                       the settings' data set folder (a store with
                                                       nothing published; None: the process's settings)
    files_of(database) -> DataSetFiles                 that folder's files (Settings.dataset)
    current_inventory(database=None)                   CurrentInventory of its energy balance: the one
                                                       computation the pages and the reports show
    dataset_observations(region=None, database=None)   Observations in the indicators contract, of
                                                       `region` or the store's (Settings.region)
    data_observations(region, data)                    those of a DataSet alone (no approved reports)
    region_of(database)                                the region of `database` (Settings.region)
    overlay(observations, rows)                          approved report values over the data set
    snapshot_id(database)                                the id every output carries
    LABEL = "demo" (STORE_LABEL = "demo+store"), FLAG    what the services report as input and flag

From the store: the series of the published records (gdp, population, indicators …) as they are,
and energy, non-fossil and gas energy and CO2 from the inventory of the published energy balance
(services/inventory.compute_inventory, the `guideline` factors, the same call the inventory pages
make). Every value keeps its source (ending in its record: `[submission N vV, file cell]`) and flag.
Formulas, units and conventions: docs/methods/dataset.md.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from carbonpeak import settings, units
from carbonpeak.accounting import Inventory, factors, inventory, read_balance
from carbonpeak.indicators.series import Observations, Series, weakest_flag
from carbonpeak.services.inventory import compute_inventory, read_balance_file
from carbonpeak.services.published import PublishedRow
from carbonpeak.settings import DEFAULT_DATASET_DIR
from carbonpeak.statistics.rows import balance_row

if TYPE_CHECKING:
    from carbonpeak.store.db import Database

LABEL = "demo"
STORE_LABEL = "demo+store"  # the data set overlaid by the store's approved values
FLAG = "estimated"  # the weakest flag of the inventory-derived figures

INVENTORY_SOURCE = (
    "derived: inventory (guideline factors) of the demo energy balance "
    "(carbonpeak/demo/data/energy-balance.csv, demo_structural_model_v1)"
)
# series from the inventory's totals: code → (totals column(s), what, unit)
ENERGY_TOTAL = "energy_tce_coal_equivalent"  # 能源消费总量, 等价值 (coal-equivalent method)


@dataclass(frozen=True)
class DataSetFiles:
    """The files of a data set folder (Settings.dataset, CARBONPEAK_DATASET; default the packaged demo
    data set, carbonpeak/demo/data), read while the store has published nothing: `DataSetFiles.of(folder)`
    names every one of them. `read`: those the data set's figures depend on (their modification times
    are its id, the key of every cache)."""

    folder: Path
    balance: Path
    indicators: Path
    assessment: Path
    electricity_monthly: Path
    read: tuple[Path, ...]

    @classmethod
    def of(cls, folder: Path = DEFAULT_DATASET_DIR) -> DataSetFiles:
        balance = folder / "energy-balance.csv"
        indicators = folder / "indicators.csv"
        assessment = folder / "assessment.csv"
        monthly = folder / "electricity-monthly.csv"
        model = (folder / "published.csv", folder / "assumptions.yaml")  # the demo model's inputs
        read = (*model, balance, indicators, assessment, monthly)
        return cls(folder, balance, indicators, assessment, monthly, read)

    def stamp(self) -> tuple[int, ...]:
        """The modification times of the files (a changed file invalidates every cache)."""
        return tuple(p.stat().st_mtime_ns if p.exists() else 0 for p in self.read)


def files_of(database: Database | None) -> DataSetFiles:
    """The data set files of `database` (its Settings.dataset), else of the process's settings
    (settings.current; default the packaged demo files)."""
    return DataSetFiles.of(database.dataset if database is not None else settings.current().dataset)


@dataclass(frozen=True, eq=False)
class DataSet:
    """What every engine computes from: the newest published version of each data record of one
    snapshot of the store (`origin` "store", `id` the snapshot id), or the files of a data set folder
    (`origin` "files", `id` "files:<mtimes>", `files` the folder's DataSetFiles). `balance`:
    energy-balance rows in the accounting layout, each row's `source` ending in its record
    (`[submission N vV, file cell]`); `records`: the published rows of the series kinds
    (services/published.PublishedRow)."""

    id: str
    origin: str
    balance: tuple[dict[str, str], ...]
    records: tuple[Any, ...] = ()
    enterprise: tuple[Any, ...] = ()  # the published rows of the enterprise kinds (services/enterprise.py)
    monthly: tuple[Any, ...] = ()  # the published rows of the monthly kinds (services/budget.py)
    files: DataSetFiles | None = None  # the folder of origin "files"


def current(database: Database | None = None) -> DataSet:
    """The data set of `database`'s current snapshot (cached per snapshot id).

    TRANSITION (issue #12): a store not initialised and a store where no data record is published
    yet give the files of its data set folder (`files_of(database)`; `database` None: that of the
    process's settings, by default the packaged demo files); once any record is published only the
    store counts."""
    files = files_of(database)
    if database is None:
        return _files(files, files.stamp())
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from carbonpeak.services.published import current_snapshot, published_rows
    from carbonpeak.store.db import is_missing_table

    try:
        with database.session() as session:
            snap_id = _snapshot_id(session, database.url)
            found = _DATASETS.get(snap_id)
            if found is not None:
                return found
            snap = current_snapshot(session)
            rows = published_rows(session)
    except (OperationalError, ProgrammingError) as exc:
        if not is_missing_table(exc):
            raise
        return _files(files, files.stamp())
    if not rows:
        return _files(files, files.stamp())
    from carbonpeak.statistics import data_kinds

    layout = {code: k.layout for code, k in data_kinds().items()}
    balance = tuple(_balance_row(r) for r in rows if r.kind == "energy_balance")
    series = tuple(r for r in rows if layout.get(r.kind) == "series")
    firms = tuple(r for r in rows if layout.get(r.kind) in ("register", "enterprise"))
    monthly = tuple(r for r in rows if layout.get(r.kind) == "monthly")
    data = DataSet(snap.id, "store", balance, series, firms, monthly)
    if len(_DATASETS) >= 8:
        _DATASETS.clear()
    _DATASETS[snap.id] = data
    return data


_DATASETS: dict[str, DataSet] = {}
_SNAPSHOTS: dict[str, tuple[tuple[Any, ...], str]] = {}  # database url → (change token, snapshot id)


def _snapshot_id(session: Any, url: str) -> str:
    """The snapshot id, recomputed only when the store's change token moved: the audit head's seq
    and hash (every import, submit, approve, return and publish writes an audit entry in its own
    transaction), the newest plan version and the newest submission. One small query per call
    instead of three."""
    from sqlalchemy import func, select

    from carbonpeak.services.published import current_snapshot
    from carbonpeak.store.models import AuditHead, PlanVersion, Submission

    token = tuple(
        session.execute(
            select(
                select(AuditHead.seq).where(AuditHead.id == 1).scalar_subquery(),
                # the head's hash too: another database at the same URL (a restore, a test's fresh
                # schema) may reach the same counts, never the same chain
                select(AuditHead.hash).where(AuditHead.id == 1).scalar_subquery(),
                select(func.max(PlanVersion.id)).scalar_subquery(),
                select(func.max(Submission.id)).scalar_subquery(),
            )
        ).one()
    )
    memo = _SNAPSHOTS.get(url)
    if memo is not None and memo[0] == token:
        return memo[1]
    snap_id = current_snapshot(session).id
    _SNAPSHOTS[url] = (token, snap_id)
    return snap_id


def _balance_row(r: PublishedRow) -> dict[str, str]:
    return {**balance_row(r), "flag": r.flag, "method": r.method, "source": r.lineage}


@lru_cache(maxsize=2)
def _files(files: DataSetFiles, _stamp: tuple[int, ...]) -> DataSet:
    rows = tuple(read_balance_file(files.balance)) if files.balance.exists() else ()
    return DataSet("files:" + "-".join(str(t) for t in _stamp), "files", rows, files=files)


@dataclass(frozen=True)
class CurrentInventory:
    """compute_inventory's answer (`result`, guideline factors) for the data set's balance, the
    accounting Inventory behind it (for lineage), the balance rows, and where they came from
    (`source`: "snapshot <id>" or the packaged file; `dataset_id` the data set's id)."""

    result: dict[str, Any]
    inventory: Inventory
    rows: list[dict[str, str]]
    source: str
    dataset_id: str


def current_inventory(database: Database | None = None) -> CurrentInventory | None:
    """The inventory of the data set of `database` (services/dataset.current: the published energy
    balance of the store's snapshot, or the balance file of the data set folder), computed once per
    data set; None without a balance."""
    data = current(database)
    if not data.balance:
        return None
    found = _CURRENT.get(data.id)
    if found is None:
        rows = [dict(r) for r in data.balance]
        result = compute_inventory(rows)
        inv = inventory(read_balance(rows), "guideline", grid_fallback="nearest")
        source = f"snapshot {data.id}" if data.files is None else data.files.balance.name
        found = CurrentInventory(result, inv, rows, source, data.id)
        if len(_CURRENT) >= 4:
            _CURRENT.clear()
        _CURRENT[data.id] = found
    return found


_CURRENT: dict[str, CurrentInventory] = {}


def region_of(database: Database | None) -> str:
    """The region whose data set the engines read: the store's (Settings.region), else the process's
    (settings.current; default jinan)."""
    return database.region if database is not None else settings.current().region


def dataset_observations(region: str | None = None, *, database: Database | None = None) -> Observations:
    """The current observations of `region` (default: `region_of(database)`): those of the data set
    (`current(database)`), computed once per data set, with the approved indicator values of
    progress reports put over them when `database` is given (an approved value wins for the same
    indicator, region and year); cached per snapshot."""
    region = region or region_of(database)
    data = current(database)
    base = data_observations(region, data)
    if database is None:
        return base
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from carbonpeak.services.current import current_observations
    from carbonpeak.store.db import is_missing_table

    try:
        with database.session() as session:
            overlaid_key = (region, data.id, _snapshot_id(session, database.url))
            found = _OVERLAID.get(overlaid_key)
            if found is not None:
                return found
            rows = [r for r in current_observations(session, published_only=True) if r["region"] == region]
    except (OperationalError, ProgrammingError) as exc:
        if not is_missing_table(exc):
            raise
        return base
    overlaid = overlay(base, rows)
    if len(_OVERLAID) >= 16:
        _OVERLAID.clear()
    _OVERLAID[overlaid_key] = overlaid
    return overlaid


_OVERLAID: dict[tuple[str, str, str], Observations] = {}


def data_observations(region: str, data: DataSet) -> Observations:
    """The observations of `region` in the data set `data` alone (no approved reports over them),
    computed once per data set."""
    key = (region, data.id)
    base = _OBSERVATIONS.get(key)
    if base is None:
        if data.files is not None:
            base = _observations(region, data.files, data.files.stamp())
        else:
            base = _from_records(region, data.records, data.balance)
        if len(_OBSERVATIONS) >= 16:
            _OBSERVATIONS.clear()
        _OBSERVATIONS[key] = base
    return base


def cache_key(database: Database | None) -> str:
    """A key that changes whenever anything a figure of `database` depends on changes: the data set
    and the store's snapshot (approved reports included). For caches of derived results."""
    data = current(database)
    if database is None:
        return data.id
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from carbonpeak.store.db import is_missing_table

    try:
        with database.session() as session:
            return f"{data.id}|{_snapshot_id(session, database.url)}"
    except (OperationalError, ProgrammingError) as exc:
        if not is_missing_table(exc):
            raise
        return data.id


_OBSERVATIONS: dict[tuple[str, str], Observations] = {}


@lru_cache(maxsize=1)
def versions() -> dict[str, str]:
    """What else a figure depends on besides its data: the factor library (first 12 hex digits of
    SHA-256 over accounting/data/*.csv) and the methods (the package version)."""
    import hashlib

    from carbonpeak import __version__

    digest = hashlib.sha256()
    for path in sorted((Path(factors.__file__).parent / "data").glob("*.csv")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return {"factor_library": digest.hexdigest()[:12], "methods": __version__}


def snapshot_id(database: Database | None) -> str:
    """The id of the data set every figure of `database` is computed from (see `current`)."""
    return current(database).id


def _from_records(
    region: str, records: Iterable[PublishedRow], balance: Iterable[Mapping[str, str]]
) -> Observations:
    """Observations from published data records: series rows as they are (converted to the unit of
    their series), the energy balance through the inventory (_inventory_series_of)."""
    from carbonpeak.statistics import data_kinds

    annual = {code for code, k in data_kinds().items() if k.layout != "monthly"}
    series: dict[tuple[str, str], dict[int, tuple[float, str, str]]] = {}
    unit_of: dict[tuple[str, str], str] = {}
    for r in records:
        # monthly kinds (electricity_monthly …) are read by the nowcast (services/budget.py), not here
        if r.region != region or r.kind not in annual:
            continue
        lineage = r.lineage
        key = (r.key, r.region)
        unit = units.lookup(r.unit).name
        target = unit_of.setdefault(key, unit)
        value = float(units.convert(r.value, unit, target))
        method = f" ({r.method})" if r.method else ""
        series.setdefault(key, {})[r.year] = (value, lineage + method, r.flag)
    out = [Series.of_points(k[0], k[1], unit_of[k], points) for k, points in series.items()]
    rows = [dict(b) for b in balance if b["region"] == region]
    if rows:
        out += _inventory_series_of(region, rows)
    return Observations({(s.indicator, s.region): s for s in out if len(s)})


def overlay(observations: Observations, rows: Iterable[Mapping[str, Any]]) -> Observations:
    """`observations` with every row (indicator, region, year, value, unit, source, flag) put over
    them: a row replaces the point of the same indicator, region and year, converted to the unit of
    the series it joins (a unit of another dimension is an InputError)."""
    points: dict[tuple[str, str], dict[int, tuple[float, str, str]]] = {}
    unit_of: dict[tuple[str, str], str] = {}
    for s in observations:
        key = (s.indicator, s.region)
        unit_of[key] = s.unit
        points[key] = {
            int(y): (float(v), src, flag)
            for y, v, src, flag in zip(s.years, s.values, s.sources, s.flags, strict=True)
        }
    for row in rows:
        key = (str(row["indicator"]), str(row["region"]))
        unit = units.lookup(str(row["unit"])).name
        target = unit_of.setdefault(key, unit)
        value = float(units.convert(float(row["value"]), unit, target))
        flag = str(row.get("flag") or "published")
        points.setdefault(key, {})[int(row["year"])] = (value, str(row.get("source") or ""), flag)
    return Observations(
        {k: Series.of_points(k[0], k[1], unit_of[k], by_year) for k, by_year in points.items()}
    )


# --- observations ---------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _observations(region: str, files: DataSetFiles, _stamp: tuple[int, ...]) -> Observations:
    series: list[Series] = []
    series += _comparable(region, files.folder)
    series += _inventory_series(region, files.balance)
    series += _plan_indicators(region, files)
    return Observations({(s.indicator, s.region): s for s in series if len(s)})


def _comparable(region: str, folder: Path) -> list[Series]:
    """gdp_current (亿元), gdp_index (上年=100) and population (万人) on today's boundary, by the demo
    model (carbonpeak/demo/build.py) from `published.csv` of the data set `folder`."""
    from carbonpeak.demo import build

    by: dict[str, dict[int, tuple[float, str, str]]] = {"gdp_current": {}, "gdp_index": {}, "population": {}}
    boundary = {
        int(r["year"]): r["boundary"]
        for r in build.published(folder)
        if r["indicator"] == "gdp_growth" and r["region"] == region
    }
    for o in build.comparable_observations(folder):
        if o.region != region:
            continue
        source = o.source + (f" ({o.method})" if o.method else "")
        if o.indicator == "gdp":
            by["gdp_current"][o.year] = (o.value, source, o.flag)
        elif o.indicator == "population":
            by["population"][o.year] = (o.value, source, o.flag)
        elif o.indicator == "gdp_growth":
            old = boundary.get(o.year) != "current"
            note = "; 上年=100 = 100 + real growth (%)" + (
                "; the old city's growth stands for today's city (carbonpeak/demo/README.md)" if old else ""
            )
            by["gdp_index"][o.year] = (100.0 + o.value, o.source + note, "estimated" if old else o.flag)
    units_ = {"gdp_current": "亿元", "gdp_index": "上年=100", "population": "万人"}
    return [Series.of_points(code, region, units_[code], points) for code, points in by.items() if points]


@lru_cache(maxsize=2)
def _inventory(path: str, _mtime: int) -> tuple[dict[str, Any], dict[tuple[str, int], str]]:
    """compute_inventory of the balance (defaults: guideline factors, national grid, non-fossil
    imports counted by origin) and the weakest input flag of each region-year."""
    rows = read_balance_file(Path(path))
    flags: dict[tuple[str, int], list[str]] = {}
    for r in rows:
        flags.setdefault((r["region"], int(r["year"])), []).append(r.get("flag") or "published")
    return compute_inventory(rows), {k: weakest_flag(v) for k, v in flags.items()}


def _inventory_series(region: str, balance: Path) -> list[Series]:
    """energy_total, non_fossil_energy, gas_energy (万tce, coal-equivalent method) and co2_total
    (万tCO2: energy + processes + indirect CO2 of net imported electricity) by year, of the balance
    file `balance`."""
    if not balance.exists():
        return []
    result, flags = _inventory(str(balance), balance.stat().st_mtime_ns)
    packaged = balance == DataSetFiles.of().balance
    source = INVENTORY_SOURCE if packaged else f"derived: inventory (guideline factors) of {balance}"
    return _totals_series(region, result, flags, source)


def _inventory_series_of(region: str, rows: list[dict[str, str]]) -> list[Series]:
    """The same series from balance rows read from the store; each year's source names the energy
    balance record of that year (`[submission N vV, file]`)."""
    flags: dict[tuple[str, int], list[str]] = {}
    record: dict[int, str] = {}
    for r in rows:
        flags.setdefault((r["region"], int(r["year"])), []).append(r.get("flag") or "published")
        found = _RECORD.search(r.get("source", ""))
        if found is not None:
            record.setdefault(
                int(r["year"]), f"submission {found.group(1)} v{found.group(2)}, {found.group(3)}"
            )

    def source(year: int) -> str:
        return (
            "derived: inventory (guideline factors) of the published energy balance "
            f"[{record.get(year, 'no record')}]"
        )

    return _totals_series(
        region, compute_inventory(rows), {k: weakest_flag(v) for k, v in flags.items()}, source
    )


_RECORD = re.compile(r"\[submission (\d+) v(\d+), (\S+)")


def _totals_series(
    region: str,
    result: Mapping[str, Any],
    flags: Mapping[tuple[str, int], str],
    inventory_source: str | Callable[[int], str],
) -> list[Series]:
    """energy_total, non_fossil_energy, gas_energy and co2_total from an inventory's totals; the
    source of each year is `inventory_source` (or its value for that year)."""
    by: dict[str, dict[int, tuple[float, str, str]]] = {
        "energy_total": {},
        "non_fossil_energy": {},
        "gas_energy": {},
        "co2_total": {},
    }
    for t in result["totals"]:
        if t["region"] != region:
            continue
        year = int(t["year"])
        flag = flags.get((region, year), FLAG)
        src = inventory_source(year) if callable(inventory_source) else inventory_source
        energy = float(t[ENERGY_TOTAL])
        by["energy_total"][year] = (
            units.convert(energy, "tce", "万tce"),
            f"{src}: 能源消费总量, coal-equivalent method (等价值)",
            flag,
        )
        for code, share in (("non_fossil_energy", "share_non_fossil"), ("gas_energy", "share_gas")):
            if t.get(share) is not None:
                what = (
                    "non-fossil share (net imports by origin) × 能源消费总量"
                    if code == "non_fossil_energy"
                    else "gas share × 能源消费总量"
                )
                by[code][year] = (
                    units.convert(float(t[share]) * energy, "tce", "万tce"),
                    f"{src}: {what}",
                    flag,
                )
        by["co2_total"][year] = (
            units.convert(float(t["total_t"]), "tCO2", "万tCO2"),
            f"{src}: total CO2 = energy + processes + net imported electricity",
            flag,
        )
    units_ = {"co2_total": "万tCO2"}
    return [
        Series.of_points(code, region, units_.get(code, "万tce"), points)
        for code, points in by.items()
        if points
    ]


def _plan_indicators(region: str, files: DataSetFiles) -> list[Series]:
    """The plan indicators observed directly (indicators.csv; flagged sample in the demo's) and the
    assessment inputs (assessment.csv, sample) of the data set folder."""
    by: dict[tuple[str, str], dict[int, tuple[float, str, str]]] = {}
    unit_of: dict[tuple[str, str], str] = {}
    for r in _csv_rows(files.indicators, files.assessment):
        if r["region"] != region:
            continue
        key = (r["indicator"], r["region"])
        unit_of.setdefault(key, units.lookup(r["unit"]).name)
        value = float(units.convert(float(r["value"]), units.lookup(r["unit"]).name, unit_of[key]))
        by.setdefault(key, {})[int(r["year"])] = (value, r["source"], r.get("flag") or "sample")
    return [Series.of_points(k[0], k[1], unit_of[k], points) for k, points in by.items()]


def _csv_rows(*paths: Path) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for path in paths:
        if path.exists():
            with path.open(encoding="utf-8") as f:
                out += list(csv.DictReader(f))
    return out


__all__ = [
    "FLAG",
    "LABEL",
    "STORE_LABEL",
    "CurrentInventory",
    "DataSet",
    "DataSetFiles",
    "cache_key",
    "current",
    "current_inventory",
    "data_observations",
    "dataset_observations",
    "files_of",
    "overlay",
    "snapshot_id",
    "versions",
]
