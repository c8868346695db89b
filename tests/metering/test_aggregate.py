"""The aggregations written once (Ibis) give the same numbers on DuckDB and on Spark, and the same
energy as the quality engine."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from carbonpeak.metering import quality
from carbonpeak.metering.senml import Reading, parse_pack
from carbonpeak.metering.simulate import population, simulate
from carbonpeak.metering.storage import ReadingStore
from carbonpeak.services.metering import run_aggregate


@pytest.fixture(scope="module")
def fixed_set(tmp_path_factory):
    """3 units × 4 meters × 5 days (seed 21, faults injected) in a store, one value corrected."""
    rng = np.random.default_rng(21)
    ms = population(rng, 3, 4, 2025)
    sim = simulate(rng, ms, start=dt.date(2025, 6, 2), days=5, faults=True)
    register = {m.name: m for m in ms}
    store = ReadingStore(tmp_path_factory.mktemp("agg") / "m")
    readings = []
    for p in sim.packs:
        rs, problems = parse_pack(p.records, register, now=sim.end + 86400)
        assert not problems
        readings += rs
    store.ingest(readings, channel="test", received=sim.end)
    gas = next(r for r in readings if r.meter == "M003")
    store.ingest([Reading(gas.uscc, gas.meter, gas.t, gas.value + 10.0, 0)], channel="test")  # version 2
    return ms, sim, register, store


def test_duckdb_jobs_agree_with_the_quality_engine(fixed_set):
    ms, sim, register, store = fixed_set
    got = run_aggregate("duckdb", store.files(), register, "2025-06")
    cur = store.current()
    key = np.asarray(
        [f"{u}/{m}" for u, m in zip(cur["uscc"].to_pylist(), cur["meter"].to_pylist(), strict=True)]
    )
    a = quality.assess(
        ms,
        key,
        cur["t"].to_numpy(),
        cur["value"].to_numpy(),
        cur["skew"].to_numpy(),
        cur["received"].to_numpy(),
        start=sim.start,
        end=sim.end,
        month="2025-06",
    )
    unit = {(r["uscc"], r["energy_kind"]): r for r in got["unit"]}
    assert set(unit) == set(a.energy)
    for k, q in a.energy.items():
        assert unit[k]["quantity"] == pytest.approx(q, abs=1e-3)
    # the daily rows add up to the month; the districts to the units
    for k in unit:
        days = [r["quantity"] for r in got["daily"] if (r["uscc"], r["energy_kind"]) == k]
        assert sum(days) == pytest.approx(unit[k]["quantity"], abs=0.01)
        assert len(days) == 5
    assert sum(r["quantity"] for r in got["district"]) == pytest.approx(
        sum(r["quantity"] for r in got["unit"]), abs=0.01
    )
    # completeness: uploaded ÷ due over the whole month (30 days × 96 periods a meter)
    n = sum(1 for m in ms if m.uscc == ms[0].uscc and m.energy_kind == "electricity")
    row = unit[(ms[0].uscc, "electricity")]
    assert row["due"] == n * 30 * 96 and 0 < row["completeness"] <= round(5 / 30, 6)


def test_the_fast_jobs_equal_the_definition_reading_by_reading(fixed_set):
    """meter_days (aggregates, one window over meter-days) gives the numbers of periods (a window
    over every reading), on a set with gaps, rollovers, late and duplicate packs and a corrected
    value; the corrected unit's partition goes the slow way for versions, the others skip it."""
    _ms, _sim, register, store = fixed_set
    files = store.files()
    fixed = store.corrected(files)
    assert len(fixed) == 1 and len({str(Path(f).parent) for f in files}) == 3
    fast = run_aggregate("duckdb", files, register, "2025-06")
    slow = run_aggregate("duckdb", files, register, "2025-06", per_reading=True)
    assert fast == slow
    # the corrected value counts, its first version does not
    assert fast != run_aggregate(
        "duckdb", [f for f in files if str(Path(f).parent) not in fixed], register, "2025-06"
    )


