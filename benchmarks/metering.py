"""Benchmark: online energy monitoring (issue 21), three parts in one run.

1. Bulk intake: SenML packs (one per meter and day, 96 readings) checked against the register
   (metering.senml) and stored idempotently in Parquet (metering.storage.ReadingStore), readings/s;
   against what a competent engineer would write instead, timed interleaved: the same checked
   readings inserted row by row into SQLite (`INSERT OR IGNORE` on a (meter, t) key, one
   transaction, executemany). Both then take the same batch again (all duplicates).
2. MQTT: one-reading packs published with QoS 1 by separate publishing processes (the gateways are
   other machines) to a private Mosquitto with the settings of docs/operations.md, taken by the
   subscriber (batches acknowledged after the store): messages/s live, from the first publish to the
   last message stored, and for a backlog queued by the broker while the subscriber was away (the
   subscriber's own rate, the publishers not competing for the two cores); every reading stored
   once (checked). Then half as many again while the subscriber, in a process of its own, is killed
   with SIGKILL and the broker stopped and started: readings lost plus readings stored twice must
   be 0.
3. Aggregation: one month × N series (15-minute; default 5,000: 500 units × 10 meters, 14.4 million
   readings) in Parquet in the store's layout, the monthly energy by unit and kind (the Ibis job on
   DuckDB, metering/aggregate.py: readings summed by meter and day with aggregates alone, one window
   over the meter-days), once from the day summaries that compaction writes (the month compacted,
   timed) and once from the readings, against the job as a competent engineer writes it by hand in
   DuckDB SQL (a window over every reading for its increment; only corrected readings grouped to
   their newest version).
Goals (issue 21): bulk >= 100,000 readings/s; MQTT >= 10,000 msgs/s; aggregation <= 1 s.
Run: `.venv/bin/python benchmarks/metering.py [--units U] [--repeat R] [--messages M] [--publishers P]
[--series S] [--parts bulk,mqtt,aggregate]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import secrets
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from carbonpeak.metering.register import Meter, uscc_from
from carbonpeak.metering.senml import parse_pack
from carbonpeak.metering.storage import SCHEMA, ReadingStore

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Row, interleaved, record

T0 = int(dt.datetime(2025, 6, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp())


def meters(units: int, per_unit: int) -> list[Meter]:
    out = []
    for u in range(units):
        uscc = uscc_from(f"91370100MB{u + 1:07d}")
        for k in range(per_unit):
            gas = k % 5 == 4
            out.append(
                Meter(
                    uscc,
                    f"单位{u}",
                    "C3120",
                    "历城区",
                    f"M{k + 1:03d}",
                    "natural_gas" if gas else "electricity",
                    "volume" if gas else "active_energy",
                    "m3" if gas else "kWh",
                    "interval" if gas else "cumulative",
                    5000.0,
                    0 if gas else 9,
                    15,
                    dt.date(2027, 1, 1),
                )
            )
    return out


def day_packs(ms: list[Meter], day: int, rng: np.random.Generator) -> list[bytes]:
    """One pack per meter for local day `day` of June 2025 (96 readings)."""
    out = []
    t = T0 + day * 86400
    for m in ms:
        q = np.round(rng.uniform(50, 1000, 96), 2)
        values = q if m.mode == "interval" else np.round(1e6 + day * 1e5 + np.cumsum(q), 2)
        key = "s" if m.mode == "interval" else "v"
        recs: list[dict[str, object]] = [{"bn": m.name, "bu": m.unit, "bt": t}]
        recs += [{"t": 900 * i, key: float(v)} for i, v in enumerate(values)]
        out.append(json.dumps(recs, separators=(",", ":")).encode())
    return out


def bench_bulk(units: int, repeat: int) -> list[Row]:
    ms = meters(units, 10)
    register = {m.name: m for m in ms}
    rng = np.random.default_rng(1)
    packs = day_packs(ms, 0, rng)
    n = len(packs) * 96
    now = T0 + 40 * 86400
    tmp = Path(tempfile.mkdtemp(prefix="cp-bench-"))
    state = {"round": 0}

    def parquet() -> None:
        state["round"] += 1
        store = ReadingStore(tmp / f"p{state['round']}")
        readings = []
        for p in packs:
            got, bad = parse_pack(p, register, now=now)
            assert not bad
            readings += got
        res = store.ingest(readings, channel="bench")
        assert res.new == n
        again = store.ingest(readings, channel="bench")  # a re-delivery: nothing written
        assert again.duplicate == n and len(store.files()) == units

    def sqlite_rows() -> None:
        state["round"] += 1
        con = sqlite3.connect(tmp / f"s{state['round']}.db")
        con.execute("PRAGMA journal_mode=WAL")
        con.execute(
            "CREATE TABLE readings (uscc TEXT, meter TEXT, t INTEGER, value REAL, version INTEGER, "
            "PRIMARY KEY (uscc, meter, t))"
        )
        readings = []
        for p in packs:
            got, bad = parse_pack(p, register, now=now)
            assert not bad
            readings += got
        for _ in range(2):
            with con:
                con.executemany(
                    "INSERT OR IGNORE INTO readings VALUES (?, ?, ?, ?, 1)",
                    ((r.uscc, r.meter, r.t, r.value) for r in readings),
                )
        assert con.execute("SELECT count(*) FROM readings").fetchone() == (n,)
        con.close()

    t = interleaved({"parquet": parquet, "sqlite": sqlite_rows}, repeat)
    pq_rate = 2 * n / t["parquet"].wall_median
    sq_rate = 2 * n / t["sqlite"].wall_median
    print(f"bulk intake, {n:,} readings twice: parquet {t['parquet'].text(1, 's')}")
    print(f"                                   sqlite  {t['sqlite'].text(1, 's')}")
    return [
        Row(
            "metering",
            f"bulk intake (SenML check + Parquet, {n:,} readings, then again): readings/s",
            pq_rate,
            "readings/s",
            ">= 100,000/s",
            pq_rate >= 100_000,
            f"{pq_rate / sq_rate:.2f}x the row-by-row SQLite insert",
        ),
        Row(
            "metering", "row-by-row SQLite INSERT OR IGNORE (same checks): readings/s", sq_rate, "readings/s"
        ),
    ]


class PrivateBroker:
    """A Mosquitto with the settings of docs/operations.md (queue and in-flight limits raised,
    persistence) on a free local port, to stop and start again: the machine's broker keeps
    Mosquitto's defaults (a queue of 1,000 messages a client), under which a publisher faster than
    the subscriber loses messages, and restarting it would disturb everyone else."""

    def __init__(self) -> None:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        folder = Path(tempfile.mkdtemp(prefix="cp-bench-broker-"))
        self.conf = folder / "mosquitto.conf"
        self.conf.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
            f"persistence_location {folder}/\nautosave_interval 60\nmax_queued_messages 1000000\n"
            "max_inflight_messages 1000\nuser root\n"
        )
        self.proc: object = None

    def start(self) -> None:
        import shutil
        import socket
        import subprocess

        self.proc = subprocess.Popen(
            [shutil.which("mosquitto") or "/usr/sbin/mosquitto", "-c", str(self.conf)],
            stderr=subprocess.DEVNULL,
        )
        end = time.monotonic() + 10
        while time.monotonic() < end:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not start")

    def stop(self) -> None:
        self.proc.terminate()  # type: ignore[attr-defined]  # SIGTERM: it writes its persistence file
        self.proc.wait(30)  # type: ignore[attr-defined]


def mqtt_messages(ms: list[Meter], prefix: str, day: int = 0) -> list[tuple[str, bytes]]:
    """One-reading packs of `ms` for the 96 periods of day `day`, period by period (as meters send
    them)."""
    msgs = []
    for i in range(96):
        t = T0 + day * 86400 + 900 * i
        for m in ms:
            key = "s" if m.mode == "interval" else "v"
            value = 100.0 + i if m.mode == "interval" else 1e6 + 1e4 * day + 100.0 * i
            msgs.append(
                (
                    f"{prefix}/{m.name}",
                    json.dumps([{"bn": m.name, "bu": m.unit, "t": t, key: value}]).encode(),
                )
            )
    return msgs


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b, n = n % 128, n // 128
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _publisher(port: int, msgs: list[tuple[str, bytes]], ready: object = None, go: object = None) -> None:
    """One publishing process speaking MQTT 3.1.1 on a plain socket: PUBLISH packets at QoS 1 sent
    in chunks, at most 2,000 unacknowledged, until the broker acknowledged every one. The gateways
    are other machines; on the two shared cores the load generator must cost little, and paho's
    publish() costs more than the subscriber's whole handling of a message."""
    import socket
    import struct

    sock = socket.create_connection(("127.0.0.1", port))
    cid = f"cpb-pub-{secrets.token_hex(4)}".encode()
    body = b"\x00\x04MQTT\x04\x02\x00\x3c" + struct.pack("!H", len(cid)) + cid
    sock.sendall(b"\x10" + _varint(len(body)) + body)
    assert sock.recv(4)[:2] == b"\x20\x02"  # CONNACK
    packets = []
    for k, (topic, payload) in enumerate(msgs):
        t = topic.encode()
        rest = struct.pack("!H", len(t)) + t + struct.pack("!H", k % 65535 + 1) + payload
        packets.append(b"\x32" + _varint(len(rest)) + rest)
    if ready is not None:
        ready.put(1)  # type: ignore[attr-defined]
    if go is not None:
        go.wait()  # type: ignore[attr-defined]
    sent = acked = 0
    pending = b""
    while acked < len(packets):
        if sent < len(packets) and sent - acked < 2000:
            chunk = packets[sent : sent + 500]
            sock.sendall(b"".join(chunk))
            sent += len(chunk)
            continue
        pending += sock.recv(65536)
        n = len(pending) // 4  # PUBACKs: 0x40 0x02 and the packet id
        assert all(pending[4 * i] == 0x40 for i in range(n)), pending[:8]
        acked, pending = acked + n, pending[4 * n :]
    sock.sendall(b"\xe0\x00")  # DISCONNECT
    sock.close()


