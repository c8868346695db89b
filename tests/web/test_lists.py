"""Lists that work: filters, sort and search on indicators, tasks and projects (query parameters, so
they work without script), charts that follow the filters, CSV/XLSX exports of exactly what is shown,
names rather than codes, and units that fit."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from carbonpeak.app import create_app
from carbonpeak.services.plan import current_plan

PLAN = current_plan()


@pytest.fixture(scope="module")
def client(demo_settings):
    with TestClient(create_app(demo_settings)) as c:
        yield c


def _tasks(data):
    return [t for p in data["programmes"] for t in p["tasks"]]


def _csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_task_filters_sort_and_search(client):
    every = _tasks(client.get("/tasks.json").json())
    p2 = _tasks(client.get("/tasks.json", params={"programme": "P2"}).json())
    assert p2 and {t["programme"] for t in p2} == {"P2"} and len(p2) < len(every)
    status = every[0]["status"]
    assert all(
        t["status"] == status for t in _tasks(client.get("/tasks.json", params={"status": status}).json())
    )
    found = _tasks(client.get("/tasks.json", params={"q": every[3]["title_zh"][:6]}).json())
    assert every[3]["code"] in {t["code"] for t in found} and len(found) < len(every)
    ranked = client.get("/tasks.json", params={"sort": "-progress", "programme": "P1"}).json()
    shown = [t["percent"] for t in _tasks(ranked) if t["percent"] is not None]
    assert shown == sorted(shown, reverse=True)
    old = client.get("/tasks.json", params={"period": "2023"}).json()
    assert {t["period"] for t in _tasks(old) if t["period"]} == {"2023"}
    assert old["periods"] == ["2023", "2024"]


def test_the_task_chart_follows_the_filter(client):
    html = client.get("/tasks", params={"programme": "P3"}).text
    option = json.loads(re.search(r'id="tasks-by-programme-option">(.*?)</script>', html, re.S).group(1))
    assert len(option["yAxis"]["data"]) == 1
    assert sum(sum(s["data"]) for s in option["series"]) == len(PLAN.programmes[2].tasks)


def test_exports_hold_what_is_shown(client):
    params = {"programme": "P1", "sort": "-progress", "lang": "en"}
    shown = _tasks(client.get("/tasks.json", params=params).json())
    rows = _csv(client.get("/tasks.csv", params=params).text)
    assert rows[0][:3] == ["Programme", "Code", "Task"]
    assert [r[1] for r in rows[1:]] == [t["code"] for t in shown]
    assert [float(r[6]) if r[6] else None for r in rows[1:]] == [t["percent"] for t in shown]
    book = load_workbook(io.BytesIO(client.get("/projects.xlsx", params={"category": "pv"}).content))
    sheet = book.active
    projects = client.get("/projects.json", params={"category": "pv"}).json()["projects"]
    assert [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)] == [p["code"] for p in projects]
    zh = _csv(client.get("/indicators.csv", params={"status": "achieved", "lang": "zh"}).text)
    achieved = client.get("/indicators.json", params={"status": "achieved"}).json()["targets"]
    assert zh[0][0] == "编号" and [r[0] for r in zh[1:]] == [t["code"] for t in achieved]
    # the page links to the export of its own filters
    assert 'href="/projects.csv?category=pv"' in client.get("/projects", params={"category": "pv"}).text


def test_project_filters_charts_and_names(client):
    data = client.get("/projects.json", params={"status": "in_operation"}).json()
    assert data["projects"] and all(p["status"] == "in_operation" for p in data["projects"])
    assert sum(c["count"] for c in data["shown_categories"]) == len(data["projects"])
    unit = PLAN.project_units(PLAN.key_projects[0])[0]
    by_unit = client.get("/projects.json", params={"unit": unit}).json()["projects"]
    assert by_unit and all(
        unit in PLAN.project_units(next(k for k in PLAN.key_projects if k.code == p["code"])) for p in by_unit
    )
    names = client.get("/projects.json", params={"sort": "name"}).json()["projects"]
    assert [p["name_zh"] for p in names] == sorted(p["name_zh"] for p in names)
    html = client.get("/projects", params={"target": "pv_capacity_2030", "lang": "en"}).text
    assert ">pv_capacity_2030<" not in html and "Installed solar PV capacity" in html
    # PV projects state no capacity: no "0 kW, 0 %" — the count in operation and a dash instead
    pv = client.get("/projects.json", params={"target": "pv_capacity_2030"}).json()["totals"][0]
    assert pv["projects_in_operation"] > 0 and pv["projects_unquantified"] == pv["projects"]
    zh = client.get("/projects", params={"target": "pv_capacity_2030", "lang": "zh"}).text
    row = re.search(r'<tr><th scope="row"><a href="/indicators/pv_capacity_2030">.*?</tr>', zh, re.S).group(0)
    assert "0千瓦" not in row and f"{pv['projects_in_operation']}/{pv['projects']}个" in row


def test_indicator_list_filters_base_year_and_lineage_links(client):
    data = client.get("/indicators.json", params={"year": "2025"}).json()
    assert data["targets"] and all(t["target_year"] == 2025 for t in data["targets"])
    html = client.get("/indicators", params={"lang": "zh"}).text
    assert "基期2020年" in html  # a base year without a base value is said, not "—"
    assert 'href="/lineage?figure=non_fossil_share_2025"' in html


def test_no_required_change_for_a_met_target_and_a_required_path(client):
    rows = client.get("/indicators.json").json()["targets"]
    met = next(r for r in rows if r["status"] == "achieved")
    html = client.get(f"/indicators/{met['code']}", params={"lang": "zh"}).text
    assert "已达到目标，无需再变化" in html and "所需年均变化" in html
    behind = [
        r for r in rows if r["status"] in ("at_risk", "off_track") and r["metric"] in ("level", "share")
    ]
    drawn = 0
    for r in behind:
        page = client.get(f"/indicators/{r['code']}", params={"lang": "zh"}).text
        option = json.loads(re.search(r'id="indicator-series-option">(.*?)</script>', page, re.S).group(1))
        names = [s["name"] for s in option["series"]]
        if "目标路径" in names:
            assert "所需路径" in names
            required = option["series"][names.index("所需路径")]["data"]
            assert required[-1][0] == r["target_year"]
            drawn += 1
    assert drawn, "some target behind its trajectory shows the required path"


def test_counts_are_labelled_by_count_not_by_a_kind_of_thing():
    from carbonpeak.web.numbers import format_quantity

    assert format_quantity(8, "万个", "zh") == "8万个"
    assert "座" not in format_quantity(700, "个", "zh")


@pytest.mark.parametrize(
    "path", ["/overview", "/inventory", "/projection", "/decomposition", "/tasks", "/projects"]
)
def test_every_chart_has_a_data_table(client, path):
    """A chart's text alternative: a table of its data under it (collapsed), in the page's language."""
    html = client.get(path, params={"lang": "en"}).text
    figures = re.findall(r'<figure class="card chart-card">(.*?)</figure>', html, re.S)
    drawn = [f for f in figures if "data-chart=" in f]
    assert drawn, path
    for f in drawn:
        assert "Chart data as a table" in f and "<tbody><tr>" in f, f[:200]


def test_chart_table_of_a_band_shows_its_bounds():
    from carbonpeak.web.charts import table_of

    option = {
        "xAxis": {"type": "value"},
        "yAxis": {"type": "value", "name": "Unit: %"},
        "series": [
            {"name": "p5", "type": "line", "stack": "band", "data": [[2030, 10.0]]},
            {"name": "band", "type": "line", "stack": "band", "data": [[2030, 5.0]]},
        ],
    }
    table = table_of(option, "en")
    assert table == {
        "head": ["", "p5", "band · upper bound"],
        "rows": [["2030", "10", "15"]],
        "unit": "Unit: %",
    }


def test_a_reduction_target_draws_its_path_in_the_unit_of_its_series(client):
    """energy intensity −14.8 % 2020→2025: the judged intensity's path ends at base × (1 − 0.148)."""
    data = client.get("/indicators/energy_intensity_reduction_2025.json").json()
    base = next(o["value"] for o in data["observations"] if o["year"] == 2020)
    path = {p["year"]: p["value"] for p in data["trajectory"]}
    assert min(path) == 2020 and max(path) == 2025
    assert path[2025] == pytest.approx(base * (1 - 0.148), rel=1e-6)
    html = client.get("/indicators/energy_intensity_reduction_2025", params={"lang": "zh"}).text
    option = json.loads(re.search(r'id="indicator-series-option">(.*?)</script>', html, re.S).group(1))
    assert "%" not in option["yAxis"]["name"] and "万元" in option["yAxis"]["name"]
    assert [s["name"] for s in option["series"]][:2] == ["实际值", "目标路径"]