@pytest.fixture(scope="module")
def compacted(fixed_set, tmp_path_factory):
    """The fixed set's store copied and compacted: one file and a day summary per partition."""
    import shutil

    _ms, _sim, _register, store = fixed_set
    root = tmp_path_factory.mktemp("compacted") / "m"
    shutil.copytree(store.root, root, ignore=shutil.ignore_patterns(".lock"))
    copy = ReadingStore(root)
    copy.compact()
    return copy


def test_compacted_partitions_are_read_as_day_summaries_with_the_same_numbers(fixed_set, compacted):
    _ms, _sim, register, store = fixed_set
    files = compacted.files()
    assert len(files) == 3 and len(compacted.summaries(files)) == 3
    before = run_aggregate("duckdb", store.files(), register, "2025-06")
    assert run_aggregate("duckdb", files, register, "2025-06") == before
    assert run_aggregate("duckdb", files, register, "2025-06", use_summaries=False) == before
    # a partition that gets another file is read from its readings again, the new one counted
    gas = next(m for m in register.values() if m.meter == "M003")
    t = int(dt.datetime(2025, 6, 4, tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp()) + 900 * 5
    compacted.ingest([Reading(gas.uscc, gas.meter, t, 1e6, 0)], channel="test")
    files = compacted.files()
    assert len(files) == 4 and len(compacted.summaries(files)) == 2
    after = run_aggregate("duckdb", files, register, "2025-06")
    assert after == run_aggregate("duckdb", files, register, "2025-06", per_reading=True) != before
    compacted.compact()  # the summary of the rewritten partition replaces the old one
    assert run_aggregate("duckdb", compacted.files(), register, "2025-06") == after
    assert len(list((compacted.root / "days").glob("*/*/*.parquet"))) == 3


def test_a_register_rollover_inside_a_day_and_across_days(tmp_path):
    """A cumulative 6-digit register rolling over mid-day and at midnight, with a gap of two days:
    the same daily quantities both ways, hand-checked."""
    ms = population(np.random.default_rng(1), 1, 1, 2025)
    m = ms[0]
    assert m.mode == "cumulative"
    m = dataclasses.replace(m, register_width=6)
    t0 = int(dt.datetime(2025, 6, 2, tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp())
    ts = [t0, t0 + 900, t0 + 1800, t0 + 86400 - 900, t0 + 86400, t0 + 4 * 86400, t0 + 4 * 86400 + 900]
    vs = [999_000.0, 999_500.0, 200.0, 900.0, 1_000.0, 5_000.0, 5_010.0]
    store = ReadingStore(tmp_path / "m")
    store.ingest([Reading(m.uscc, m.meter, t, v, 0) for t, v in zip(ts, vs, strict=True)], channel="test")
    register = {m.name: m}
    fast = run_aggregate("duckdb", store.files(), register, "2025-06")
    slow = run_aggregate("duckdb", store.files(), register, "2025-06", per_reading=True)
    assert fast == slow
    days = [r["quantity"] for r in fast["daily"]]
    assert days == [1_000.0 + 1_000.0, 4_000.0, 10.0]  # 999000→1000 with a wrap; 1000→5000; 5000→5010
    assert fast["unit"][0]["quantity"] == 6_010.0 and fast["unit"][0]["readings"] == 7


@pytest.mark.slow
# py4j leaves its gateway sockets to the interpreter's exit
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_spark_gives_the_same_numbers(fixed_set, tmp_path):
    """From the readings and from the day summaries of a compacted copy alike."""
    import shutil

    pytest.importorskip("pyspark")
    from carbonpeak.services.metering import spark_session

    _ms, _sim, register, store = fixed_set
    shutil.copytree(store.root, tmp_path / "m", ignore=shutil.ignore_patterns(".lock"))
    compacted = ReadingStore(tmp_path / "m")
    compacted.compact()
    assert len(compacted.summaries(compacted.files())) == 3
    duck = run_aggregate("duckdb", store.files(), register, "2025-06")
    session = spark_session("local[1]")
    try:
        spark = run_aggregate("spark", store.files(), register, "2025-06", spark=session)
        from_days = run_aggregate("spark", compacted.files(), register, "2025-06", spark=session)
    finally:
        session.stop()
    assert spark == duck == from_days
    assert len(duck["daily"]) == 3 * 3 * 5 and len(duck["district"]) == 3 * 3
