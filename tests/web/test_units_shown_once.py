"""Emissions are shown in one unit per place, by one rule (web/numbers.emissions_display): 万吨 or
亿吨 in Chinese, Mt in English, on cards, chart axes and tables alike; a chart's values are scaled
into its axis unit, so an axis never reads "1.8万" under "万吨"."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from carbonpeak.app import create_app
from carbonpeak.web.numbers import format_quantity

EMISSION_CHARTS = {
    "/overview": ["overview-history"],
    "/inventory": ["inventory-by-sector", "inventory-by-fuel"],
    "/projection": ["projection-fan", "projection-wedges"],
    "/decomposition": ["decomposition-waterfall"],
    "/indicators/co2_peak_2030": ["indicator-series"],
}


@pytest.fixture(scope="module")
def client(demo_settings):
    with TestClient(create_app(demo_settings)) as c:
        yield c


def _charts(html: str) -> dict[str, dict]:
    found = re.finditer(r'<script type="application/json" id="([^"]+)-option">(.*?)</script>', html, re.S)
    return {m.group(1): json.loads(m.group(2)) for m in found}


def _values(option: dict) -> list[float]:
    return [
        float(d[1] if isinstance(d, list) else d)
        for s in option["series"]
        for d in s["data"]
        if isinstance(d[1] if isinstance(d, list) else d, int | float)
    ]


@pytest.mark.parametrize("path", EMISSION_CHARTS)
def test_emission_axes_name_the_display_unit_and_hold_numbers_below_it(client, path):
    for lang, unit in (("zh", "亿吨二氧化碳"), ("en", "Mt CO₂")):
        charts = _charts(client.get(f"{path}?lang={lang}").text)
        for chart_id in EMISSION_CHARTS[path]:
            option = charts[chart_id]
            axis = option["yAxis"]["name"]
            assert axis.endswith(unit), (path, chart_id, lang, axis)
            # the Jinan totals (about 1.5亿 t) are 1–10 亿吨, 10–1000 Mt: never 万-sized numbers
            assert max(abs(v) for v in _values(option)) < (10 if lang == "zh" else 1000), (path, chart_id)


def test_cards_axes_and_tables_agree_on_the_total(client):
    page = client.get("/overview.json").json()
    total = next(h for h in page["headline"] if h["key"] == "total_co2")
    assert total["unit"] == "万tCO2"
    for lang in ("zh", "en"):
        html = client.get(f"/overview?lang={lang}").text
        shown = format_quantity(total["value"], total["unit"], lang)
        assert shown in html
        assert ("亿吨二氧化碳" if lang == "zh" else "Mt CO₂") in shown
        history = _charts(html)["overview-history"]["series"][0]["data"]
        scale = 1e4 if lang == "zh" else 100.0  # 万t per 亿t / per Mt
        last = page["history"][-1]
        assert history[-1] == [last["year"], pytest.approx(last["value"] / scale, abs=1e-5)]
    for path in ("/inventory", "/decomposition", "/overview"):
        html = client.get(f"{path}?lang=zh").text
        assert not re.search(r"\d万\s*万", html), path  # no 万 number before a 万 unit
        assert not re.search(r"\d{5,}(\.\d+)?万吨", html), path  # 1亿 t and more is said in 亿吨
