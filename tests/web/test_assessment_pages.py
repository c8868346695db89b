"""The indicator pages name how a figure is counted: statistical and assessment-rule energy intensity
side by side (both sourced, the assessment figure driving the status), the non-fossil share's
crediting convention with its sensitivity lines; on the demo store (`demo load` imports the
`assessment` kind like any statistic)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from carbonpeak.app import create_app
from carbonpeak.services.pages import snapshot_cache
from carbonpeak.services.pages import targets as target_pages


@pytest.fixture(scope="module")
def client(demo_settings):
    with TestClient(create_app(demo_settings)) as c:
        yield c


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_energy_intensity_page_shows_both_figures_sourced_and_the_assessment_drives(client):
    page = client.get("/indicators/energy_intensity_reduction_2025.json").json()
    iv = page["intensity"]
    assert iv["driving"] == "energy_intensity_assessed" == page["target"]["series"]
    assert iv["assessment"]["status"] == page["target"]["status"]
    for key in ("statistical", "assessment"):
        assert iv[key]["source"] and iv[key]["reduction"] is not None and iv[key]["flag"]
    assert "submission" in iv["deductions"][0]["source"]  # the store's record behind the 原料用能
    assert {d["what"] for d in iv["deductions"]} == {"raw_material_energy", "non_fossil_energy"}
    assert iv["assessment"]["reduction"] > iv["statistical"]["reduction"]
    zh = _text(client.get("/indicators/energy_intensity_reduction_2025?lang=zh").text)
    en = _text(client.get("/indicators/energy_intensity_reduction_2025?lang=en").text)
    assert "统计口径" in zh and "考核口径" in zh and "原料用能" in zh
    assert "Statistical" in en and "Assessment rules" in en and "Deducted" in en


def test_without_raw_material_energy_the_page_says_not_assessable(client, monkeypatch):
    real = target_pages.energy_intensity_view

    def without(*args, **kwargs):
        view = real(*args, **kwargs)
        return view.model_copy(
            update={
                "assessment": None,
                "driving": "energy_intensity",
                "deductions": [],
                "missing": ["raw_material_energy"],
            }
        )

    monkeypatch.setattr(target_pages, "energy_intensity_view", without)
    monkeypatch.setattr(snapshot_cache, "_PAGES", {})  # the page is built anew, not taken from the cache
    en = _text(client.get("/indicators/energy_intensity_reduction_2025?lang=en").text)
    zh = _text(client.get("/indicators/energy_intensity_reduction_2025?lang=zh").text)
    assert "Not assessable under the assessment rules: needs raw-material energy use" in en
    assert "考核口径不可计算：需要统计部门提供的原料用能" in zh


def test_non_fossil_page_names_its_convention_and_draws_the_sensitivity(client):
    page = client.get("/indicators/non_fossil_share_2025.json").json()
    nf = page["non_fossil"]
    assert nf["convention"] == "provincial" and nf["convention_grid"] == "山东"
    official = next(line for line in nf["lines"] if line["key"] == nf["convention"])
    assert official["values"][-1] == pytest.approx(page["target"]["latest_value"], abs=1e-3)
    assert [line["key"] for line in nf["lines"]] == ["no_credit", "provincial", "national"]
    html = client.get("/indicators/non_fossil_share_2025?lang=en").text
    assert 'id="non-fossil-lines"' in html and 'id="non-fossil-table"' in html
    assert "credited as non-fossil at the year's non-fossil share of Shandong generation" in _text(
        html
    ).replace("&#39;", "'")
    zh = _text(client.get("/indicators/non_fossil_share_2025?lang=zh").text)
    assert "本指标口径：净调入电力按山东当年非化石能源发电占比计入" in zh


def test_every_peak_probability_names_its_scenario(client):
    page = client.get("/overview.json").json()
    head = next(h for h in page["headline"] if h["key"] == "peak_probability")
    assert head["scenario"] == "plan"
    odds = {o["scenario"]: o["value"] for o in page["odds"]}
    assert set(odds) == {"plan", "baseline"} and odds["plan"] == head["value"]
    assert odds["baseline"] < odds["plan"]  # current trends give lower odds than the plan delivered
    zh = _text(client.get("/overview?lang=zh").text)
    en = _text(client.get("/overview?lang=en").text)
    assert (
        f"若方案全面落实（方案情景）：{odds['plan']:g}%；按当前趋势（基准情景）：{odds['baseline']:g}%" in zh
    )
    assert (
        f"if the plan is delivered in full (plan scenario): {odds['plan']:g}%; "
        f"on current trends (baseline scenario): {odds['baseline']:g}%" in en
    )
    rows = {r["code"]: r for r in client.get("/api/indicators").json()["targets"]}
    assert rows["co2_peak_2030"]["peak_scenario"] == "plan"
    assert "if the plan is delivered in full (plan scenario)" in rows["co2_peak_2030"]["explanation"]["en"]
    assert rows["non_fossil_share_2025"]["convention"]["key"] == "provincial"
    assert rows["energy_intensity_reduction_2025"]["convention"]["key"] == "assessment_rules"
    projection = _text(client.get("/projection?lang=en").text)
    assert "Scenario: Plan" in projection


def test_the_peak_target_page_shows_plan_and_baseline_odds_side_by_side(client):
    page = client.get("/indicators/co2_peak_2030.json").json()
    overview = {o["scenario"]: o["value"] for o in client.get("/overview.json").json()["odds"]}
    odds = {o["scenario"]: o["value"] for o in page["odds"]}
    assert odds == overview and set(odds) == {"plan", "baseline"}  # one figure on both pages
    assert odds["baseline"] < odds["plan"]
    row = {r["code"]: r for r in client.get("/api/indicators").json()["targets"]}["co2_peak_2030"]
    assert round(100 * row["peak_probability"], 1) == odds["plan"] and row["peak_scenario"] == "plan"
    zh = _text(client.get("/indicators/co2_peak_2030?lang=zh").text)
    en = _text(client.get("/indicators/co2_peak_2030?lang=en").text)
    assert (
        f"若方案全面落实（方案情景）：{odds['plan']:g}%；按当前趋势（基准情景）：{odds['baseline']:g}%" in zh
    )
    assert (
        f"if the plan is delivered in full (plan scenario): {odds['plan']:g}%; "
        f"on current trends (baseline scenario): {odds['baseline']:g}%" in en
    )
    assert not client.get("/indicators/non_fossil_share_2025.json").json()["odds"]  # peak targets only


def test_a_substituted_provincial_share_is_marked_estimated_on_the_page_and_in_the_json(client):
    nf = client.get("/indicators/non_fossil_share_2025.json").json()["non_fossil"]
    provincial = next(line for line in nf["lines"] if line["key"] == "provincial")
    used = {u["year"]: u for u in provincial["shares"]}
    assert used[2024]["flag"] == "published" and used[2020]["flag"] == "estimated"
    assert used[2020]["method"].startswith("nearest_tabulated_year: 山东 2023")
    zh = _text(client.get("/indicators/non_fossil_share_2025?lang=zh").text)
    assert "估算：该年未列表，用2023年占比" in zh


def test_overview_cards_and_indicator_json_name_how_each_counted_figure_is_counted(client):
    api = {r["code"]: r for r in client.get("/api/indicators").json()["targets"]}
    cards = {r["code"]: r for r in client.get("/overview.json").json()["targets"]}
    for code in ("non_fossil_share_2025", "non_fossil_share_2030", "energy_intensity_reduction_2025"):
        c = api[code]["convention"]
        assert (cards[code]["convention"], cards[code]["convention_zh"], cards[code]["convention_en"]) == (
            c["key"],
            c["zh"],
            c["en"],
        ), code
        target = client.get(f"/indicators/{code}.json").json()["target"]
        assert target["convention"] == c["key"] and target["convention_en"] == c["en"], code
    assert cards["co2_peak_2030"]["convention"] is None  # nothing to name for total CO2
    zh = _text(client.get("/overview?lang=zh").text)
    assert api["non_fossil_share_2025"]["convention"]["zh"] in zh
    assert api["energy_intensity_reduction_2025"]["convention"]["zh"] in zh
