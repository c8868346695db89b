"""GET /api/indicators puts the store's published observations over the current data set."""

from __future__ import annotations


def _pv(api) -> tuple[dict, dict]:
    r = api.client.get("/api/indicators", params={"region": "some_city"})
    assert r.status_code == 200, r.text
    body = r.json()
    return body, {t["code"]: t for t in body["targets"]}["pv_capacity_2030"]


def test_an_approved_value_becomes_the_latest_observation(api):
    api.submission("draft")  # a draft is not an observation
    r = api.client.get("/api/indicators", params={"region": "some_city"})
    assert r.status_code == 422  # nothing approved for the city of the tiny plan yet
    api.submission("approved")  # pv_capacity 1500 MW for 2024: approved, not yet published
    r = api.client.get("/api/indicators", params={"region": "some_city"})
    assert r.status_code == 422  # only what the office publishes reaches the public figures
    api.submission("published")  # the same value again, published
    body, row = _pv(api)
    assert body["observations"] != "demo" and body["year"] == 2024
    # the Jinan plan's target is in 万kW: 1500 MW = 150 万kW, a published (reported) figure
    assert (row["latest"], row["latest_year"], row["unit"]) == (150.0, 2024, "万kW")
    assert row["flag"] == "published"
