"""The carbon-budget page: signed-in only, its JSON twin, the warning colours with their reasons,
the nowcast chart with its backtest band and the backtest table."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from carbonpeak.app import create_app

from .conftest import OFFICE


@pytest.fixture(scope="module")
def client(web_settings):
    with TestClient(create_app(web_settings)) as c:
        yield c


def test_anonymous_is_sent_to_log_in(client):
    client.cookies.clear()
    page = client.get("/budget", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    assert client.get("/budget.json").status_code == 401


def test_the_budget_page_shows_levels_reasons_band_and_backtest(client):
    client.post("/login", data={"username": OFFICE[0], "password": OFFICE[1]})
    twin = client.get("/budget.json", params={"year": 2026})
    assert twin.status_code == 200, twin.text
    data = twin.json()
    assert data["year"] == 2026 and data["city"]["level"] in (1, 2, 3)
    assert {d["level"] for d in data["districts"] + data["sectors"]} == {1, 2, 3}
    assert all(d["reasons"] for d in data["districts"] if d["level"] < 3)
    assert len(data["backtest"]) >= 3 and data["backtest_mae"] < 0.05
    html = client.get("/budget", params={"year": 2026, "lang": "zh"}).text
    for text in ("一级（十分严峻）", "二级（比较严峻）", "三级（基本顺利）", "钢城区", "回测"):
        assert text in html
    option = json.loads(re.search(r'id="budget-nowcast-option">(.*?)</script>', html, re.S).group(1))
    names = [s.get("name") for s in option["series"]]
    assert "回测误差带" in names and "即时估算" in names
    assert "Level 1 (very severe)" in client.get("/budget", params={"year": 2026, "lang": "en"}).text
    client.cookies.clear()
