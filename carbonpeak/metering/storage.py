"""Readings on disk: Parquet files partitioned by month and unit, append-only, queried with DuckDB.

    <root>/readings/month=YYYY-MM/unit=<uscc>/part-<ns>-<rand>.parquet
        uscc, meter, t (int64 s since 1970 UTC, the period start), value (float64),
        version (int32, 1 = first), skew (int32 s), received (int64 s), channel (string)

A reading's identity is (meter, t). `ReadingStore.ingest` writes only what is new: a re-delivered
reading with the same value is counted as a duplicate and not written; a changed value is written as
the next version, the old one kept. A batch is durable when `ingest` returns (the file is fsynced
and renamed into place, then the folder fsynced), so an intake acknowledges after it. Months are
those of China standard time (UTC+8), the time of the monthly reports.

One writer at a time (an exclusive `fcntl` lock on `<root>/.lock`); readers take the lock shared so
`compact` (one file per partition, every version kept) never shows them a half-done swap.
Retention and compaction: docs/methods/metering.md#storage.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import os
import secrets
import time
import warnings
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from carbonpeak.metering.senml import Reading

LOCAL_OFFSET = 8 * 3600  # China standard time, s
K = TypeVar("K", bound=Hashable)
SCHEMA = pa.schema(
    [
        ("uscc", pa.string()),
        ("meter", pa.string()),
        ("t", pa.int64()),
        ("value", pa.float64()),
        ("version", pa.int32()),
        ("skew", pa.int32()),
        ("received", pa.int64()),
        ("channel", pa.string()),
    ]
)


@dataclass
class IngestResult:
    """Readings written new, written as a changed value (a new version), and not written (the same
    value already stored)."""

    new: int = 0
    changed: int = 0
    duplicate: int = 0

    def add(self, other: IngestResult) -> None:
        self.new += other.new
        self.changed += other.changed
        self.duplicate += other.duplicate


def month_of(t: np.ndarray) -> np.ndarray:
    """YYYY-MM (China standard time) of times in s since 1970 UTC."""
    return np.datetime_as_string((t + LOCAL_OFFSET).astype("datetime64[s]").astype("datetime64[M]"), unit="M")


def _summary_of(part: Path) -> Path:
    """<root>/days/month=…/unit=…/<name> for the part file <root>/readings/month=…/unit=…/<name>."""
    return part.parents[3] / "days" / part.parent.parent.name / part.parent.name / part.name


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass
class _Partition:
    files: set[str] = field(default_factory=set)
    current: dict[tuple[str, int], tuple[float, int]] = field(default_factory=dict)  # (meter, t) → (v, ver)
    last: dict[str, tuple[int, float]] = field(default_factory=dict)  # meter → its newest (t, v)

    def note(self, items: dict[tuple[str, int], tuple[float, int]]) -> None:
        for (m, t), (v, _ver) in items.items():
            old = self.last.get(m)
            if old is None or old[0] <= t:
                self.last[m] = (t, v)


class ReadingStore:
    """The Parquet store under `root` (settings: <data_dir>/metering)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.readings = self.root / "readings"
        self._parts: dict[tuple[str, str], _Partition] = {}

    # -- locking -----------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self, exclusive: bool) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+b") as f:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            try:
                yield
            finally:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)

    def _dir(self, month: str, uscc: str) -> Path:
        return self.readings / f"month={month}" / f"unit={uscc}"

    def _partition(self, month: str, uscc: str) -> _Partition:
        """The partition's current values, brought up to date with files another writer added."""
        part = self._parts.setdefault((month, uscc), _Partition())
        d = self._dir(month, uscc)
        names = {p.name for p in d.glob("*.parquet")} if d.is_dir() else set()
        if names - part.files or part.files - names:
            if part.files - names:  # compacted by another process: read afresh
                part = self._parts[(month, uscc)] = _Partition()
            loaded: dict[tuple[str, int], tuple[float, int]] = {}
            for name in sorted(names - part.files):
                tbl = pq.read_table(d / name, columns=["meter", "t", "value", "version"])
                cur = part.current
                for m, t, v, ver in zip(
                    tbl["meter"].to_pylist(),
                    tbl["t"].to_pylist(),
                    tbl["value"].to_pylist(),
                    tbl["version"].to_pylist(),
                    strict=True,
                ):
                    old = cur.get((m, t))
                    if old is None or old[1] < ver:
                        cur[(m, t)] = loaded[(m, t)] = (v, ver)
            part.note(loaded)
            part.files = names
        return part

    # -- writing -----------------------------------------------------------------------------------

    def ingest(
        self, readings: Sequence[Reading], *, channel: str, received: int | None = None
    ) -> IngestResult:
        """Store what is new in `readings` durably; see the module's docstring."""
        if not readings:
            return IngestResult()
        uscc, meter, t, value, skew, _ = zip(*readings, strict=True)  # Reading is a named tuple
        return self.ingest_columns(
            uscc,
            meter,
            np.asarray(t, dtype=np.int64),
            np.asarray(value, dtype=np.float64),
            np.asarray(skew, dtype=np.int32),
            channel=channel,
            received=received,
        )

    def ingest_columns(
        self,
        uscc: Sequence[str],
        meter: Sequence[str],
        t: np.ndarray,
        value: np.ndarray,
        skew: np.ndarray,
        *,
        channel: str,
        received: int | np.ndarray | None = None,
    ) -> IngestResult:
        """`ingest` for columns (the bulk path: no object per reading); `received`: when the readings
        arrived (s since 1970; one time or one per reading; default now)."""
        result = IngestResult()
        if len(t) == 0:
            return result
        months = month_of(np.asarray(t, dtype=np.int64))
        groups: dict[tuple[str, str], list[int]] = {}
        for i, key in enumerate(zip(months.tolist(), uscc, strict=True)):
            groups.setdefault(key, []).append(i)
        stamps = np.broadcast_to(
            np.asarray(received if received is not None else int(time.time()), dtype=np.int64), (len(t),)
        )
        t_list = np.asarray(t).tolist()
        v_list = np.asarray(value, dtype=np.float64).tolist()
        writes: list[tuple[_Partition, Path, pa.Table, dict[tuple[str, int], tuple[float, int]]]] = []
        with self._locked(True):
            for (month, unit), idx in groups.items():
                part = self._partition(month, unit)
                cur = part.current
                keep: list[int] = []
                versions: list[int] = []
                pending: dict[tuple[str, int], tuple[float, int]] = {}
                keys = list(zip([meter[i] for i in idx], [t_list[i] for i in idx], strict=True))
                olds = list(map(cur.get, keys))
                # the common batches without a loop per reading: all new, or all sent before
                if olds.count(None) == len(olds) and len(set(keys)) == len(keys):
                    keep, versions = idx, [1] * len(idx)
                    pending = dict(
                        zip(keys, zip([v_list[i] for i in idx], versions, strict=True), strict=True)
                    )
                    result.new += len(idx)
                    idx = []
                elif all(o is not None and o[0] == v_list[i] for o, i in zip(olds, idx, strict=True)):
                    result.duplicate += len(idx)
                    continue
                for i in idx:
                    k = (meter[i], t_list[i])
                    old = pending.get(k) or cur.get(k)
                    if old is None:
                        ver = 1
                        result.new += 1
                    elif old[0] == v_list[i]:
                        result.duplicate += 1
                        continue
                    else:
                        ver = old[1] + 1
                        result.changed += 1
                    pending[k] = (v_list[i], ver)
                    keep.append(i)
                    versions.append(ver)
                if not keep:
                    continue
                sel = np.asarray(keep)
                table = pa.table(
                    {
                        "uscc": pa.array([unit] * len(keep), pa.string()),
                        "meter": pa.array([meter[i] for i in keep], pa.string()),
                        "t": pa.array(np.asarray(t, dtype=np.int64)[sel]),
                        "value": pa.array(np.asarray(value, dtype=np.float64)[sel]),
                        "version": pa.array(np.asarray(versions, dtype=np.int32)),
                        "skew": pa.array(np.asarray(skew, dtype=np.int32)[sel]),
                        "received": pa.array(stamps[sel]),
                        "channel": pa.array([channel] * len(keep), pa.string()),
                    },
                    schema=SCHEMA,
                )
                writes.append((part, self._dir(month, unit), table, pending))
            # the caches learn of a file only once it is durable; a file renamed into place by a
            # batch that then failed is found by the folder listing (_partition) and read
            names = self._write_all([(d, table) for _, d, table, _ in writes])
            for (part, _, _, pending), name in zip(writes, names, strict=True):
                part.files.add(name)
                part.current.update(pending)
                part.note(pending)
        return result

    def _write_all(self, items: Sequence[tuple[Path, pa.Table]]) -> list[str]:
        """Write each table as a new file of its folder, durably: every file written, the files
        fsynced together (threads: the file system commits them in fewer journal flushes), renamed
        into place, the folders fsynced."""
        from concurrent.futures import ThreadPoolExecutor

        if not items:
            return []
        names, tmps = [], []
        for d, table in items:
            d.mkdir(parents=True, exist_ok=True)
            name = f"part-{time.time_ns()}-{secrets.token_hex(4)}.parquet"
            tmp = d / f".{name}.tmp"
            pq.write_table(table, tmp, compression="zstd")
            names.append(name)
            tmps.append(tmp)
        with ThreadPoolExecutor(max_workers=min(16, len(items))) as pool:
            list(pool.map(_fsync_path, tmps))
            for (d, _), name, tmp in zip(items, names, tmps, strict=True):
                os.replace(tmp, d / name)
            list(pool.map(_fsync_path, sorted({d for d, _ in items})))
        return names

    def _write(self, d: Path, table: pa.Table) -> str:
        """Write `table` as a new file of folder `d`, durably."""
        return self._write_all([(d, table)])[0]

    def compact(self) -> int:
        """Rewrite every partition of more than one file as one file (all versions kept), then
        write the day summary of every partition of one file that has none (`summaries`); the
        number of partitions rewritten."""
        done = 0
        with self._locked(True):
            for d in sorted(self.readings.glob("month=*/unit=*")):
                files = sorted(d.glob("*.parquet"))
                if len(files) < 2:
                    continue
                table = pa.concat_tables([pq.read_table(f, schema=SCHEMA) for f in files]).sort_by(
                    [("meter", "ascending"), ("t", "ascending"), ("version", "ascending")]
                )
                self._write(d, table)
                for f in files:
                    f.unlink()
                done += 1
            self._parts.clear()
            self._summarise()
        return done

    def _summarise(self) -> None:
        """The day summaries missing (metering.aggregate.day_summary of the current values), one
        query a month, written beside the readings as `days/month=…/unit=…/<the part's name>`."""
        import ibis

        from carbonpeak.metering.aggregate import current, day_summary

        todo: dict[str, list[Path]] = {}
        for d in sorted(self.readings.glob("month=*/unit=*")):
            files = sorted(d.glob("*.parquet"))
            if len(files) == 1 and not _summary_of(files[0]).exists():
                todo.setdefault(d.parent.name, []).append(files[0])
        for parts in todo.values():
            con = ibis.duckdb.connect()
            try:
                with warnings.catch_warnings():
                    # Ibis 12 calls DuckDB 2's deprecated fetch_arrow_table(); the results are the same
                    warnings.filterwarnings(
                        "ignore", message=".*fetch_arrow_table", category=DeprecationWarning
                    )
                    readings = con.read_parquet([str(f) for f in parts]).select(
                        "uscc", "meter", "t", "value", "version"
                    )
                    table = con.to_pyarrow(day_summary(current(readings))).sort_by(
                        [("uscc", "ascending"), ("meter", "ascending"), ("day", "ascending")]
                    )
            finally:
                con.disconnect()
            uscc = table["uscc"].to_numpy(zero_copy_only=False)
            bounds = np.flatnonzero(np.r_[True, uscc[1:] != uscc[:-1], True])
            by_unit = {str(uscc[a]): table.slice(a, b - a) for a, b in itertools.pairwise(bounds)}
            items = []
            for f in parts:
                unit = f.parent.name.removeprefix("unit=")
                target = _summary_of(f)
                for old in target.parent.glob("*.parquet"):  # of files compacted away
                    old.unlink()
                items.append((target, by_unit.get(unit, table.slice(0, 0))))
            self._write_named(items)

    def _write_named(self, items: Sequence[tuple[Path, pa.Table]]) -> None:
        """Write each table at its path durably (written, fsynced, renamed, folders fsynced)."""
        for path, table in items:
            path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(table, path.parent / f".{path.name}.tmp", compression="zstd")
            _fsync_path(path.parent / f".{path.name}.tmp")
            os.replace(path.parent / f".{path.name}.tmp", path)
        for folder in sorted({p.parent for p, _ in items}):
            _fsync_path(folder)

    @staticmethod
    def summaries(files: Sequence[str]) -> dict[str, str]:
        """part file → its day summary, for the partitions among `files` that are one file with a
        summary written for that very file (a partition that got another file since is read from its
        readings)."""
        per_folder: dict[str, list[str]] = {}
        for f in files:
            per_folder.setdefault(str(Path(f).parent), []).append(f)
        out = {}
        for some in per_folder.values():
            if len(some) == 1 and len(list(Path(some[0]).parent.glob("*.parquet"))) == 1:
                summary = _summary_of(Path(some[0]))
                if summary.exists():
                    out[some[0]] = str(summary)
        return out

    # -- reading -----------------------------------------------------------------------------------

    def files(self, months: Sequence[str] | None = None) -> list[str]:
        """The Parquet files (of `months`, or all)."""
        pats = [f"month={m}/unit=*/*.parquet" for m in months] if months else ["month=*/unit=*/*.parquet"]
        return sorted(str(p) for pat in pats for p in self.readings.glob(pat))

    @staticmethod
    def corrected(files: Sequence[str]) -> set[str]:
        """The folders (partitions) among `files` where some file holds a version above 1, from
        the files' statistics (no data read)."""
        from concurrent.futures import ThreadPoolExecutor

        def top(f: str) -> int:
            md = pq.read_metadata(f)
            i = md.schema.names.index("version")
            tops = [md.row_group(g).column(i).statistics for g in range(md.num_row_groups)]
            # a row group without statistics could hold anything
            return max((s.max if s is not None and s.has_min_max else 2**31 for s in tops), default=0)

        with ThreadPoolExecutor(max_workers=4) as pool:
            tops = list(pool.map(top, files))
        return {str(Path(f).parent) for f, v in zip(files, tops, strict=True) if v > 1}

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """Hold the store still (a shared lock) while a query reads its files."""
        with self._locked(False):
            yield

    def current(self, months: Sequence[str] | None = None) -> pa.Table:
        """The newest version of every reading (of `months`): uscc, meter, t, value, skew, received,
        version, sorted by uscc, meter, t."""
        import duckdb

        with self.reading():
            files = self.files(months)
            if not files:
                return SCHEMA.empty_table().drop_columns(["channel"])
            con = duckdb.connect()
            try:
                return con.sql(
                    "SELECT uscc, meter, t, arg_max(value, version) AS value, arg_max(skew, version) AS skew,"
                    " arg_max(received, version) AS received, max(version) AS version"
                    " FROM read_parquet(?) GROUP BY uscc, meter, t ORDER BY uscc, meter, t",
                    params=[files],
                ).to_arrow_table()
            finally:
                con.close()

    def last_before(self, names: Mapping[K, tuple[str, str, int]]) -> dict[K, tuple[int, float]]:
        """name → (t, value) of the newest stored reading before the given time, for each name
        → (uscc, meter, t) (the month of t and the one before are looked at)."""
        out: dict[K, tuple[int, float]] = {}
        if not names:
            return out
        months = month_of(np.fromiter((t for _, _, t in names.values()), np.int64, len(names))).tolist()
        parts: dict[tuple[str, str], _Partition] = {}  # each partition brought up to date once

        def partition(month: str, uscc: str) -> _Partition:
            if (month, uscc) not in parts:
                parts[(month, uscc)] = self._partition(month, uscc)
            return parts[(month, uscc)]

        with self._locked(False):
            for (name, (uscc, meter, t)), m in zip(names.items(), months, strict=True):
                best: tuple[int, float] | None = None
                y, mo = int(m[:4]), int(m[5:])
                prev_m = f"{y - (mo == 1)}-{(mo - 2) % 12 + 1:02d}"
                for month in (m, prev_m):
                    part = partition(month, uscc)
                    last = part.last.get(meter)
                    if last is not None and last[0] < t:
                        best = last
                    else:  # a late reading: look through the partition
                        for (mm, tt), (v, _ver) in part.current.items():
                            if mm == meter and tt < t and (best is None or tt > best[0]):
                                best = (tt, v)
                    if best is not None:
                        break
                if best is not None:
                    out[name] = best
        return out
