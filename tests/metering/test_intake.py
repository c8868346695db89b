"""Register, SenML intake and the Parquet store: located refusals, idempotency, versions."""

from __future__ import annotations

import json

import pytest

from carbonpeak.errors import InputError
from carbonpeak.metering.senml import parse_pack
from carbonpeak.metering.storage import ReadingStore
from tests.metering.conftest import ROWS, U1, U2, register_csv

T0 = 1_748_736_000  # 2025-06-01 00:00 UTC (08:00 China standard time)
NOW = T0 + 86_400


def pack(name: str, points: list[tuple[int, float]], unit: str = "kWh", key: str = "v") -> list[dict]:
    head = {"bn": name + "/", "bt": T0, "bu": unit}
    return [head] + [{"n": name.rsplit("/", 1)[1] if False else "", "t": t, key: v} for t, v in points]


def e1(points, **kw):
    recs = [{"bn": f"{U1}/E01/active_energy", "bt": T0, "bu": "kWh"}]
    recs += [{"t": t, "v": v} for t, v in points]
    return recs


def test_register_rows_are_checked_and_located():
    from carbonpeak.statistics import kind_of, parse_records

    bad = [
        ROWS[0].replace(U1, U1[:-1] + ("0" if U1[-1] != "0" else "1")),  # wrong check digit
        ROWS[1].replace(",m3,", ",kWh,"),  # gas metered in kWh
        ROWS[2].replace(",7,15,", ",0,15,"),  # a cumulative register without width
        ROWS[2],
        ROWS[2],  # given twice
    ]
    with pytest.raises(InputError) as exc:
        parse_records(kind_of("meter_register"), "r.csv", register_csv(bad), region="jinan")
    got = {(p.location, p.rule) for p in exc.value.problems}
    assert got == {
        ("r.csv:2:1", "metering.uscc"),
        ("r.csv:3:8", "metering.unit"),
        ("r.csv:4:11", "metering.width"),
        ("r.csv:6:5", "metering.duplicate"),
    }
    assert all(p.message_zh and p.message_en for p in exc.value.problems)
    ok = parse_records(kind_of("meter_register"), "r.csv", register_csv(), region="jinan")
    assert list(ok.by_year) == [2025] and len(ok.by_year[2025]) == 3


def test_the_register_is_published_through_the_data_spine(published):
    from carbonpeak.services import metering as svc
    from carbonpeak.services.statistics import export_rows

    with published.session() as s:
        meters = svc.meters(s)
        assert sorted(meters) == sorted(
            [f"{U1}/E01/active_energy", f"{U1}/G01/volume", f"{U2}/E01/active_energy"]
        )
        m = meters[f"{U1}/E01/active_energy"]
        assert (m.rated_capacity, m.register_width, m.district, m.industry) == (4000.0, 6, "历城区", "C3120")
        rows = export_rows(s, "meter_register")
        assert rows[0]["uscc"] == U1 and rows[0]["register_width"] == "6"


def _rules(problems):
    return [(p.location, p.rule) for p in problems]


def test_refusals_name_the_place_and_the_rule(register):
    good, bad = parse_pack(json.dumps(e1([(0, 100.0), (900, 110.0)])), register, now=NOW)
    assert bad == [] and [(r.t - T0, r.value) for r in good] == [(0, 100.0), (900, 110.0)]
    cases = {
        "unknown meter": (
            [{"bn": f"{U1}/E99/active_energy", "t": T0, "v": 1.0}],
            [("pack[0].n", "metering.unknown_meter")],
        ),
        "unit mismatch": (
            [{"bn": f"{U1}/E01/active_energy", "bt": T0, "bu": "MWh"}, {"t": 0, "v": 1.0}],
            [("pack[1].u", "metering.unit")],
        ),
        "non-monotone": (e1([(0, 500.0), (900, 400.0)]), [("pack[2].v", "metering.non_monotone")]),
        "in the future": (e1([(NOW - T0 + 3600, 1.0)]), [("pack[1].t", "metering.future")]),
        "string value": (e1([(0, "12")]), [("pack[1].v", "senml.field")]),
        "relative time": (
            [{"n": f"{U1}/E01/active_energy", "t": -900, "v": 1.0}],
            [("pack[0].t", "senml.relative_time")],
        ),
        "must-understand": (
            [{"bn": f"{U1}/E01/active_energy", "bt": T0, "x_": 1}, {"v": 1.0}],
            [("pack[0].x_", "senml.must_understand")],
        ),
    }
    for label, (recs, expected) in cases.items():
        got, problems = parse_pack(json.dumps(recs), register, now=NOW)
        assert got == [], label
        assert _rules(problems) == expected, label
        assert all(p.message_zh and p.message_en for p in problems)
    for raw in (b"{", b"{}", b"[]", b"[1]"):
        got, problems = parse_pack(raw, register, now=NOW)
        assert got == [] and problems and problems[0].rule.startswith("senml."), raw