def _handler(store: ReadingStore, register: dict[str, Meter]) -> object:
    """What services.metering.mqtt_handler does, without the database (no refusals here)."""
    from carbonpeak.services.metering import check_packs

    def handle(batch):  # type: ignore[no-untyped-def]
        readings, problems = check_packs(
            store, register, [b.payload for b in batch], now=T0 + 40 * 86400, topics=[b.topic for b in batch]
        )
        assert not any(problems)
        store.ingest([r for rs in readings for r in rs], channel="mqtt")
        return []

    return handle


def _subscribe(root: str, port: int, prefix: str, units: int, ready: object) -> None:
    """The subscriber in a process of its own (to be killed with SIGKILL)."""
    from carbonpeak.metering.mqtt import Subscriber

    ms = meters(units, 10)
    store = ReadingStore(Path(root))
    sub = Subscriber(
        _handler(store, {m.name: m for m in ms}), prefix=prefix, client_id=f"{prefix}-sub", port=port
    )  # type: ignore[arg-type]
    sub.start()
    assert sub.connected.wait(60)
    ready.set()  # type: ignore[attr-defined]
    while True:
        time.sleep(1)


def _start(ctx: object, target: object, args: tuple[object, ...]) -> tuple[object, object]:
    """A process on `target` that signals `ready` (the last argument) once it is up."""
    ready = ctx.Event()  # type: ignore[attr-defined]
    proc = ctx.Process(target=target, args=(*args, ready))  # type: ignore[attr-defined]
    proc.start()
    return proc, ready


