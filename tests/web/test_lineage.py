"""Every figure of the overview links to its lineage page, which names the snapshot, the formula's
section of docs/methods, the input values and the data records (submission, version, file, cells)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from carbonpeak.app import create_app

ROOT = Path(__file__).resolve().parents[2]


def test_every_overview_figure_has_a_lineage_page(demo_settings):
    with TestClient(create_app(demo_settings)) as client:
        html = client.get("/overview").text
        links = sorted(set(re.findall(r'href="/lineage\?figure=([a-z0-9_]+)"', html)))
        overview = client.get("/overview.json").json()
        figures = {h["key"] for h in overview["headline"]} | {t["code"] for t in overview["targets"]}
        assert set(links) == figures  # every headline and every target card links to its lineage
        for figure in links:
            r = client.get(f"/lineage?figure={figure}")
            assert r.status_code == 200, figure
            page = client.get(f"/lineage.json?figure={figure}").json()
            assert page["snapshot"] == overview["snapshot"], figure
            assert page["factor_library"] == overview["factor_library"] and page["methods"], figure
            anchorless = page["doc"].split("#")[0]
            assert (ROOT / anchorless).exists(), page["doc"]
        assert client.get("/lineage?figure=no_such_figure").status_code == 404


def test_total_co2_names_the_energy_balance_record_and_the_grid_factor(demo_settings):
    with TestClient(create_app(demo_settings)) as client:
        page = client.get("/lineage.json?figure=total_co2").json()
        en = client.get("/lineage?figure=total_co2&lang=en").text
    assert page["origin"] == "store" and page["year"] == 2024
    (record,) = [r for r in page["records"] if r["kind"] == "energy_balance"]
    assert (
        record["year"] == 2024 and record["rows"] > 50 and record["filename"].endswith("energy-balance.csv")
    )
    assert all(re.fullmatch(r"\S+:\d+:\d+", c) for c in record["cells"])  # file:line:column
    assert page["factors"] and all(f["source"] for f in page["factors"])
    assert page["value"] == pytest.approx(page["inputs"][-1]["value"], abs=1e-4)  # the inventory total
    assert "Formula" in en and "Data records" in en


def test_an_intensity_fall_lists_every_index_year_it_chains(demo_settings):
    with TestClient(create_app(demo_settings)) as client:
        page = client.get("/lineage.json?figure=co2_intensity_reduction").json()
    index_years = [p["year"] for p in page["inputs"] if p["series"] == "gdp_index"]
    assert index_years == list(range(2005, page["year"] + 1))
    kinds = {r["kind"] for r in page["records"]}
    assert kinds == {"energy_balance", "gdp"}
