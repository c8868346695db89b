"""The enterprise pages, their JSON twins, the API and the CLI on the demo store: one set of figures;
the office sees the league tables, an enterprise user only its own account."""

from __future__ import annotations

import io
import json

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from carbonpeak.app import create_app
from carbonpeak.cli import main
from carbonpeak.store.db import Database

PASSWORD = "correct horse 1"


@pytest.fixture(scope="module")
def site(demo_settings):
    from sqlalchemy import select

    from carbonpeak.auth import hash_password
    from carbonpeak.services.users import create_user
    from carbonpeak.store.models import User

    db = Database.from_settings(demo_settings)
    try:
        with db.session() as s:
            if s.execute(select(User).where(User.username == "ent-office")).scalar_one_or_none() is None:
                create_user(
                    s, username="ent-office", password=PASSWORD, role="office", unit_code="carbon_office"
                )
                create_user(
                    s,
                    username="ent-other",
                    password=PASSWORD,
                    role="enterprise",
                    unit_code="state_grid_jinan",
                )
            own = s.execute(select(User).where(User.username == "demo-enterprise")).scalar_one()
            own.password_hash = hash_password(PASSWORD)
            s.commit()
    finally:
        db.dispose()
    return demo_settings


def _client(settings, username: str | None) -> TestClient:
    client = TestClient(create_app(settings))
    if username:
        r = client.post("/login", data={"username": username, "password": PASSWORD}, follow_redirects=False)
        assert r.status_code == 303, r.text
    return client


def test_the_office_page_and_its_twin(site):
    with _client(site, "ent-office") as c:
        html = c.get("/enterprises")
        assert html.status_code == 200
        page = c.get("/enterprises.json").json()
        en = c.get("/enterprises?lang=en").text
    assert "企业碳账户" in html.text and "League table by industry" in en
    assert page["flag"] in ("estimated", "sample") and page["snapshot"]
    assert (
        page["registered"] > 50 and sum(page["grade_counts"]) == page["registered"]
    )  # graded or not, all shown
    assert sum(page["grade_counts"][:5]) == page["graded"]
    industries = {r["code"]: r for r in page["by_industry"]}
    assert industries["44"]["note"] == "small_population" and industries["44"]["graded"] == 0
    assert industries["31"]["graded"] == industries["31"]["enterprises"]
    assert all(r["grade"] == 5 or r["level"] == "high" for r in page["high_carbon"])
    assert {r["status"] for r in page["ets"]} >= {"compliant", "shortfall", "open"}
    assert [r["product"] for r in page["lianggao_below"]] == ["refining"]
    assert all("1609" in r["source"] for r in page["lianggao_all"])


def test_exports_hold_the_grades_as_numbers(site):
    with _client(site, "ent-office") as c:
        page = c.get("/enterprises.json").json()
        xlsx = c.get("/enterprises/export.xlsx")
        csv_text = c.get("/enterprises/export.csv").content.decode("utf-8-sig")
        api = c.get("/api/enterprises/grades").json()
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "uscc" and len(rows) - 1 == page["registered"] == len(api["rows"])
    grade_col = rows[0].index("grade")
    assert sum(1 for r in rows[1:] if r[grade_col]) == page["graded"]
    assert isinstance(rows[1][rows[0].index("co2_t")], float)
    assert len(csv_text.strip().splitlines()) == len(rows)


def test_an_enterprise_sees_its_own_account_only(site):
    from carbonpeak.services import enterprise as ent

    db = Database(site.resolved_database_url())
    try:
        book = ent.book(db)
    finally:
        db.dispose()
    own = next(u for u, e in book.register.items() if "demo-enterprise" in e.reporters)
    other = next(u for u in book.register if u != own)
    with _client(site, "demo-enterprise") as c:
        mine = c.get(f"/enterprises/{own}.json")
        assert mine.status_code == 200
        assert c.get(f"/enterprises/{own}").status_code == 200
        assert c.get(f"/enterprises/{other}.json").status_code == 403
        assert c.get("/enterprises.json").status_code == 403
        # the menu's 企业碳账户 takes an enterprise user to its own account
        assert c.get("/enterprises", follow_redirects=False).headers["location"] == f"/enterprises/{own}"
        assert c.get("/enterprises/export.csv").status_code == 403
        assert c.get(f"/api/enterprises/{other}").status_code == 403
        api = c.get(f"/api/enterprises/{own}").json()
    with _client(site, "ent-other") as c:
        assert c.get(f"/enterprises/{own}.json").status_code == 403
    with _client(site, None) as c:
        assert c.get("/enterprises", follow_redirects=False).headers["location"].startswith("/login")
        assert c.get(f"/api/enterprises/{own}").status_code == 401
    page = mine.json()
    assert page == api
    assert [t["year"] for t in page["trend"]] == [2021, 2022, 2023, 2024]
    assert len(page["monthly"]) == 12
    current = page["current"]
    assert current["grade"] and page["rank"] and page["population"] == len(page["peers_k"])
    # anonymous: the peers' K values, no names or codes of other enterprises
    assert other not in json.dumps(page)
    assert page["peers_k"] == sorted(page["peers_k"])
    assert page["peers_k"][page["position"]] == pytest.approx(current["k"])
    if current["grade"] > 1:
        assert page["next_grade"] == current["grade"] - 1 and page["cut_to_next_t"] > 0


def test_the_cli_shows_the_page_figures(site, capsys, monkeypatch):
    monkeypatch.setenv("CARBONPEAK_DATA_DIR", str(site.data_dir))
    monkeypatch.setenv("CARBONPEAK_DATABASE_URL", site.resolved_database_url())
    main(["enterprise", "grades", "--store", "--format", "json"])
    cli = json.loads(capsys.readouterr().out)
    with _client(site, "ent-office") as c:
        api = c.get("/api/enterprises/grades").json()
    assert cli == api["rows"]
    main(["enterprise", "ets", "--store", "--format", "json"])
    assert {r["status"] for r in json.loads(capsys.readouterr().out)} >= {"compliant", "open"}