def bench_mqtt_crash(messages: int, publishers: int) -> list[Row]:
    """`messages` one-reading packs while the subscriber (its own process) is killed with SIGKILL
    after a third of the first half is stored, the broker is stopped and started again, and the
    subscriber comes back for the second half: every reading must be stored exactly once."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    broker = PrivateBroker()
    broker.start()
    units = max(1, -(-messages // 960))
    prefix = f"cpk{secrets.token_hex(3)}"
    root = Path(tempfile.mkdtemp(prefix="cp-bench-crash-"))
    store = ReadingStore(root)
    msgs = mqtt_messages(meters(units, 10), prefix)[:messages]
    half = len(msgs) // 2

    def rows() -> int:
        return sum(pq.read_metadata(f).num_rows for f in store.files())

    def subscriber() -> object:
        proc, ready = _start(ctx, _subscribe, (str(root), broker.port, prefix, units))
        assert ready.wait(120)  # type: ignore[attr-defined]
        return proc

    def publish(part: list[tuple[str, bytes]]) -> list[object]:
        procs = [
            ctx.Process(target=_publisher, args=(broker.port, part[k::publishers])) for k in range(publishers)
        ]
        for proc in procs:
            proc.start()
        return procs

    sub = subscriber()
    t0 = time.perf_counter()
    pubs = publish(msgs[:half])
    end = time.monotonic() + 120
    while rows() < half // 3 and time.monotonic() < end:
        time.sleep(0.02)
    sub.kill()  # type: ignore[attr-defined]  # SIGKILL, batches in flight
    sub.join()  # type: ignore[attr-defined]
    at_kill = rows()
    for proc in pubs:
        proc.join(300)  # type: ignore[attr-defined]
    broker.stop()  # the rest of the first half waits in the broker's persistence file
    broker.start()
    sub = subscriber()
    for proc in publish(msgs[half:]):
        proc.join(300)  # type: ignore[attr-defined]
    end = time.monotonic() + 300
    while rows() < len(msgs) and time.monotonic() < end:
        time.sleep(0.05)
    time.sleep(1.0)  # anything more would be a duplicate
    wall = time.perf_counter() - t0
    sub.kill()  # type: ignore[attr-defined]
    sub.join()  # type: ignore[attr-defined]
    broker.stop()
    stored, written = store.current().num_rows, rows()
    lost, twice = len(msgs) - stored, written - stored
    print(
        f"mqtt crash: {len(msgs):,} messages, subscriber killed at {at_kill:,} stored, broker restarted; "
        f"{stored:,} stored, {written:,} rows, {wall:.1f} s"
    )
    return [
        Row(
            "metering",
            f"MQTT across kill -9 of the subscriber and a broker restart ({len(msgs):,} msgs): lost + twice",
            lost + twice,
            "readings",
            "0",
            lost == 0 and twice == 0 and 0 < at_kill < len(msgs),
            f"lost {lost}, stored twice {twice}; killed with {at_kill:,} stored",
        )
    ]


def bench_mqtt(messages: int, publishers: int) -> list[Row]:
    import multiprocessing as mp

    from carbonpeak.metering.mqtt import Subscriber

    broker = PrivateBroker()
    broker.start()
    port = broker.port

    ms = meters(max(1, -(-messages // 960)), 10)
    register = {m.name: m for m in ms}
    prefix = f"cpb{secrets.token_hex(3)}"
    store = ReadingStore(Path(tempfile.mkdtemp(prefix="cp-bench-mqtt-")))
    msgs = mqtt_messages(ms, prefix)[:messages]
    handle = _handler(store, register)

    def publish(msgs: list[tuple[str, bytes]]) -> tuple[list[object], object]:
        ready, go = ctx.Queue(), ctx.Event()
        procs = [
            ctx.Process(target=_publisher, args=(port, msgs[k::publishers], ready, go))
            for k in range(publishers)
        ]
        for p in procs:
            p.start()
        for _ in procs:
            ready.get(timeout=60)
        return procs, go

    ctx = mp.get_context("spawn")
    # live: the subscriber takes what the publishers send, from the first publish to the last stored
    sub = Subscriber(handle, prefix=prefix, client_id=f"{prefix}-sub", port=port)
    sub.start()
    assert sub.connected.wait(10)
    procs, go = publish(msgs)
    t0, c0 = time.perf_counter(), time.process_time()
    go.set()  # type: ignore[attr-defined]
    end = time.monotonic() + 300
    while sub.handled < len(msgs) and time.monotonic() < end:
        time.sleep(0.005)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    for p in procs:
        p.join(60)  # type: ignore[attr-defined]
    sub.stop()
    # backlog: the same number sent while the subscriber was away (the broker keeps them for its
    # session), taken when it comes back: the subscriber's own rate, the publishers not competing
    later = mqtt_messages(ms, prefix, day=1)[: len(msgs)]
    procs, go = publish(later)
    go.set()  # type: ignore[attr-defined]
    for p in procs:
        p.join(300)  # type: ignore[attr-defined]
    sub = Subscriber(handle, prefix=prefix, client_id=f"{prefix}-sub", port=port)
    t1, c1 = time.perf_counter(), time.process_time()
    sub.start()
    end = time.monotonic() + 300
    while sub.handled < len(later) and time.monotonic() < end:
        time.sleep(0.005)
    drain, drain_cpu = time.perf_counter() - t1, time.process_time() - c1
    sub.stop()
    broker.stop()
    cur = store.current()
    stored, rows = cur.num_rows, sum(pq.read_metadata(f).num_rows for f in store.files())
    rate, backlog = len(msgs) / wall, sub.handled / drain
    total = len(msgs) + len(later)
    print(
        f"mqtt live: {len(msgs):,} published by {publishers} processes and stored in {wall:.2f} s "
        f"(subscriber's CPU {cpu:.2f} s); backlog: {sub.handled:,} in {drain:.2f} s (CPU {drain_cpu:.2f} s); "
        f"{stored:,} readings stored in {rows:,} rows"
    )
    once = stored == rows == total
    return [
        Row(
            "metering",
            f"MQTT intake, live ({len(msgs):,} one-reading packs, QoS 1, ack after store): msgs/s",
            rate,
            "msgs/s",
            ">= 10,000/s",
            rate >= 10_000 and once,
            f"{publishers} publishing processes on the same machine; every reading stored once: {once}",
        ),
        Row(
            "metering",
            f"MQTT intake, a backlog of {len(later):,} queued while the subscriber was away: msgs/s",
            backlog,
            "msgs/s",
            detail=f"subscriber CPU {drain_cpu / len(later) * 1e6:.0f} us a message",
        ),
    ]


def month_files(root: Path, series: int, rng: np.random.Generator) -> list[Meter]:
    """`series` meters (10 a unit) × June 2025 at 15 minutes, written in the store's layout."""
    ms = meters(series // 10, 10)
    n = 30 * 96
    t = T0 + 900 * np.arange(n, dtype=np.int64)
    for u in range(0, len(ms), 10):
        unit = ms[u : u + 10]
        cols: dict[str, list[np.ndarray]] = {"meter": [], "t": [], "value": []}
        for m in unit:
            q = np.round(rng.uniform(50, 1000, n), 2)
            cols["meter"].append(np.full(n, m.meter))
            cols["t"].append(t)
            cols["value"].append(q if m.mode == "interval" else np.round(1e6 + np.cumsum(q), 2))
        rows = n * len(unit)
        table = pa.table(
            {
                "uscc": pa.array(np.full(rows, unit[0].uscc)),
                "meter": pa.array(np.concatenate(cols["meter"])),
                "t": pa.array(np.concatenate(cols["t"])),
                "value": pa.array(np.concatenate(cols["value"])),
                "version": pa.array(np.ones(rows, dtype=np.int32)),
                "skew": pa.array(np.zeros(rows, dtype=np.int32)),
                "received": pa.array(np.concatenate(cols["t"]) + 3600),
                "channel": pa.array(np.full(rows, "bench")),
            },
            schema=SCHEMA,
        )
        d = root / "readings" / "month=2025-06" / f"unit={unit[0].uscc}"
        d.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, d / "part-0.parquet", compression="zstd")
    return ms


