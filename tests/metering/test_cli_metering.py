"""The command line end to end: simulate → import and publish the register → ingest → quality."""

from __future__ import annotations

import csv
import json

from carbonpeak.cli import main


def _run(argv, capsys):
    try:
        main(argv)
        code = 0
    except SystemExit as stop:
        code = int(stop.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_simulate_publish_ingest_and_find_the_faults(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("CARBONPEAK_DATABASE_URL", raising=False)
    monkeypatch.setenv("CARBONPEAK_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("CARBONPEAK_NEW_PASSWORD", "long enough pw")
    out = tmp_path / "sim"
    code, text, err = _run(
        [
            "metering",
            "simulate",
            "--units",
            "3",
            "--meters",
            "4",
            "--days",
            "8",
            "--out",
            str(out),
            "--seed",
            "7",
        ],
        capsys,
    )
    assert code == 0, err
    assert "12 meters of 3 units" in text
    assert _run(["init"], capsys)[0] == 0
    for name in ("ann", "bob"):
        assert _run(["user", "add", name, "--role", "office", "--unit", "carbon_office"], capsys)[0] == 0
    code, text, err = _run(
        ["data", "import", "meter_register", str(out / "register.csv"), "--as", "ann"], capsys
    )
    assert code == 0, err
    sub = text.split()[1].rstrip(":")
    assert _run(["submission", "submit", sub, "--as", "ann"], capsys)[0] == 0
    assert _run(["submission", "approve", sub, "--as", "bob"], capsys)[0] == 0
    assert _run(["submission", "publish", sub, "--as", "bob"], capsys)[0] == 0
    code, text, err = _run(["metering", "ingest", str(out / "packs.jsonl")], capsys)
    assert code == 0, err
    totals = dict(kv.split("=") for kv in text.split())
    with open(out / "faults.csv", encoding="utf-8") as f:
        faults = list(csv.DictReader(f))
    dup = sum(int(f["readings"]) for f in faults if f["kind"] == "duplicate")
    assert totals["refused"] == "0" and int(totals["duplicate"]) == dup
    # again: all duplicates, nothing new
    code, text, _ = _run(["metering", "ingest", str(out / "packs.jsonl")], capsys)
    again = dict(kv.split("=") for kv in text.split())
    assert again["new"] == "0" and again["changed"] == "0"
    code, text, err = _run(
        [
            "metering",
            "quality",
            "--month",
            "2025-06",
            "--reports",
            str(out / "monthly_reports.csv"),
            "--show",
            "findings",
            "--format",
            "json",
        ],
        capsys,
    )
    assert code == 0, err
    # monthly_deviation is found over the month's window, the rest where they were injected
    found = {
        (f["rule"], f["uscc"] + "/" + f["meter"], 0 if f["rule"] == "monthly_deviation" else f["t"])
        for f in json.loads(text)
        if f["rule"] not in ("rollover", "late")
    }
    want = {
        (f["kind"], f["key"], 0 if f["kind"] == "monthly_deviation" else int(f["t"]))
        for f in faults
        if f["kind"] not in ("duplicate", "rollover", "late")
    }
    # the window is the month up to now: the simulated week of June 2025 is inside it; the gaps of
    # the rest of the month (no readings) are gaps too
    assert want <= found
    extra = {f for f in found - want if f[0] != "gap"}
    assert extra == set()
    code, text, _ = _run(["metering", "quality", "--month", "2025-06", "--format", "json"], capsys)
    idx = json.loads(text)
    assert len(idx) == 3 and all(0 < i["index"] < 100 for i in idx)
    # the indices stored in the relational store, each assessment kept as history
    from carbonpeak.services.metering import quality_history
    from carbonpeak.settings import Settings
    from carbonpeak.store.db import open_session

    for _ in range(2):
        code, text, err = _run(
            ["metering", "quality", "--month", "2025-06", "--record", "--format", "json"], capsys
        )
        assert code == 0 and json.loads(text) == idx, err
    with open_session(Settings()) as session:
        stored = quality_history(session, month="2025-06")
        assert len(stored) == 6 and stored[0].assessed_at >= stored[-1].assessed_at
        newest = {r.uscc: r for r in stored[:3]}
        assert {(u, round(r.index, 9), r.completeness) for u, r in newest.items()} == {
            (i["uscc"], round(i["index"], 9), i["completeness"]) for i in idx
        }
        assert all(r.faults > 0 for r in newest.values())  # the simulator injects faults in every unit
        assert len(quality_history(session, uscc=idx[0]["uscc"])) == 2
    code, text, err = _run(["metering", "aggregate", "--month", "2025-06", "--format", "json"], capsys)
    assert code == 0, err
    agg = json.loads(text)
    assert {r["uscc"] for r in agg} == {i["uscc"] for i in idx} and all(r["quantity"] > 0 for r in agg)
    assert _run(["metering", "compact"], capsys)[0] == 0
    code, text, _ = _run(["metering", "aggregate", "--month", "2025-06", "--format", "json"], capsys)
    assert json.loads(text) == agg  # compaction changes no number
    # the month's energy by unit enters the data spine: draft, review, publish
    code, text, err = _run(["metering", "publish", "--month", "2025-06", "--as", "ann"], capsys)
    assert code == 0, err
    sub = text.split()[1].rstrip(":")
    assert _run(["submission", "submit", sub, "--as", "ann"], capsys)[0] == 0
    assert _run(["submission", "approve", sub, "--as", "bob"], capsys)[0] == 0
    assert _run(["submission", "publish", sub, "--as", "bob"], capsys)[0] == 0
    from carbonpeak.services.metering import monthly_energy
    from carbonpeak.settings import Settings
    from carbonpeak.store.db import open_session

    with open_session(Settings()) as session:
        published = monthly_energy(session)
    assert sorted(
        (r["uscc"], r["energy_kind"], r["quantity"], r["completeness"]) for r in published
    ) == sorted((r["uscc"], r["energy_kind"], r["quantity"], r["completeness"]) for r in agg)
    assert all(
        r["month"] == "2025-06" and r["flag"] == "estimated" and "metering" in r["method"] for r in published
    )
    code, text, _ = _run(["data", "export", "metered_energy", "--format", "csv"], capsys)
    assert code == 0 and text.splitlines()[0].startswith("uscc,energy_kind,month,quantity")
    # the pages: the quality engine's index per unit, a unit's meters and gaps; signed-in only
    from fastapi.testclient import TestClient

    from carbonpeak.app import create_app

    with TestClient(create_app(Settings())) as c:
        assert c.get("/metering.json").status_code == 401
        assert c.get("/metering", follow_redirects=False).headers["location"].startswith("/login")
        c.post("/login", data={"username": "ann", "password": "long enough pw"})
        page = c.get("/metering.json").json()
        assert page["month"] == "2025-06" and page["units_online"] == 3 and page["meters"] == 12
        assert sorted((u["uscc"], u["index"]) for u in page["units"]) == sorted(
            (i["uscc"], i["index"]) for i in idx
        )
        html = c.get("/metering")
        assert html.status_code == 200 and "数据质量指数" in html.text
        assert "Quality index" in c.get("/metering", params={"lang": "en"}).text
        uscc = page["units"][0]["uscc"]
        unit = c.get(f"/metering/units/{uscc}.json").json()
        assert len(unit["meters"]) == 4 and unit["index"]["index"] == page["units"][0]["index"]
        gaps = [f for f in faults if f["kind"] == "gap" and f["key"].startswith(uscc)]
        assert len(unit["gaps"]) >= len(gaps)
        assert c.get(f"/metering/units/{uscc}").status_code == 200
        assert c.get("/metering/units/NOPE.json").status_code == 404
        # the overview's coverage is the monitoring page's (the overview itself needs indicator data
        # this store has not got)
        from carbonpeak.services.pages.metering import coverage
        from carbonpeak.store.db import Database

        db = Database.from_settings(Settings())
        try:
            got = coverage(Settings(), db)
        finally:
            db.dispose()
        assert got is not None and got.model_dump() == {
            "month": "2025-06",
            "units": 3,
            "units_online": page["units_online"],
            "meters": 12,
            "completeness": page["completeness"],
        }
        assert 0 < page["completeness"] < 1


def test_the_overview_shows_the_monitoring_coverage(tmp_path, monkeypatch):
    """The overview card line and its JSON twin carry pages/metering.coverage (computed from the
    store in the flow above; given here, since this store holds no register)."""
    from fastapi.testclient import TestClient

    from carbonpeak.app import create_app
    from carbonpeak.services.pages import metering as metering_pages
    from carbonpeak.settings import Settings

    cov = metering_pages.Coverage(month="2025-06", units=3, units_online=2, meters=12, completeness=0.5)
    monkeypatch.setattr(metering_pages, "coverage", lambda settings, db: cov)
    with TestClient(create_app(Settings(data_dir=tmp_path))) as c:
        assert c.get("/overview.json").json()["monitoring"] == cov.model_dump()
        zh = c.get("/overview").text
        assert "监测覆盖" in zh and "50.0%" in zh and 'href="/metering"' in zh
        assert "Monitoring coverage" in c.get("/overview", params={"lang": "en"}).text
