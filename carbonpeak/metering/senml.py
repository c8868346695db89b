"""SenML packs (RFC 8428, JSON) → readings of registered meters, or every problem located.

A pack is a JSON array of records. Base fields `bn` (name prefix), `bt` (time added to `t`), `bu`
(default unit), `bv`/`bs` (added to `v`/`s`), `bver`; record fields `n`, `u`, `v` (a register
reading), `s` (a sum over the period), `t`. A record's name `bn + n` is `<uscc>/<meter>/<quantity>`
(the MQTT topic's tail, metering/register.Meter.name). Times are absolute (seconds since 1970, UTC):
RFC 8428 reads values below 2**28 as relative to now, which gives no period label, so they are
refused. The national wire format (GB/T 37947 parts 1 and 7) would be another `PackFormat` beside
`SenMLFormat` (docs/methods/metering.md#wire-formats).

Rules (docs/methods/metering.md#intake), each a `Problem` with location `pack[i].field`:
senml.json, senml.pack, senml.record, senml.field, senml.name, senml.time, senml.relative_time,
senml.value, senml.must_understand, senml.version, metering.unknown_meter, metering.unit,
metering.value_kind, metering.negative, metering.future, metering.duplicate, metering.non_monotone.
A pack with any problem is refused whole (nothing half-stored).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from itertools import repeat
from typing import Any, NamedTuple, Protocol

import numpy as np

from carbonpeak.errors import Problem
from carbonpeak.metering.register import Meter
from carbonpeak.validation import problem

RELATIVE_LIMIT = 2**28  # RFC 8428 §4.5.3: smaller times are relative to now
FUTURE_SLACK = 60  # s: a clock this far ahead is tolerated (the label check flags it)
MAX_RECORDS = 100_000  # records in one pack
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:./_-]*$")  # RFC 8428 §4.5.1
KNOWN = {"bn", "bt", "bu", "bv", "bs", "bver", "n", "u", "v", "s", "t", "ut", "vs", "vb", "vd"}


class Reading(NamedTuple):
    """One value of a meter for the period starting at `t` (s since 1970, UTC, on the meter's
    interval grid); `skew` = the sender's label − `t` (s); `value` in the meter's unit: the register
    reading of a cumulative meter, the period's quantity of an interval meter. (A named tuple: made
    by the hundred thousand a second in the bulk intake, where a frozen dataclass costs 4x.)"""

    uscc: str
    meter: str
    t: int
    value: float
    skew: int
    place: int = -1  # the record's place in its pack

    @property
    def key(self) -> str:
        return f"{self.uscc}/{self.meter}"


class PackFormat(Protocol):
    """A wire format of readings: bytes → (readings, problems)."""

    def parse(
        self,
        data: bytes,
        meters: Mapping[str, Meter],
        *,
        now: float,
        previous: Mapping[str, tuple[int, float]],
    ) -> tuple[list[Reading], list[Problem]]: ...


def _p(where: str, rule: str, value: object = None, *, key: str | None = None, **fields: Any) -> Problem:
    """The Problem of `rule` (texts: the catalogue's `problem.<rule>`, or `key`), its value cut to 200
    characters (a hostile pack's name may be long)."""
    return problem(where, rule, None if value is None else str(value)[:200], text_key=key, **fields)


def _num(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def parse_pack(
    data: bytes | str | list[Any],
    meters: Mapping[str, Meter],
    *,
    now: float,
    previous: Mapping[str, tuple[int, float]] | None = None,
    where: str = "pack",
) -> tuple[list[Reading], list[Problem]]:
    """The readings of one SenML pack, or ([], every problem). `meters`: SenML name → Meter;
    `now`: s since 1970 (UTC); `previous`: `<uscc>/<meter>` → (t, value) of the meter's last stored
    reading before this pack (the monotone check reaches across packs; see monotone_problems)."""
    if isinstance(data, bytes | str):
        try:
            pack = json.loads(data)
        except (ValueError, RecursionError) as exc:
            return [], [_p(where, "senml.json", why=str(exc)[:80])]
    else:
        pack = data
    if not isinstance(pack, list) or not pack:
        return [], [_p(where, "senml.pack")]
    if len(pack) > MAX_RECORDS:
        return [], [_p(where, "senml.pack", key="problem.senml.pack.records", most=MAX_RECORDS)]
    fast = _fast_pack(pack, meters, now, previous or {})
    if fast is not None:
        return fast, []
    problems: list[Problem] = []
    out: dict[tuple[str, int], tuple[Reading, str]] = {}
    bn, bt, bu, bv, bs = "", 0.0, "", 0.0, 0.0
    for i, rec in enumerate(pack):
        at = f"{where}[{i}]"
        if not isinstance(rec, dict):
            problems.append(_p(at, "senml.record"))
            continue
        bad = len(problems)
        for k in rec:
            if not isinstance(k, str) or k not in KNOWN:
                rule = "senml.must_understand" if isinstance(k, str) and k.endswith("_") else "senml.field"
                problems.append(_p(f"{at}.{k}", rule, key="problem.senml.field.unsupported", field=k))
        if "bver" in rec and (not isinstance(rec["bver"], int) or not 1 <= rec["bver"] <= 10):
            problems.append(_p(f"{at}.bver", "senml.version"))
        for k, kind in (("bn", str), ("bu", str), ("n", str), ("u", str)):
            if k in rec and not isinstance(rec[k], kind):
                problems.append(_p(f"{at}.{k}", "senml.field", key="problem.senml.field.string", field=k))
        for k in ("bt", "bv", "bs", "t", "v", "s"):
            if k in rec and not _num(rec[k]):
                problems.append(_p(f"{at}.{k}", "senml.field", key="problem.senml.field.number", field=k))
        if len(problems) > bad:
            if any(isinstance(k, str) and k.startswith("b") for k in rec):
                break  # the records after a broken base record have no meaning
            continue
        bn = rec.get("bn", bn)
        bt = float(rec.get("bt", bt))
        bu = rec.get("bu", bu)
        bv = float(rec.get("bv", bv))
        bs = float(rec.get("bs", bs))
        if not ({"n", "v", "s", "vs", "vb", "vd", "t", "u"} & rec.keys()):
            continue  # a record of base fields only
        for k in ("vs", "vb", "vd"):
            if k in rec:
                problems.append(_p(f"{at}.{k}", "senml.value", key="problem.senml.value.number"))
        if ("v" in rec) == ("s" in rec):
            problems.append(_p(at, "senml.value"))
            continue
        name = bn + rec.get("n", "")
        if not NAME.match(name):
            problems.append(_p(f"{at}.n", "senml.name", name))
            continue
        meter = meters.get(name)
        if meter is None:
            problems.append(_p(f"{at}.n", "metering.unknown_meter", name, name=name))
            continue
        unit = rec.get("u", bu)
        if unit and unit != meter.unit:
            problems.append(
                _p(
                    f"{at}.u",
                    "metering.unit",
                    unit,
                    key="problem.metering.unit.pack",
                    unit=unit,
                    register=meter.unit,
                )
            )
            continue
        if "s" in rec and meter.mode == "cumulative":
            problems.append(_p(f"{at}.s", "metering.value_kind"))
            continue
        value = float(rec["v"]) + bv if "v" in rec else float(rec["s"]) + bs
        if value < 0:
            problems.append(_p(f"{at}.v", "metering.negative", value))
            continue
        label = bt + float(rec.get("t", 0.0))
        if ("t" not in rec and "bt" not in rec) or abs(label) < RELATIVE_LIMIT:
            problems.append(_p(f"{at}.t", "senml.relative_time", label))
            continue
        if label > now + FUTURE_SLACK:
            problems.append(_p(f"{at}.t", "metering.future", label, seconds=label - now))
            continue
        step = meter.interval_seconds
        start = round(label / step) * step
        reading = Reading(meter.uscc, meter.meter, start, value, round(label - start), i)
        key = (name, start)
        if key in out:
            if out[key][0].value != value:
                problems.append(
                    _p(
                        f"{at}.v",
                        "metering.duplicate",
                        key="problem.metering.duplicate.pack",
                        seen=out[key][1],
                    )
                )
            continue
        out[key] = (reading, f"{at}.v")
    readings = [r for r, _ in out.values()]
    if not problems:
        by_key = {m.key: m for m in {meters[n] for n, _ in out}}
        problems += monotone_problems(readings, by_key, previous or {}, where=where)
    if problems:
        return [], problems
    return readings, []


_NUMBER_TYPES = frozenset({int, float})
_FAST_BASE = frozenset({"bn", "bt", "bu", "bver"})


def _fast_pack(
    pack: list[Any], meters: Mapping[str, Meter], now: float, previous: Mapping[str, tuple[int, float]]
) -> list[Reading] | None:
    """The readings of the common pack — a base record (bn, bt, bu[, bver]) and then records of only
    `t` and one of `v`/`s` — checked with array operations; None when the pack is of another shape
    or anything is wrong (the record-by-record path then finds and locates every problem)."""
    head = pack[0]
    if len(pack) == 1 and isinstance(head, dict):
        return _fast_one(head, meters, now, previous)
    if not isinstance(head, dict) or not head.keys() <= _FAST_BASE or len(pack) < 2:
        return None
    bn, bt, bu = head.get("bn"), head.get("bt"), head.get("bu", "")
    if not isinstance(bn, str) or type(bt) not in _NUMBER_TYPES or not isinstance(bu, str):
        return None
    bver = head.get("bver", 10)
    if type(bver) is not int or not 1 <= bver <= 10:
        return None
    meter = meters.get(bn)
    if meter is None or (bu and bu != meter.unit):
        return None
    value_key = "v" if meter.mode == "cumulative" else ("s" if "s" in pack[1] else "v")
    keys = {"t", value_key}
    recs = pack[1:]
    try:
        if not all(r.keys() == keys for r in recs):
            return None
    except AttributeError:
        return None
    ts = [r["t"] for r in recs]
    vs = [r[value_key] for r in recs]
    if not set(map(type, ts)) <= _NUMBER_TYPES or not set(map(type, vs)) <= _NUMBER_TYPES:
        return None
    t = np.asarray(ts, dtype=np.float64) + float(bt)  # type: ignore[arg-type]
    v = np.asarray(vs, dtype=np.float64)
    if not (np.isfinite(t).all() and np.isfinite(v).all()) or (v < 0).any():
        return None
    if (np.abs(t) < RELATIVE_LIMIT).any() or (t > now + FUTURE_SLACK).any():
        return None
    step = meter.interval_seconds
    start = np.round(t / step).astype(np.int64) * step
    if len(np.unique(start)) != len(start):
        return None  # a period twice: the slow path tells a repeat from a conflict
    if meter.mode == "cumulative":
        order = np.argsort(start)
        seq_t, seq_v = start[order], v[order]
        prev = previous.get(meter.key)
        if prev is not None and prev[0] < seq_t[0]:
            seq_t = np.concatenate([[prev[0]], seq_t])
            seq_v = np.concatenate([[prev[1]], seq_v])
        d = np.diff(seq_v)
        if (d < 0).any():
            wrapped = d + meter.rollover
            cap = meter.rated_capacity * np.diff(seq_t) / 3600
            if ((d < 0) & ((wrapped < 0) | ~(wrapped <= cap))).any():
                return None
    skew = np.round(t - start).astype(np.int64)
    n = len(start)
    return list(
        map(
            Reading._make,
            zip(
                repeat(meter.uscc, n),
                repeat(meter.meter, n),
                start.tolist(),
                v.tolist(),
                skew.tolist(),
                range(1, n + 1),
                strict=True,
            ),
        )
    )


_FAST_ONE = frozenset({"bn", "bt", "bu", "bver", "n", "u", "t", "v", "s"})


def _fast_one(
    rec: dict[str, Any], meters: Mapping[str, Meter], now: float, previous: Mapping[str, tuple[int, float]]
) -> list[Reading] | None:
    """`_fast_pack` for a pack of one record (one reading a message, the MQTT case): plain Python,
    array operations cost more than they save on one value."""
    if not rec.keys() <= _FAST_ONE or ("v" in rec) == ("s" in rec) or "t" not in rec:
        return None
    name, unit, bver = (
        rec.get("bn", "") + rec.get("n", ""),
        rec.get("u", rec.get("bu", "")),
        rec.get("bver", 10),
    )
    label, x = rec.get("bt", 0), rec["v"] if "v" in rec else rec["s"]
    if (
        type(label) not in _NUMBER_TYPES
        or type(rec["t"]) not in _NUMBER_TYPES
        or type(x) not in _NUMBER_TYPES
    ):
        return None
    if type(bver) is not int or not 1 <= bver <= 10 or not isinstance(unit, str):
        return None
    meter = meters.get(name) if isinstance(name, str) else None
    if meter is None or (unit and unit != meter.unit) or ("s" in rec and meter.mode == "cumulative"):
        return None
    label, value = float(label) + float(rec["t"]), float(x)
    if not (math.isfinite(label) and math.isfinite(value)) or value < 0:
        return None
    if abs(label) < RELATIVE_LIMIT or label > now + FUTURE_SLACK or not NAME.match(name):
        return None
    step = meter.interval_seconds
    start = round(label / step) * step
    prev = previous.get(meter.key) if meter.mode == "cumulative" else None
    if prev is not None and prev[0] < start and value < prev[1]:
        wrapped = value - prev[1] + meter.rollover
        if wrapped < 0 or not wrapped <= meter.rated_capacity * (start - prev[0]) / 3600:
            return None
    return [Reading(meter.uscc, meter.meter, start, value, round(label - start), 0)]


def monotone_problems(
    readings: Sequence[Reading],
    meters: Mapping[str, Meter],
    previous: Mapping[str, tuple[int, float]],
    *,
    where: str = "pack",
) -> list[Problem]:
    """A cumulative register that goes down, unless it rolled over: the increase through 10**width
    is at most the rated capacity over the elapsed time (metering.quality.increment). `meters` and
    `previous` by `<uscc>/<meter>`."""
    from carbonpeak.metering.quality import increment

    problems: list[Problem] = []
    by_meter: dict[str, list[tuple[int, float, str]]] = {}
    for r in readings:
        if meters[r.key].mode == "cumulative":
            by_meter.setdefault(r.key, []).append((r.t, r.value, f"{where}[{r.place}].v"))
    for key, seq in by_meter.items():
        m = meters[key]
        seq.sort()
        prev = previous.get(key)
        for t, v, at in seq:
            if prev is not None and prev[0] < t:
                d = increment(prev[1], v, m.rollover)
                if (d < 0 or d > m.rated_capacity * (t - prev[0]) / 3600) and v < prev[1]:
                    problems.append(_p(at, "metering.non_monotone", v, before=prev[1], after=v))
            prev = (t, v)
    return problems


class SenMLFormat:
    """RFC 8428 JSON packs (the default wire format)."""

    name = "senml+json"
    parse = staticmethod(parse_pack)  # a pack's bytes (or text, or its decoded list) → (readings, problems)