def test_a_register_rollover_is_no_refusal(register):
    # 6 digits: 999,990 → 50 passes 60 kWh in 15 minutes (≤ 4000 kW × 0.25 h)
    good, bad = parse_pack(json.dumps(e1([(0, 999_990.0), (900, 50.0)])), register, now=NOW)
    assert bad == [] and len(good) == 2
    # against the store's last reading too
    from carbonpeak.metering.senml import monotone_problems

    by_key = {m.key: m for m in register.values()}
    later = parse_pack(json.dumps(e1([(1800, 40.0)])), register, now=NOW)[0]
    assert _rules(monotone_problems(later, by_key, {f"{U1}/E01": (T0 + 900, 50.0)})) == [
        ("pack[1].v", "metering.non_monotone")
    ]


def test_the_store_keeps_one_reading_per_meter_and_period_and_versions_changes(tmp_path, register):
    store = ReadingStore(tmp_path / "m")
    readings = parse_pack(json.dumps(e1([(0, 100.0), (900, 110.0)])), register, now=NOW)[0]
    first = store.ingest(readings, channel="https")
    assert (first.new, first.changed, first.duplicate) == (2, 0, 0)
    again = store.ingest(readings, channel="https")
    assert (again.new, again.changed, again.duplicate) == (0, 0, 2)
    assert len(store.files()) == 1  # a re-delivery writes nothing
    fixed = parse_pack(json.dumps(e1([(900, 111.0)])), register, now=NOW)[0]
    assert store.ingest(fixed, channel="https").changed == 1
    cur = store.current().to_pylist()
    assert [(r["t"] - T0, r["value"], r["version"]) for r in cur] == [(0, 100.0, 1), (900, 111.0, 2)]
    # both versions are kept; a fresh process sees the same
    other = ReadingStore(tmp_path / "m")
    assert other.ingest(fixed, channel="https").duplicate == 1
    assert store.compact() == 1 and len(store.files()) == 1
    assert ReadingStore(tmp_path / "m").current().to_pylist() == cur
    import duckdb

    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{store.files()[0]}')").fetchall() == [(3,)]
    # partitioned by month (China standard time) and unit
    assert "month=2025-06" in store.files()[0] and f"unit={U1}" in store.files()[0]


def test_bulk_intake_with_an_idempotency_key(published, tmp_path):
    from fastapi.testclient import TestClient

    from carbonpeak.app import create_app
    from carbonpeak.services.users import create_user, issue_token
    from carbonpeak.settings import Settings

    settings = Settings(data_dir=tmp_path / "data", database_url=published.url)
    app = create_app(settings)
    app.state.database = published
    with published.session() as s:
        ent = create_user(
            s, username="e", password="correct horse 1", role="enterprise", unit_code="carbon_office"
        )
        s.commit()
        token = issue_token(s, ent)
        s.commit()
    client = TestClient(app)
    h = {"Authorization": f"Bearer {token}", "Idempotency-Key": "batch-1"}
    import time as _time

    t0 = int(_time.time()) // 900 * 900 - 3600
    good = [
        {"bn": f"{U1}/E01/active_energy", "bu": "kWh", "bt": t0},
        {"t": 0, "v": 1.0},
        {"t": 900, "v": 2.0},
    ]
    bad = [{"bn": f"{U2}/E01/active_energy", "bu": "MWh", "bt": t0}, {"t": 0, "v": 1.0}]
    body = json.dumps({"packs": [good, bad]})
    r = client.post("/api/metering/packs", content=body, headers=h)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["totals"] == {
        "packs": 2,
        "accepted": 1,
        "refused": 1,
        "readings": 2,
        "new": 2,
        "changed": 0,
        "duplicate": 0,
    }
    assert out["packs"][1]["problems"][0]["location"] == "packs[1][1].u"
    assert out["packs"][1]["problems"][0]["rule"] == "metering.unit"
    again = client.post("/api/metering/packs", content=body, headers=h)
    assert again.headers["idempotency-replayed"] == "true" and again.json() == out
    other = client.post("/api/metering/packs", content=json.dumps(good), headers=h)
    assert other.status_code == 409
    # without the key a re-delivery is still a no-op
    plain = client.post(
        "/api/metering/packs", content=json.dumps(good), headers={"Authorization": h["Authorization"]}
    )
    assert plain.json()["totals"]["duplicate"] == 2 and plain.json()["totals"]["new"] == 0
    # the refused pack stored nothing and is counted for its unit
    from carbonpeak.services import metering as svc

    store = svc.reading_store(settings)
    assert {r["uscc"] for r in store.current().to_pylist()} == {U1}
    rej = client.get(
        "/api/metering/rejections", params={"uscc": U2}, headers={"Authorization": h["Authorization"]}
    )
    assert [x["rule"] for x in rej.json()] == ["metering.unit"]
    assert (
        client.post(
            "/api/metering/packs", content=b"{nope", headers={"Authorization": h["Authorization"]}
        ).status_code
        == 422
    )