HAND_SQL = """
WITH raw AS (SELECT uscc, meter, t, value, version FROM read_parquet($files) WHERE t >= $start AND t < $end),
fixed AS (SELECT DISTINCT uscc, meter, t FROM raw WHERE version > 1),
cur AS (
  SELECT uscc, meter, t, value FROM raw WHERE version = 1 AND NOT EXISTS (
    SELECT 1 FROM fixed f WHERE f.uscc = raw.uscc AND f.meter = raw.meter AND f.t = raw.t)
  UNION ALL
  SELECT uscc, meter, t, arg_max(value, version) FROM raw SEMI JOIN fixed USING (uscc, meter, t)
  GROUP BY uscc, meter, t),
r AS (SELECT cur.*, g.energy_kind, g.mode, g.rollover FROM cur JOIN reg g USING (uscc, meter)),
p AS (SELECT *, lead(value) OVER (PARTITION BY uscc, meter ORDER BY t) - value AS d FROM r)
SELECT uscc, energy_kind,
  round(sum(CASE WHEN mode = 'interval' THEN value
                 WHEN d < 0 AND rollover > 0 THEN d + rollover ELSE d END), 3)
    AS quantity, count(*) AS readings
FROM p GROUP BY uscc, energy_kind ORDER BY uscc, energy_kind
"""


