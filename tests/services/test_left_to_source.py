"""`carbonpeak data list --flag estimated` shows what is left to source: after `demo load`, a
record's flag is the weakest of its rows, every estimated row says how it was estimated, and the
records flagged estimated or sample are the ones docs/methods/dataset.md#left-to-source lists."""

from __future__ import annotations

from collections import defaultdict

from carbonpeak.services.statistics import list_records, published_rows
from carbonpeak.statistics import FLAGS
from carbonpeak.store.db import Database


def test_demo_records_flag_what_is_left_to_source(demo_settings):
    db = Database.from_settings(demo_settings)
    try:
        with db.session() as s:
            estimated = list_records(s, flag="estimated")
            sample = list_records(s, flag="sample")
            rows = published_rows(s)
    finally:
        db.dispose()
    years = defaultdict(set)
    for r in estimated:
        years[r.kind].add(r.year)
    assert years == {
        "energy_balance": set(range(2005, 2025)),
        "gdp": set(range(2005, 2019)),
        "population": set(range(2005, 2019)),
        "assessment": set(range(2020, 2025)),  # 原料用能: demo_feedstock_share_v1
    }
    assert {(r.kind, r.year) for r in sample} == {("indicators", y) for y in range(2020, 2025)} | {
        (k, y) for k in ("enterprises", "enterprise_year") for y in range(2021, 2025)
    } | {("enterprise_month", 2024)} | {("electricity_monthly", y) for y in range(2015, 2027)}
    flags_of = defaultdict(list)
    for r in rows:
        flags_of[r.submission_id].append(r.flag)
        assert r.source, (r.kind, r.key, r.year)
        if r.flag == "estimated":
            assert r.method, (r.kind, r.key, r.year)  # an estimate names its method
    for rec in [*estimated, *sample]:
        weakest = max(flags_of[rec.submission_id], key=FLAGS.index)
        assert rec.flag == weakest, rec
