"""A synthetic population of key energy-using units, their meters and 15-minute readings, with faults
injected at known places (docs/methods/metering.md#simulator). Pure: the randomness is passed in.

    population(rng, units, meters, year)        Meters (register rows) of `units` units
    simulate(rng, meters, start, days, faults)  Simulation: SenML packs (one per meter and hour, with
                                                the time each was received), monthly reports, and
                                                the faults injected (the answer key)

Load shapes by industry (GB/T 4754-2017 codes): steel and chemicals run round the clock; cement runs
hardest in the night valley tariff; textiles work a day shift and stop at weekends (to standby). Every
meter keeps a base load (auxiliaries, lighting, standby) of at least 5 % of its rated capacity.
Faults: gap, jump, stuck, time_label (clock skew), late (a pack delivered days later), duplicate (a
pack delivered twice), rollover (a register passing 10**width: handled, not a fault),
monthly_deviation (a monthly report 8 % off the metered sum).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from carbonpeak.metering.register import Meter, uscc_from

INDUSTRIES = (
    ("C3120", "钢铁", "steel"),
    ("C2614", "化工", "chemicals"),
    ("C3011", "水泥", "cement"),
    ("C1711", "纺织", "textiles"),
)
DISTRICTS = (
    "历下区",
    "市中区",
    "槐荫区",
    "天桥区",
    "历城区",
    "长清区",
    "章丘区",
    "济阳区",
    "莱芜区",
    "钢城区",
)
FAULT_KINDS = ("gap", "jump", "stuck", "time_label", "late", "duplicate", "rollover")
BASE_LOAD = 0.05
CST = dt.timezone(dt.timedelta(hours=8))


def shape(industry: str, local_hour: np.ndarray, weekday: np.ndarray) -> np.ndarray:
    """Share of rated capacity drawn at each local hour (0-23) and weekday (0 = Monday)."""
    h = local_hour
    if industry == "C3120":
        s = 0.85 + 0.05 * np.sin(2 * np.pi * h / 24)
    elif industry == "C2614":
        s = np.full(h.shape, 0.80)
    elif industry == "C3011":
        s = np.where(
            (h >= 23) | (h < 7), 0.92, np.where((h >= 8) & (h < 11) | (h >= 18) & (h < 21), 0.55, 0.75)
        )
    else:
        s = np.where((h >= 8) & (h < 20), 0.80, 0.15)
        s = np.where(weekday >= 5, 0.10, s)
    return np.asarray(s, dtype=np.float64)


def population(rng: np.random.Generator, units: int, meters: int, year: int) -> list[Meter]:
    """`units` units with `meters` metering points each: meter 1 electricity (cumulative, 8 digits),
    then electricity feeders (6-7 digits), natural gas (interval) and heat (cumulative, GJ)."""
    out = []
    for u in range(units):
        code, name_zh, _ = INDUSTRIES[u % len(INDUSTRIES)]
        uscc = uscc_from(f"91370100MA{u + 1:07d}")
        unit_name = f"济南模拟{name_zh}企业{u + 1:03d}"
        district = DISTRICTS[u % len(DISTRICTS)]
        scale = float(rng.uniform(0.5, 2.0))
        for k in range(meters):
            slot = k % 4 if k > 0 else 0
            if slot in (0, 1):
                kind, qty, unit, mode, cap, width = (
                    "electricity",
                    "active_energy",
                    "kWh",
                    "cumulative",
                    5000,
                    8,
                )
                if k > 0:
                    cap, width = 1500, 6 + k % 2
            elif slot == 2:
                kind, qty, unit, mode, cap, width = "natural_gas", "volume", "m3", "interval", 900, 0
            else:
                kind, qty, unit, mode, cap, width = "heat", "heat", "GJ", "cumulative", 40, 7
            out.append(
                Meter(
                    uscc=uscc,
                    unit_name=unit_name,
                    industry=code,
                    district=district,
                    meter=f"M{k + 1:03d}",
                    energy_kind=kind,
                    quantity=qty,
                    unit=unit,
                    mode=mode,
                    rated_capacity=round(cap * scale, 1),
                    register_width=width,
                    interval_minutes=15,
                    calibration_due=dt.date(year + 1, 6, 30),
                )
            )
    return out


@dataclass(frozen=True)
class Fault:
    """One injected fault: kind, meter (`<uscc>/<meter>`; the energy kind for monthly_deviation),
    the first and last period start it touches (s since 1970 UTC) and how many readings."""

    kind: str
    key: str
    t: int
    t_end: int
    readings: int


@dataclass(frozen=True)
class Pack:
    """A SenML pack of one meter and hour, and when it reached the platform (s since 1970 UTC)."""

    topic: str
    received: int
    records: list[dict[str, object]]


@dataclass
class Simulation:
    meters: list[Meter]
    packs: list[Pack] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    # (uscc, energy kind, month) → the unit's monthly report (the true metered sum; one 8 % off)
    reports: dict[tuple[str, str, str], float] = field(default_factory=dict)
    start: int = 0
    end: int = 0


def simulate(
    rng: np.random.Generator,
    meters: list[Meter],
    *,
    start: dt.date,
    days: int,
    faults: bool = True,
) -> Simulation:
    """Readings of every meter for `days` local days from `start` (00:00 China standard time)."""
    t0 = int(dt.datetime(start.year, start.month, start.day, tzinfo=CST).timestamp())
    step = 900
    n = days * 96
    t = t0 + step * np.arange(n, dtype=np.int64)
    local = t + 8 * 3600
    hour = (local // 3600) % 24
    weekday = ((local // 86400) + 3) % 7  # 1970-01-01 was a Thursday
    sim = Simulation(meters=meters, start=t0, end=t0 + n * step)
    # fault slots: one fault per (meter, day), days 1 .. days-1, never on the same meter-day twice
    slots = [(i, d) for i in range(len(meters)) for d in range(1, days)]
    order = rng.permutation(len(slots)) if faults else np.array([], dtype=np.int64)
    plan: dict[tuple[int, int], str] = {}
    kinds = list(FAULT_KINDS)
    for j, s in enumerate(order[: len(kinds) * max(1, len(meters) // 4)].tolist()):
        kind = kinds[j % len(kinds)]
        i, d = slots[s]
        m = meters[i]
        if kind == "rollover" and (
            m.mode != "cumulative" or any(k == "rollover" for (ii, _), k in plan.items() if ii == i)
        ):
            continue
        plan[(i, d)] = kind
    for i, m in enumerate(meters):
        q = m.rated_capacity * step / 3600 * shape(m.industry, hour, weekday)
        q = np.clip(q * (1 + 0.05 * rng.standard_normal(n)), BASE_LOAD * m.rated_capacity * step / 3600, None)
        q = np.minimum(q, 0.98 * m.rated_capacity * step / 3600)
        q = np.round(q, 2)
        keep = np.ones(n, dtype=bool)
        skew = rng.integers(-20, 21, n)
        late = np.zeros(n, dtype=bool)
        dup = np.zeros(n, dtype=bool)
        key = m.key
        faults_here = sorted((d, k) for (ii, d), k in plan.items() if ii == i)
        r0 = float(rng.uniform(1000, 50_000)) if m.mode == "cumulative" else 0.0
        for d, kind in faults_here:
            k0 = d * 96 + int(rng.integers(8, 80))
            if kind == "gap":
                length = int(rng.integers(2, 13))
                keep[k0 : k0 + length] = False
                sim.faults.append(Fault("gap", key, int(t[k0]), int(t[k0 + length - 1]), length))
            elif kind == "jump":
                extra = round(3 * m.rated_capacity * step / 3600, 2)
                if m.mode == "cumulative":
                    q[k0 - 1] += extra  # the register at k0 is ahead by `extra` from then on
                else:
                    q[k0] += extra
                sim.faults.append(Fault("jump", key, int(t[k0]), int(t[k0]), 1))
            elif kind == "stuck":
                length = 6
                if m.mode == "cumulative":
                    # the register stands still for `length` readings; what passed then is lost
                    q[k0 - 1 : k0 - 1 + length] = 0.0
                    sim.faults.append(Fault("stuck", key, int(t[k0]), int(t[k0 + length - 1]), length))
                else:
                    q[k0 : k0 + length] = q[k0]
                    sim.faults.append(Fault("stuck", key, int(t[k0]), int(t[k0 + length - 1]), length))
            elif kind == "time_label":
                skew[k0] = 180
                sim.faults.append(Fault("time_label", key, int(t[k0]), int(t[k0]), 1))
            elif kind == "late":
                h0 = k0 - k0 % 4
                late[h0 : h0 + 4] = True
                sim.faults.append(Fault("late", key, int(t[h0]), int(t[h0 + 3]), 4))
            elif kind == "duplicate":
                h0 = k0 - k0 % 4
                dup[h0 : h0 + 4] = True
                sim.faults.append(Fault("duplicate", key, int(t[h0]), int(t[h0 + 3]), 4))
            elif kind == "rollover":
                # start the register so that it passes 10**width at k0
                r0 = m.rollover - float(np.sum(q[:k0])) + 0.5 * float(q[k0 - 1])
                sim.faults.append(Fault("rollover", key, int(t[k0]), int(t[k0]), 1))
        values: np.ndarray
        if m.mode == "cumulative":
            reg = r0 + np.concatenate([[0.0], np.cumsum(q[:-1])])
            values = np.round(np.mod(reg, m.rollover), 2)
        else:
            values = q
        month_key = (m.uscc, m.energy_kind, start.strftime("%Y-%m"))
        # what passed in the window (the report does not know of the platform's gaps)
        energy = float(np.sum(q[:-1])) if m.mode == "cumulative" else float(np.sum(q))
        sim.reports[month_key] = sim.reports.get(month_key, 0.0) + energy
        for h in range(0, n, 4):
            idx = [k for k in range(h, h + 4) if keep[k]]
            if not idx:
                continue
            value_key = "v" if m.mode == "cumulative" else "s"
            records: list[dict[str, object]] = [{"bn": m.name, "bu": m.unit, "bt": int(t[idx[0]])}]
            for k in idx:
                records.append({"t": int(t[k] - t[idx[0]] + skew[k]), value_key: float(values[k])})
            received = int(t[h] + 4 * step + rng.integers(60, 600))
            if late[idx[0]]:
                received += 3 * 86400
            topic = f"cp/{m.uscc}/{m.meter}/{m.quantity}"
            sim.packs.append(Pack(topic, received, records))
            if dup[idx[0]]:
                sim.packs.append(Pack(topic, received + 30, records))
    if faults and sim.reports:
        # one unit's monthly report of electricity 8 % above what its meters passed
        first = sorted(sim.reports)[0]
        sim.reports[first] *= 1.08
        sim.faults.append(Fault("monthly_deviation", f"{first[0]}/{first[1]}", t0, sim.end - step, 0))
    sim.packs.sort(key=lambda p: p.received)
    return sim
