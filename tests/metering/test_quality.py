"""The quality engine finds every injected fault at its place and flags nothing on clean series; the
simulator's packs pass the intake checks and go through the store."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from carbonpeak.metering import quality
from carbonpeak.metering.register import Meter
from carbonpeak.metering.senml import parse_pack
from carbonpeak.metering.simulate import population, simulate
from carbonpeak.metering.storage import ReadingStore

START = dt.date(2025, 6, 2)  # a Monday


def _run(tmp_path, seed: int, *, faults: bool, units: int = 4, meters: int = 4, days: int = 8):
    rng = np.random.default_rng(seed)
    ms = population(rng, units, meters, 2025)
    sim = simulate(rng, ms, start=START, days=days, faults=faults)
    register = {m.name: m for m in ms}
    store = ReadingStore(tmp_path / f"s{seed}{faults}")
    now = sim.end + 5 * 86400
    readings, received = [], []
    for p in sim.packs:
        rs, problems = parse_pack(p.records, register, now=now)
        assert problems == [], (p.topic, problems)
        readings += rs
        received += [p.received] * len(rs)
    duplicates = store.ingest(readings, channel="test", received=np.asarray(received)).duplicate
    cur = store.current()
    key = np.asarray(
        [f"{u}/{m}" for u, m in zip(cur["uscc"].to_pylist(), cur["meter"].to_pylist(), strict=True)]
    )
    reports = {(u, k): v for (u, k, _m), v in sim.reports.items()}
    got = quality.assess(
        ms,
        key,
        cur["t"].to_numpy(),
        cur["value"].to_numpy(),
        cur["skew"].to_numpy(),
        cur["received"].to_numpy(),
        start=sim.start,
        end=sim.end,
        month="2025-06",
        reports=reports,
    )
    return ms, sim, got, duplicates


def _expected(sim):
    return {
        (f.kind, f.key, f.t, f.t_end if f.kind in ("gap", "stuck") else f.t)
        for f in sim.faults
        if f.kind not in ("duplicate", "rollover", "late")
    }


def _found(got):
    out = set()
    for f in got.findings:
        if f.rule in ("rollover", "late"):
            continue
        out.add((f.rule, f"{f.uscc}/{f.meter}", f.t, f.t_end if f.rule in ("gap", "stuck") else f.t))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_injected_fault_is_found_and_nothing_else(tmp_path, seed):
    _ms, sim, got, duplicates = _run(tmp_path, seed, faults=True)
    kinds = {f.kind for f in sim.faults}
    assert kinds >= {"gap", "jump", "stuck", "time_label", "late", "duplicate", "monthly_deviation"}
    assert _found(got) == _expected(sim)
    # late packs: each of their readings, nothing else
    late = {(f"{f.uscc}/{f.meter}", f.t) for f in got.findings if f.rule == "late"}
    want = {(f.key, f.t + 900 * i) for f in sim.faults if f.kind == "late" for i in range(4)}
    assert late == want
    # duplicates: every re-delivered reading counted as one, none stored twice
    assert duplicates == sum(f.readings for f in sim.faults if f.kind == "duplicate")
    # rollovers: reported where injected, never as a fault
    rolled = {(f"{f.uscc}/{f.meter}", f.t) for f in got.findings if f.rule == "rollover"}
    assert {(f.key, f.t) for f in sim.faults if f.kind == "rollover"} <= rolled
    assert not any(f.rule == "non_monotone" for f in got.findings)


@pytest.mark.parametrize("seed", [4, 5])
def test_clean_series_raise_no_flag(tmp_path, seed):
    _ms, sim, got, duplicates = _run(tmp_path, seed, faults=False)
    assert sim.faults == []
    assert [f for f in got.findings if f.fault] == []
    assert duplicates == 0
    assert all(i.index == pytest.approx(100.0) for i in got.indices)
    assert all(share == 1.0 for days in got.completeness.values() for share in days.values())


def test_hand_checked_rules():
    m = Meter(
        "U",
        "u",
        "C3120",
        "d",
        "M1",
        "electricity",
        "e",
        "kWh",
        "cumulative",
        400.0,
        4,
        15,
        dt.date(2030, 1, 1),
    )
    t = 900 * np.arange(8, dtype=np.int64)
    # 100 kWh per period (≤ 400 kW × 0.25 h), a wrap at 10,000, one 150 kWh jump, then standing still
    v = np.array([9_800.0, 9_900.0, 0.0, 100.0, 400.0, 400.0, 400.0, 400.0])
    got = quality.check_meter(m, t, v, np.zeros(8), t + 1800, start=0, end=8 * 900)
    # three still periods are below STUCK_RUN (4): no stuck finding
    assert [(f.rule, f.t, f.value) for f in got] == [("rollover", 1800, 9_900.0), ("jump", 3600, 300.0)]
    stuck = quality.check_meter(
        m, t[:7], np.array([1.0, 2, 2, 2, 2, 2, 3]), np.zeros(7), t[:7], start=0, end=7 * 900
    )
    assert [(f.rule, f.t, f.t_end, f.value) for f in stuck] == [("stuck", 1800, 4500, 4)]
    assert quality.increment(9_900.0, 0.0, 10_000.0) == 100.0
    assert quality.working_days_between(dt.date(2025, 6, 6), dt.date(2025, 6, 11)) == 3  # Fri → Wed
    g = quality.Finding("gap", "U", "M1", 0, 900, 2)
    assert quality.chase_list([g], {"U/M1": m}, dt.date(1970, 1, 6)) == []
    assert len(quality.chase_list([g], {"U/M1": m}, dt.date(1970, 1, 7))) == 1


def test_the_array_path_of_the_pack_check_agrees_with_the_record_path(monkeypatch):
    """parse_pack takes the common pack shape through array operations; on packs of every kind
    (clean, faulty, refused) it gives what the record-by-record path gives."""
    import json

    from carbonpeak.metering import senml

    rng = np.random.default_rng(9)
    ms = population(rng, 4, 4, 2025)
    sim = simulate(rng, ms, start=START, days=3, faults=True)
    register = {m.name: m for m in ms}
    now = sim.end + 86400
    packs = [p.records for p in sim.packs[:200]]
    first = next(p for p in packs if p[0]["bn"].endswith("active_energy") and len(p) > 3)
    packs += [
        [first[0], *[{**r, "v": -1.0} if "v" in r else r for r in first[1:]]],  # negative
        [{**first[0], "bu": "GJ"}, *first[1:]],  # unit
        [first[0], first[1], first[1]],  # the same period twice, the same value: one reading
        [{**first[0], "bt": now + 3600}, *first[1:]],  # future
        [first[0], *[{**r, "t": "0"} for r in first[1:]]],  # a string time
    ]
    packs.append([first[0], first[2], {**first[1], "t": first[3]["t"] + 900}])  # goes down
    fast = [senml.parse_pack(json.dumps(p), register, now=now) for p in packs]
    monkeypatch.setattr(senml, "_fast_pack", lambda *a: None)
    slow = [senml.parse_pack(json.dumps(p), register, now=now) for p in packs]
    assert fast == slow
    assert sum(1 for r, _ in fast if r) >= 150 and sum(1 for _, b in fast if b) == 5