def test_one_record_packs_read_fast_as_the_full_reader_does(register, monkeypatch):
    """The one-reading pack of MQTT takes a shortcut (senml._fast_one); on good and bad packs alike
    it gives what the record-by-record reader gives."""
    from carbonpeak.metering import senml

    e, g = f"{U1}/E01/active_energy", f"{U1}/G01/volume"
    packs = [
        [{"bn": e, "bu": "kWh", "t": T0 + 900, "v": 120.5}],
        [{"bn": e, "bu": "kWh", "bt": T0, "t": 1805, "v": 121}],  # 5 s late: skew 5
        [{"bn": f"{U1}/", "n": "G01/volume", "u": "m3", "t": T0, "s": 3.0}],
        [{"bn": g, "t": T0 + 450, "s": 1.0}],  # half way: rounded to the nearer period
        [{"bn": e, "bu": "MWh", "t": T0, "v": 1.0}],  # unit
        [{"bn": e, "t": T0, "s": 1.0}],  # a cumulative register sends v
        [{"bn": e, "t": T0, "v": -1.0}],
        [{"bn": e, "t": 100, "v": 1.0}],  # relative time
        [{"bn": e, "t": NOW + 3600, "v": 1.0}],  # future
        [{"bn": e, "t": T0, "v": 1.0, "s": 1.0}],
        [{"bn": e, "t": T0, "v": True}],
        [{"bn": f"{U2}/X/active_energy", "t": T0, "v": 1.0}],  # unknown meter
        [{"bn": e, "t": T0, "v": 1.0, "bver": 99}],
        [{"bn": e, "v": 1.0}],  # no time
    ]
    previous = {f"{U1}/E01": (T0, 999_990.0)}  # a 6-digit register: 999990 → 5 is a rollover
    packs += [[{"bn": e, "t": T0 + 900, "v": 5.0}], [{"bn": e, "t": T0 + 900, "v": 500_000.0}]]
    fast = [parse_pack(json.dumps(p), register, now=NOW, previous=previous) for p in packs]
    assert all(senml._fast_one(p[0], register, NOW, previous) for p in packs[:4])  # the shortcut taken
    monkeypatch.setattr(senml, "_fast_one", lambda *a: None)
    slow = [parse_pack(json.dumps(p), register, now=NOW, previous=previous) for p in packs]
    assert fast == slow
    assert [bool(r) for r, _ in fast] == [True] * 4 + [False] * 10 + [True, False]
    assert fast[1][0][0].skew == 5 and fast[1][0][0].t == T0 + 1800


def test_wire_formats_by_name_and_gbt37947_refused_with_its_reason(register):
    from carbonpeak.metering.formats import WIRE_FORMATS, pack_format

    senml = pack_format("senml+json")
    got, bad = senml.parse(json.dumps(e1([(900, 100.0)])).encode(), register, now=NOW, previous={})
    assert bad == [] and [(r.t, r.value) for r in got] == [(T0 + 900, 100.0)]
    assert "gbt37947" in WIRE_FORMATS
    for name, says in (("gbt37947", "GB/T 37947"), ("modbus", "senml+json")):
        with pytest.raises(InputError) as exc:
            pack_format(name)
        (p,) = exc.value.problems
        assert (p.rule, p.location, p.value) == ("metering.format", "format", name)
        assert says in p.message_en and says in p.message_zh
