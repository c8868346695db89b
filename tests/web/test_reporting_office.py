"""The office works from the web: imports a statistics file, reviews it, publishes it; the figures
follow the new snapshot (the office could only publish through the API before)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from carbonpeak.app import create_app
from carbonpeak.services.demo import statistics_files
from carbonpeak.services.users import create_user
from carbonpeak.store.db import Database


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def test_office_imports_reviews_and_publishes_from_the_web(demo_settings, tmp_path):
    import shutil
    from pathlib import Path

    for item in Path(demo_settings.data_dir).iterdir():
        if item.is_file():
            shutil.copy(item, tmp_path / item.name)
    settings = demo_settings.model_copy(
        update={"data_dir": tmp_path, "database_url": f"sqlite:///{tmp_path / 'carbonpeak.db'}"}
    )
    db = Database.from_settings(settings)
    with db.session() as s:
        create_user(
            s, username="stat", password="office-password-1", role="office", unit_code="carbon_office"
        )
        create_user(s, username="rev", password="office-password-2", role="office", unit_code="carbon_office")
        s.commit()
    db.dispose()
    text = dict((k, d) for k, _, d in statistics_files())["energy_balance"].decode()
    rows = [r for r in text.splitlines() if r.startswith(("region,", "jinan,2024,"))]
    changed = []
    for r in rows:
        f = r.split(",")
        if f[2:4] == ["T_POWER", "raw_coal"]:
            f[4] = f"{float(f[4]) * 1.2:.4f}"
        changed.append(",".join(f))
    with TestClient(create_app(settings)) as c:
        c.post("/login", data={"username": "stat", "password": "office-password-1"})
        before = c.get("/overview.json").json()
        page = c.get("/reporting")
        assert page.status_code == 200 and "统计数据导入" in page.text
        token = _csrf(page.text)
        r = c.post(
            "/reporting/data",
            data={"csrf_token": token, "kind": "energy_balance", "year": "2024"},
            files={"file": ("balance-2024-v2.csv", "\n".join(changed).encode(), "text/csv")},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
        listing = c.get("/reporting.json").json()
        (draft,) = [s for s in listing["submissions"] if s["filename"] == "balance-2024-v2.csv"]
        assert draft["kind"] == "energy_balance" and draft["year"] == 2024 and draft["version"] == 2
        r = c.post(
            f"/reporting/submissions/{draft['id']}/submit", data={"csrf_token": token}, follow_redirects=False
        )
        assert r.status_code == 303, r.text
        # whoever uploaded cannot approve (separation of duties): a second office user reviews
        r = c.post(
            f"/reporting/submissions/{draft['id']}/approve",
            data={"csrf_token": token, "checked": "on"},
        )
        assert (
            r.status_code in (200, 403) and "approve" not in c.get("/reporting.json").json()["submissions"][0]
        )
        with TestClient(create_app(settings)) as reviewer:
            r = reviewer.post(
                "/login", data={"username": "rev", "password": "office-password-2"}, follow_redirects=False
            )
            assert r.status_code == 303, r.text
            rev_token = _csrf(reviewer.get("/reporting").text)
            for verb in ("approve", "publish"):
                r = reviewer.post(
                    f"/reporting/submissions/{draft['id']}/{verb}",
                    data={"csrf_token": rev_token, "checked": "on"},
                    follow_redirects=False,
                )
                assert r.status_code == 303, (verb, r.text)
        assert c.get(draft["file_url"]).content == "\n".join(changed).encode()
        after = c.get("/overview.json").json()
    assert after["snapshot"] != before["snapshot"]
    total = {h["key"]: h["value"] for h in before["headline"]}["total_co2"]
    assert {h["key"]: h["value"] for h in after["headline"]}["total_co2"] > total


def test_a_bad_statistics_file_shows_located_problems_and_stores_nothing(demo_settings):
    db = Database.from_settings(demo_settings)
    with db.session() as s:
        create_user(
            s, username="stat2", password="office-password-1", role="office", unit_code="carbon_office"
        )
        s.commit()
    db.dispose()
    with TestClient(create_app(demo_settings)) as c:
        c.post("/login", data={"username": "stat2", "password": "office-password-1"})
        token = _csrf(c.get("/reporting").text)
        before = len(c.get("/reporting.json").json()["submissions"])
        bad = b"region,year,sector,fuel,quantity,unit\njinan,2024,S99,raw_coal,1,t\n"
        r = c.post(
            "/reporting/data",
            data={"csrf_token": token, "kind": "energy_balance"},
            files={"file": ("bad.csv", bad, "text/csv")},
        )
        assert r.status_code in (200, 422) and "bad.csv:2:3" in r.text and "S99" in r.text
        assert len(c.get("/reporting.json").json()["submissions"]) == before
