"""Online energy monitoring: the published meter register, intake of SenML packs into the Parquet
store, refusals, and the unit's view.

    meters(session)                                name → Meter of the newest published register
    reading_store(settings)                        the ReadingStore under <data_dir>/metering
    ingest_packs(session, store, packs, …)         IntakeResult: each pack stored whole or refused
    bulk_intake(session, store, user, body, key)   the HTTPS route: the same, with Idempotency-Key
    rejections(session, uscc=…)                    the refusals, newest first
    record_quality(session, store, month)          the month's quality index per unit, stored
    quality_history(session, uscc=…, month=…)      the stored indices, newest first

The register enters as a data record of kind `meter_register` (statistics/kinds.yaml): imported,
reviewed and published like every other record (services/statistics.py, services/submissions.py).
Docs: docs/methods/metering.md.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbonpeak.errors import InputError, PermissionDenied, Problem
from carbonpeak.metering.register import Meter, meter_of
from carbonpeak.metering.senml import Reading, monotone_problems, parse_pack
from carbonpeak.metering.storage import IngestResult, ReadingStore
from carbonpeak.settings import Settings
from carbonpeak.store.models import MeteringQuality, MeteringRejection, User, utcnow
from carbonpeak.validation import problem

REGISTER_KIND = "meter_register"
INTAKE_ROLES = ("office", "department", "enterprise")
MAX_PACKS = 10_000  # packs in one bulk request

_stores: dict[Path, ReadingStore] = {}
_stores_lock = threading.Lock()
_register_cache: dict[str, dict[str, Meter]] = {}


def meters(session: Session) -> dict[str, Meter]:
    """SenML name → Meter of the newest published year of the register; {} before any is published.
    Cached per store snapshot."""
    from carbonpeak.services.published import current_snapshot, published_rows

    snap = current_snapshot(session).id
    hit = _register_cache.get(snap)
    if hit is not None:
        return hit
    rows = published_rows(session, kind=REGISTER_KIND)
    year = max((r.year for r in rows), default=None)
    out: dict[str, Meter] = {}
    for r in rows:
        if r.year == year:
            m = meter_of(r.key, r.value, r.unit, r.region, r.text)
            out[m.name] = m
    _register_cache.clear()
    _register_cache[snap] = out
    return out


def reading_store(settings: Settings) -> ReadingStore:
    """The one ReadingStore of this process for `<data_dir>/metering` (it caches partitions)."""
    root = (settings.data_dir / "metering").resolve()
    with _stores_lock:
        if root not in _stores:
            _stores[root] = ReadingStore(root)
        return _stores[root]


@dataclass
class PackResult:
    """One pack: `accepted` with the counts of what was written, or refused with its problems."""

    index: int
    accepted: bool
    readings: int = 0
    new: int = 0
    changed: int = 0
    duplicate: int = 0
    problems: list[dict[str, str | None]] = field(default_factory=list)


@dataclass
class IntakeResult:
    packs: list[PackResult]

    @property
    def totals(self) -> dict[str, int]:
        return {
            "packs": len(self.packs),
            "accepted": sum(p.accepted for p in self.packs),
            "refused": sum(not p.accepted for p in self.packs),
            "readings": sum(p.readings for p in self.packs),
            "new": sum(p.new for p in self.packs),
            "changed": sum(p.changed for p in self.packs),
            "duplicate": sum(p.duplicate for p in self.packs),
        }

    def as_dict(self) -> dict[str, Any]:
        return {"totals": self.totals, "packs": [asdict(p) for p in self.packs]}


def check_packs(
    store: ReadingStore,
    register: Mapping[str, Meter],
    packs: Sequence[bytes | str | list[Any]],
    *,
    now: float | None = None,
    topics: Sequence[str] | None = None,
) -> tuple[list[list[Reading]], list[list[Problem]]]:
    """Each pack's readings or problems; the monotone check reaches the store's last readings.
    `topics`: the MQTT topic of each pack, `<prefix>/<uscc>/<meter>/<quantity>` (its readings must
    be that meter's)."""
    now = time.time() if now is None else now
    by_key = {m.key: m for m in register.values()}
    readings: list[list[Reading]] = []
    problems: list[list[Problem]] = []
    for i, pack in enumerate(packs):
        where = f"packs[{i}]" if len(packs) > 1 else "pack"
        got, bad = parse_pack(pack, register, now=now, where=where)
        if not bad and topics is not None:
            name = topics[i].split("/", 1)[-1]
            meter = register.get(name)
            if meter is None or any(r.key != meter.key for r in got):
                bad = [problem(topics[i], "metering.topic")]
                got = []
        readings.append(got)
        problems.append(bad)
    # the monotone check against the store: one look-up for the whole batch (each pack against
    # what was stored before it came, as a pack alone would be)
    firsts: dict[tuple[int, str], tuple[str, str, int]] = {}
    for i, got in enumerate(readings):
        for r in got:
            if by_key[r.key].mode == "cumulative":
                old = firsts.get((i, r.key))
                if old is None or r.t < old[2]:
                    firsts[(i, r.key)] = (r.uscc, r.meter, r.t)
    by_pack: dict[int, dict[str, tuple[int, float]]] = {}
    for (i, key), last in store.last_before(firsts).items():
        by_pack.setdefault(i, {})[key] = last
    for i, previous in by_pack.items():
        where = f"packs[{i}]" if len(packs) > 1 else "pack"
        bad = monotone_problems(readings[i], by_key, previous, where=where)
        if bad:
            readings[i], problems[i] = [], bad
    return readings, problems


def ingest_packs(
    session: Session,
    store: ReadingStore,
    packs: Sequence[bytes | str | list[Any]],
    *,
    channel: str,
    register: Mapping[str, Meter] | None = None,
    now: float | None = None,
    topics: Sequence[str] | None = None,
) -> IntakeResult:
    """Check every pack, store the good ones' readings durably (one write per partition for the
    whole request), record the refused ones' problems. A pack is stored whole or not at all."""
    register = meters(session) if register is None else register
    readings, problems = check_packs(store, register, packs, now=now, topics=topics)
    good = [r for rs in readings for r in rs]
    written = store.ingest(good, channel=channel) if good else IngestResult()
    results = []
    for i, (rs, bad) in enumerate(zip(readings, problems, strict=True)):
        results.append(
            PackResult(index=i, accepted=not bad, readings=len(rs), problems=[p.as_dict() for p in bad])
        )
    # the store counts per batch; spread the counts over the packs in order (one pack: exact)
    if len(results) == 1:
        results[0].new, results[0].changed, results[0].duplicate = (
            written.new,
            written.changed,
            written.duplicate,
        )
    else:
        _spread(results, written)
    record_rejections(session, problems, packs, channel=channel)
    return IntakeResult(results)


def _spread(results: list[PackResult], written: IngestResult) -> None:
    left = {"new": written.new, "changed": written.changed, "duplicate": written.duplicate}
    for r in results:
        n = r.readings
        for k in ("new", "changed", "duplicate"):
            take = min(n, left[k])
            setattr(r, k, take)
            left[k] -= take
            n -= take


def record_rejections(
    session: Session,
    problems: Sequence[Sequence[Problem]],
    packs: Sequence[bytes | str | list[Any]],
    *,
    channel: str,
    uscc: str = "",
) -> None:
    """Store each refused pack's problems (named by unit and meter when the pack said them)."""
    rows = []
    for pack, bad in zip(packs, problems, strict=True):
        if not bad:
            continue
        unit, meter = _named(pack) if not uscc else (uscc, "")
        rows += [
            MeteringRejection(
                uscc=unit[:32],
                meter=meter[:64],
                channel=channel,
                rule=p.rule[:64],
                location=p.location[:200],
                message_zh=p.message_zh,
                message_en=p.message_en,
                received_at=utcnow(),
            )
            for p in bad[:100]  # a pack of garbage is not a way to fill the database
        ]
    if rows:
        session.add_all(rows)
        session.commit()


def _named(pack: bytes | str | list[Any]) -> tuple[str, str]:
    """(uscc, meter) of a pack's first name, as far as it can be read."""
    try:
        data = json.loads(pack) if isinstance(pack, bytes | str) else pack
        first = data[0]
        parts = (str(first.get("bn", "")) + str(first.get("n", ""))).split("/")
        return parts[0], parts[1] if len(parts) > 1 else ""
    except Exception:  # a malformed pack names nobody
        return "", ""


def bulk_intake(
    session: Session,
    store: ReadingStore,
    user: User,
    body: bytes,
    *,
    now: float | None = None,
) -> dict[str, Any]:
    """The HTTPS bulk route: `body` is one SenML pack (a JSON array) or {"packs": [pack, …]}. A
    re-delivered reading is a no-op (its identity is meter and period start); a retry under the same
    `Idempotency-Key` gets the first answer from the API's one idempotency layer
    (carbonpeak/api/idempotency.py)."""
    if user.role not in INTAKE_ROLES:
        raise PermissionDenied("your role does not send readings", message_zh="您的角色不能报送计量数据")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise InputError(
            "the body is not JSON",
            [problem("body", "senml.json", text_key="problem.senml.json.body", why=str(exc)[:80])],
            message_zh="请求体不是有效的JSON",
        ) from None
    packs = data.get("packs") if isinstance(data, dict) else [data]
    if not isinstance(packs, list) or not packs or len(packs) > MAX_PACKS:
        raise InputError(
            "the body is a SenML pack or {'packs': [...]}",
            [problem("body", "senml.pack", text_key="problem.senml.pack.body", most=MAX_PACKS)],
            message_zh="请求体格式不对",
        )
    session.commit()  # end the reads before the file work
    return ingest_packs(session, store, packs, channel="https", now=now).as_dict()


def rejections(session: Session, *, uscc: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """The refused packs' problems, newest first."""
    q = select(MeteringRejection).order_by(MeteringRejection.id.desc()).limit(limit)
    if uscc is not None:
        q = q.where(MeteringRejection.uscc == uscc)
    return [
        {
            "uscc": r.uscc,
            "meter": r.meter,
            "channel": r.channel,
            "rule": r.rule,
            "location": r.location,
            "message_zh": r.message_zh,
            "message_en": r.message_en,
            "received_at": r.received_at.isoformat(),
        }
        for r in session.execute(q).scalars()
    ]


def rejection_counts(session: Session) -> dict[str, int]:
    """uscc → refused problems counted."""
    rows = session.execute(
        select(MeteringRejection.uscc, func.count()).group_by(MeteringRejection.uscc)
    ).all()
    return {u: int(n) for u, n in rows}


# -- simulator files, file intake, the month's quality ------------------------------------------------


def write_simulation(sim: Any, out: Path, year: int) -> dict[str, Path]:
    """The simulator's files in `out`: register.csv (the meter register, to import as kind
    meter_register), packs.jsonl (one pack a line: topic, received, pack), monthly_reports.csv and
    faults.csv (the answer key)."""
    import csv

    from carbonpeak.metering.register import register_rows

    out.mkdir(parents=True, exist_ok=True)
    paths = {
        k: out / n
        for k, n in (
            ("register", "register.csv"),
            ("packs", "packs.jsonl"),
            ("reports", "monthly_reports.csv"),
            ("faults", "faults.csv"),
        )
    }
    rows = register_rows(sim.meters, year)
    with open(paths["register"], "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with open(paths["packs"], "w", encoding="utf-8") as f:
        for p in sim.packs:
            f.write(
                json.dumps(
                    {"topic": p.topic, "received": p.received, "pack": p.records}, separators=(",", ":")
                )
            )
            f.write("\n")
    with open(paths["reports"], "w", newline="", encoding="utf-8") as f:
        w2 = csv.writer(f)
        w2.writerow(["uscc", "energy_kind", "month", "quantity"])
        for (uscc, kind, month), q in sorted(sim.reports.items()):
            w2.writerow([uscc, kind, month, f"{q:.2f}"])
    with open(paths["faults"], "w", newline="", encoding="utf-8") as f:
        w3 = csv.writer(f)
        w3.writerow(["kind", "key", "t", "t_end", "readings"])
        for ft in sim.faults:
            w3.writerow([ft.kind, ft.key, ft.t, ft.t_end, ft.readings])
    return paths


def ingest_file(
    session: Session, store: ReadingStore, path: Path, *, chunk: int = 5000, now: float | None = None
) -> dict[str, int]:
    """Ingest a packs.jsonl (one {"pack": [...], "received": …} a line) or a file of one pack, in
    chunks of `chunk` packs; the totals."""
    register = meters(session)
    totals: dict[str, int] = {}

    def run(batch: list[Any]) -> None:
        res = ingest_packs(session, store, batch, channel="file", register=register, now=now)
        for k, v in res.totals.items():
            totals[k] = totals.get(k, 0) + v

    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("["):
        run([text])
        return totals
    batch: list[Any] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            batch.append(json.loads(line).get("pack"))
        except (ValueError, AttributeError):
            batch.append(line)  # refused with its reason by the pack check
        if len(batch) >= chunk:
            run(batch)
            batch = []
    if batch:
        run(batch)
    return totals


def month_window(month: str, now: float | None = None) -> tuple[int, int]:
    """[start, end) of a month (YYYY-MM, China standard time) in s since 1970 UTC, cut at now."""
    import datetime as dt

    y, m = int(month[:4]), int(month[5:7])
    cst = dt.timezone(dt.timedelta(hours=8))
    start = int(dt.datetime(y, m, 1, tzinfo=cst).timestamp())
    end = int(dt.datetime(y + (m == 12), m % 12 + 1, 1, tzinfo=cst).timestamp())
    if now == float("inf"):
        return start, end
    cut = int(time.time() if now is None else now)
    return start, min(end, max(start, cut - cut % 900))


def read_reports(path: Path | None, month: str) -> dict[tuple[str, str], float]:
    """(uscc, energy kind) → the monthly report's quantity, from a CSV (uscc, energy_kind, month,
    quantity); {} without a file."""
    import csv

    if path is None:
        return {}
    out = {}
    with open(path, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["month"] == month:
                out[(r["uscc"], r["energy_kind"])] = float(r["quantity"])
    return out


def assess_month(
    session: Session,
    store: ReadingStore,
    month: str,
    *,
    reports: Mapping[tuple[str, str], float] | None = None,
    now: float | None = None,
) -> Any:
    """The quality engine over a month's current readings (metering.quality.assess)."""
    import numpy as np

    from carbonpeak.metering.quality import assess

    register = meters(session)
    start, end = month_window(month, now)
    cur = store.current([month])
    key = np.asarray(
        [f"{u}/{m}" for u, m in zip(cur["uscc"].to_pylist(), cur["meter"].to_pylist(), strict=True)],
        dtype=object,
    )
    return assess(
        list(register.values()),
        key.astype(str) if len(key) else np.zeros(0, dtype=str),
        cur["t"].to_numpy(),
        cur["value"].to_numpy(),
        cur["skew"].to_numpy(),
        cur["received"].to_numpy(),
        start=start,
        end=end,
        month=month,
        reports=reports,
    )


def record_quality(
    session: Session,
    store: ReadingStore,
    month: str,
    *,
    reports: Mapping[tuple[str, str], float] | None = None,
    now: float | None = None,
) -> list[MeteringQuality]:
    """Assess the month (`assess_month`) and store each unit's index as a new row (the older ones
    stay as its history); the rows written."""
    got = assess_month(session, store, month, reports=reports, now=now)
    return store_quality(session, got, month, now=now)


def store_quality(
    session: Session, got: Any, month: str, *, now: float | None = None
) -> list[MeteringQuality]:
    """`record_quality` for an assessment already made (`assess_month` of `month` at `now`)."""
    import datetime as dt

    faults: dict[str, int] = {}
    for f in got.findings:
        if f.fault:
            faults[f.uscc] = faults.get(f.uscc, 0) + 1
    end = dt.datetime.fromtimestamp(month_window(month, now)[1], dt.UTC)
    rows = [
        MeteringQuality(
            uscc=i.uscc,
            month=i.month,
            completeness=i.completeness,
            time_labels=i.time_labels,
            validity=i.validity,
            timeliness=i.timeliness,
            report_match=i.report_match,
            calibration=i.calibration,
            index=i.index,
            faults=faults.get(i.uscc, 0),
            window_end=end,
            assessed_at=utcnow(),
        )
        for i in got.indices
    ]
    session.add_all(rows)
    session.commit()
    return rows


def quality_history(
    session: Session, *, uscc: str | None = None, month: str | None = None
) -> list[MeteringQuality]:
    """The stored quality indices, newest assessment first (of one unit and/or month)."""
    q = select(MeteringQuality).order_by(MeteringQuality.assessed_at.desc(), MeteringQuality.id.desc())
    if uscc is not None:
        q = q.where(MeteringQuality.uscc == uscc)
    if month is not None:
        q = q.where(MeteringQuality.month == month)
    return list(session.execute(q).scalars())


def mqtt_handler(database: Any, store: ReadingStore, *, refresh: float = 30.0) -> Any:
    """The subscriber's handler (metering/mqtt.py): a batch of messages → one durable store call and
    the refusals' records; the replies to publish on `<topic>/rejected`. The register is read again
    every `refresh` seconds (a newly published register reaches the subscriber)."""
    from carbonpeak.metering.mqtt import Message, refusal_payload, reply_topic

    state: dict[str, Any] = {"at": 0.0, "register": {}}

    def handle(msgs: Sequence[Message]) -> list[tuple[str, bytes]]:
        with database.session() as session:
            if time.monotonic() - state["at"] > refresh:
                state["register"] = meters(session)
                session.commit()
                state["at"] = time.monotonic()
            result = ingest_packs(
                session,
                store,
                [m.payload for m in msgs],
                channel="mqtt",
                register=state["register"],
                topics=[m.topic for m in msgs],
            )
        return [
            (reply_topic(m.topic), refusal_payload(p.problems))
            for m, p in zip(msgs, result.packs, strict=True)
            if not p.accepted
        ]

    return handle


# -- aggregations on DuckDB or Spark ---------------------------------------------------------------

ENGINES = ("duckdb", "spark")
READING_COLUMNS = ("uscc", "meter", "t", "value", "version")


def register_table(register: Mapping[str, Meter], start: int, end: int) -> Any:
    """The register as the aggregation jobs read it (metering/aggregate.py), with each meter's due
    periods in [start, end)."""
    import pyarrow as pa

    ms = sorted(register.values(), key=lambda m: m.key)
    return pa.table(
        {
            "uscc": pa.array([m.uscc for m in ms], pa.string()),
            "meter": pa.array([m.meter for m in ms], pa.string()),
            "district": pa.array([m.district for m in ms], pa.string()),
            "energy_kind": pa.array([m.energy_kind for m in ms], pa.string()),
            "unit": pa.array([m.unit for m in ms], pa.string()),
            "mode": pa.array([m.mode for m in ms], pa.string()),
            "rollover": pa.array([float(10**m.register_width) if m.register_width else 0.0 for m in ms]),
            "due": pa.array([(end - start) // m.interval_seconds for m in ms], pa.int64()),
        }
    )


def spark_session(master: str) -> Any:
    """A Spark session on `master` (local[1] by default; spark://host:7077 for a cluster), in UTC."""
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(master)
        .appName("carbonpeak-metering")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1" if master.startswith("local") else "200")
        .config("spark.sql.adaptive.enabled", "false" if master.startswith("local") else "true")
        .getOrCreate()
    )


def run_aggregate(
    engine: str,
    files: Sequence[str],
    register: Mapping[str, Meter],
    month: str,
    *,
    spark_master: str = "local[1]",
    spark: Any = None,
    only: Sequence[str] | None = None,
    per_reading: bool = False,
    use_summaries: bool = True,
) -> dict[str, list[dict[str, Any]]]:
    """The jobs of metering/aggregate.py for `month` on `engine` (duckdb | spark) over the Parquet
    `files`; rows of each job (of `only` when given). `spark`: a session to reuse (tests);
    `per_reading`: the jobs as defined reading by reading (aggregate.periods; slow, for tests);
    `use_summaries`: read compacted partitions as their day summaries (ReadingStore.compact)."""
    import warnings

    if engine not in ENGINES:
        raise InputError(
            f"unknown engine {engine!r}",
            [problem("--engine", "metering.engine", engine)],
        )
    with warnings.catch_warnings():
        # Ibis 12 calls DuckDB 2's deprecated fetch_arrow_table(); the results are the same
        warnings.filterwarnings("ignore", message=".*fetch_arrow_table", category=DeprecationWarning)
        return _run_jobs(
            engine,
            files,
            register,
            month,
            spark_master=spark_master,
            spark=spark,
            only=only,
            per_reading=per_reading,
            use_summaries=use_summaries,
        )


def _run_jobs(
    engine: str,
    files: Sequence[str],
    register: Mapping[str, Meter],
    month: str,
    *,
    spark_master: str,
    spark: Any,
    only: Sequence[str] | None = None,
    per_reading: bool = False,
    use_summaries: bool = True,
) -> dict[str, list[dict[str, Any]]]:
    import ibis
    import pyarrow as pa

    from carbonpeak.metering.aggregate import jobs
    from carbonpeak.metering.storage import SCHEMA

    start, end = month_window(month, now=float("inf"))
    reg = ibis.memtable(register_table(register, start, end))
    # compacted partitions are read as their day summaries; the readings of partitions never
    # corrected skip the search for newer versions (aggregate.meter_days)
    summaries = {} if per_reading or not use_summaries else ReadingStore.summaries(files)
    rest = [f for f in files if f not in summaries]
    fixed = ReadingStore.corrected(rest)
    split = {
        "corrected": [f for f in rest if str(Path(f).parent) in fixed],
        "uncorrected": [f for f in rest if str(Path(f).parent) not in fixed],
        "days": sorted(summaries.values()),
    }
    owned = False
    tables: dict[str, Any] = {name: None for name in split}
    if engine == "duckdb":
        con = ibis.duckdb.connect()
        for name, some in split.items():
            if some:
                tables[name] = con.read_parquet(list(some))
    else:
        session = spark or spark_session(spark_master)
        owned = spark is None
        con = ibis.pyspark.connect(session)
        for name, some in split.items():
            if some:
                session.read.parquet(*some).createOrReplaceTempView(f"cp_{name}")
                tables[name] = con.table(f"cp_{name}")
    for name in ("corrected", "uncorrected"):
        if tables[name] is not None:
            tables[name] = tables[name].select(*READING_COLUMNS)
    if not files:
        tables["corrected"] = ibis.memtable(
            pa.schema([SCHEMA.field(c) for c in READING_COLUMNS]).empty_table()
        )
    built = jobs(
        tables["corrected"],
        reg,
        start,
        end,
        uncorrected=tables["uncorrected"],
        days=tables["days"],
        per_reading=per_reading,
    )
    try:
        return {
            name: con.to_pyarrow(expr).to_pylist()
            for name, expr in built.items()
            if only is None or name in only
        }
    finally:
        if engine == "duckdb":
            con.disconnect()
        elif owned:
            session.stop()


# -- monthly energy by unit, published through the data spine ---------------------------------------

METERED_KIND = "metered_energy"
METERED_METHOD = (
    "metered: online monitoring, carbonpeak metering aggregate (docs/methods/metering.md#aggregations)"
)


def monthly_energy_csv(files_by_month: Mapping[str, Sequence[str]], register: Mapping[str, Meter]) -> bytes:
    """The `metered_energy` file (layout unit_month) of the given months: the DuckDB unit job of each."""
    import csv
    import io

    units = {m.energy_kind: m.unit for m in register.values()}
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["uscc", "energy_kind", "month", "quantity", "unit", "completeness", "flag", "method"])
    for month, files in sorted(files_by_month.items()):
        for r in run_aggregate("duckdb", files, register, month)["unit"]:
            w.writerow(
                [
                    r["uscc"],
                    r["energy_kind"],
                    month,
                    repr(r["quantity"]),
                    units[r["energy_kind"]],
                    repr(r["completeness"]),
                    "estimated",
                    METERED_METHOD,
                ]
            )
    return buf.getvalue().encode()


def publish_monthly(session: Session, store: ReadingStore, actor: User, month: str) -> list[Any]:
    """A draft `metered_energy` record of the month's year: every month of that year up to `month`
    that has readings, computed from the meters (flag estimated, with its method), for review and
    publication like every other record."""
    from carbonpeak.services.statistics import import_records

    register = meters(session)
    if not register:
        raise InputError(
            "no published meter register",
            [problem("meter_register", "metering.register")],
        )
    year = month[:4]
    months = [f"{year}-{m:02d}" for m in range(1, int(month[5:7]) + 1)]
    files = {m: store.files([m]) for m in months}
    files = {m: f for m, f in files.items() if f}
    if not files:
        raise InputError(
            f"no readings up to {month}",
            [
                problem(
                    "--month",
                    "metering.month",
                    text_key="problem.metering.month.no_readings",
                    year=year,
                    month=month,
                )
            ],
        )
    data = monthly_energy_csv(files, register)
    return import_records(
        session, actor, kind=METERED_KIND, filename=f"metered_energy_{month}.csv", data=data
    )


def monthly_energy(session: Session) -> list[dict[str, Any]]:
    """The published monthly energy by unit (kind metered_energy), with lineage: what the enterprise
    accounts and the nowcast read."""
    from carbonpeak.services.published import published_rows

    out = []
    for r in published_rows(session, kind=METERED_KIND):
        energy_kind, month = r.field.split(":", 1)
        out.append(
            {
                "uscc": r.key,
                "energy_kind": energy_kind,
                "month": month,
                "quantity": r.value,
                "unit": r.unit,
                "completeness": float(r.text or 0),
                "flag": r.flag,
                "method": r.method,
                "submission_id": r.submission_id,
                "version": r.version,
            }
        )
    return out