def bench_aggregate(series: int, repeat: int) -> list[Row]:
    import duckdb

    from carbonpeak.services.metering import register_table, run_aggregate

    root = Path(tempfile.mkdtemp(prefix="cp-bench-agg-"))
    ms = month_files(root, series, np.random.default_rng(3))
    register = {m.name: m for m in ms}
    store = ReadingStore(root)
    files = store.files(["2025-06"])
    start, end = T0, T0 + 30 * 86400
    out: dict[str, object] = {}

    def from_readings() -> None:
        out["readings"] = run_aggregate(
            "duckdb", files, register, "2025-06", only=["unit"], use_summaries=False
        )["unit"]

    def from_days() -> None:
        out["days"] = run_aggregate("duckdb", files, register, "2025-06", only=["unit"])["unit"]

    def hand_sql() -> None:
        con = duckdb.connect()
        con.register("reg", register_table(register, start, end))
        out["sql"] = con.execute(HAND_SQL, {"files": files, "start": start, "end": end}).fetchall()
        con.close()

    c0 = time.perf_counter()
    store.compact()  # one file a partition already: writes the day summaries
    compaction = time.perf_counter() - c0
    assert len(store.summaries(files)) == len(files)
    t = interleaved({"days": from_days, "readings": from_readings, "sql": hand_sql}, repeat)
    assert out["days"] == out["readings"]
    ibis_rows = [(r["uscc"], r["energy_kind"], r["quantity"], r["readings"]) for r in out["readings"]]  # type: ignore[attr-defined]
    sql_rows = [tuple(r) for r in out["sql"]]  # type: ignore[attr-defined]
    # the same rows; quantities summed in another order may differ in the last rounded digit
    assert [r[:2] + r[3:] for r in ibis_rows] == [r[:2] + r[3:] for r in sql_rows]
    assert all(abs(a[2] - b[2]) <= 2e-3 for a, b in zip(ibis_rows, sql_rows, strict=True))
    readings = series * 30 * 96
    print(f"aggregation of {readings:,} readings: day summaries {t['days'].text(1, 's')}")
    print(f"                                  readings      {t['readings'].text(1, 's')}")
    print(f"                                  hand SQL      {t['sql'].text(1, 's')}")
    print(f"compaction writing the day summaries: {compaction:.2f} s")
    w, r, q = t["days"].wall_median, t["readings"].wall_median, t["sql"].wall_median
    return [
        Row(
            "metering",
            f"one month x {series:,} series ({readings / 1e6:.1f} M readings) by unit, Ibis on DuckDB, "
            "compacted partitions (day summaries): wall",
            w,
            "s",
            "<= 1 s",
            w <= 1.0,
            f"{w / q:.3f}x hand-written DuckDB SQL, a window per reading (same rows)",
        ),
        Row(
            "metering",
            "the same job from the readings (partitions not yet compacted): wall",
            r,
            "s",
            detail=f"CPU {t['readings'].cpu_median:.2f} s; {r / q:.2f}x the hand-written SQL",
        ),
        Row("metering", "the same job in hand-written DuckDB SQL: wall", q, "s"),
        Row("metering", "compaction of the month, writing its day summaries: wall", compaction, "s"),
    ]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=100, help="units of 10 meters for the bulk intake (1 day)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--messages", type=int, default=100_000)
    ap.add_argument("--publishers", type=int, default=2, help="publishing processes for the MQTT part")
    ap.add_argument("--series", type=int, default=5000)
    ap.add_argument("--skip-mqtt", action="store_true")
    ap.add_argument("--parts", default="bulk,mqtt,aggregate", help="comma-separated: bulk, mqtt, aggregate")
    args = ap.parse_args()
    parts = set(args.parts.split(",")) - ({"mqtt"} if args.skip_mqtt else set())
    rows: list[Row] = []
    if "bulk" in parts:
        rows += bench_bulk(args.units, args.repeat)
    if "mqtt" in parts:
        rows += bench_mqtt(args.messages, args.publishers)
        rows += bench_mqtt_crash(args.messages // 2, args.publishers)
    if "aggregate" in parts:
        rows += bench_aggregate(args.series, args.repeat)
    record("metering", rows)


if __name__ == "__main__":
    main()
