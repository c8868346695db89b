"""The aggregations written once (Ibis) give the same numbers on DuckDB and on Spark, and the same
energy as the quality engine."""

from __future__ import annotations

import datetime as dt

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


@pytest.mark.slow
# py4j leaves its gateway sockets to the interpreter's exit
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_spark_gives_the_same_numbers(fixed_set):
    pytest.importorskip("pyspark")
    _ms, _sim, register, store = fixed_set
    duck = run_aggregate("duckdb", store.files(), register, "2025-06")
    spark = run_aggregate("spark", store.files(), register, "2025-06", spark_master="local[1]")
    assert spark == duck
    assert len(duck["daily"]) == 3 * 3 * 5 and len(duck["district"]) == 3 * 3
