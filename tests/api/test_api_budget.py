"""The budget routes, and monthly electricity through the data spine: import → review → publish →
read by the nowcast from the published snapshot (a store of its own, so the shared one stays as is)."""

from __future__ import annotations

from carbonpeak.budget.rules import SAMPLE_PROJECT
from carbonpeak.services import budget as service
from carbonpeak.services import submissions as svc
from carbonpeak.services.dataset import current, dataset_observations
from carbonpeak.services.init import init_database
from carbonpeak.services.statistics import import_records
from carbonpeak.services.users import create_user
from carbonpeak.settings import Settings
from carbonpeak.store.db import Database


def test_budget_routes_need_a_user_and_answer(api):
    assert api.client.get("/api/budget/2025").status_code == 401
    r = api.client.get("/api/budget/2025", headers=api.headers("viewer"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["city"]["level"] in (1, 2, 3) and len(body["districts"]) == 15
    assert api.client.get("/api/budget/2040", headers=api.headers("viewer")).status_code == 422
    now = api.client.get("/api/budget/nowcast", headers=api.headers("viewer")).json()
    assert len(now["months"]) == len(now["city"]) and now["backtest_summary"]["city"]["years"] >= 3


def test_assess_route_takes_a_project_file(api):
    text = SAMPLE_PROJECT.read_text(encoding="utf-8")
    r = api.client.post(
        "/api/budget/assess",
        content=text.encode("utf-8"),
        headers={**api.headers("office"), "Content-Type": "text/plain"},
    )
    assert r.status_code == 200, r.text
    assert {t["test"] for t in r.json()["tests"]} >= {"energy_co2", "offsets", "impact"}
    bad = api.client.post(
        "/api/budget/assess",
        content=b"project: {}\n",
        headers={**api.headers("office"), "Content-Type": "text/plain"},
    )
    assert bad.status_code == 422 and bad.json()["problems"]


def test_monthly_electricity_goes_through_the_spine(tmp_path, tiny_plan):
    db = Database.from_settings(Settings(data_dir=tmp_path, secret_key="k"))
    init_database(db, tiny_plan)
    rows = (
        "indicator,region,year,month,value,unit,flag,method,source\n"
        "electricity_secondary,jinan,2026,1,30,亿kWh,published,,power company monthly\n"
        "electricity_secondary,jinan,2026,2,2500000,万kWh,published,,power company monthly\n"
    )
    with db.session() as s:
        office = create_user(s, username="o", password="long enough pw", role="office", unit_code="office")
        reviewer = create_user(s, username="r", password="long enough pw", role="office", unit_code="office")
        gdp = (
            "indicator,region,year,value,unit\n"
            "gdp_current,lixia,2023,2446.9,亿元\n"
            "gdp_current,lixia,2022,2300,亿元\n"
        )
        subs = [
            *import_records(s, office, kind="electricity_monthly", filename="m.csv", data=rows.encode()),
            *import_records(s, office, kind="gdp", filename="g.csv", data=gdp.encode()),
        ]
        for sub in subs:
            svc.submit_submission(s, office, sub.id)
            svc.approve_submission(s, reviewer, sub.id)
            svc.publish_submission(s, reviewer, sub.id)
    fast = service.fast_data(db)
    assert fast["origin"] == "store"
    assert list(fast["electricity"]["jinan"]["secondary"][2026][:2]) == [30.0, 250.0]  # 万kWh converted
    assert fast["published_months"]["jinan"][2026] == 2
    # the monthly rows stay out of the annual observations
    assert dataset_observations("jinan", database=db).get("electricity_secondary", "jinan") is None
    assert current(db).origin == "store"
    # a district's published GDP is the allocation's GDP basis (its newest year)
    assert service._district_gdp(db, {"lixia", "shizhong"}) == {"lixia": 2446.9}
    db.dispose()


def test_a_bad_month_is_located(tmp_path, tiny_plan):
    import pytest

    from carbonpeak.errors import InputError
    from carbonpeak.statistics import kind_of, parse_records

    data = b"indicator,region,year,month,value,unit\nelectricity_total,jinan,2026,13,1,\xe4\xba\xbfkWh\n"
    with pytest.raises(InputError) as info:
        parse_records(kind_of("electricity_monthly"), "m.csv", data, region="jinan")
    (p,) = info.value.problems
    assert (p.location, p.rule) == ("m.csv:2:4", "data.month")


def test_notice_route_gives_the_formats(api):
    r = api.client.get("/api/budget/2026/notice", params={"format": "pdf"}, headers=api.headers("office"))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert r.headers["content-type"] == "application/pdf"
    bad = api.client.get("/api/budget/2026/notice", params={"format": "odt"}, headers=api.headers("office"))
    assert bad.status_code == 422


def test_rules_and_decisions_are_the_offices(api):
    from carbonpeak.budget.rules import RULES_FILE

    text = RULES_FILE.read_text(encoding="utf-8")
    plain = {"Content-Type": "text/plain"}
    assert (
        api.client.put(
            "/api/budget/rules", content=text.encode(), headers={**api.headers("department"), **plain}
        )
    ).status_code == 403
    ok = api.client.put(
        "/api/budget/rules", content=text.encode(), headers={**api.headers("office"), **plain}
    )
    assert ok.status_code == 200 and len(ok.json()["sha256"]) == 64
    bad = api.client.put(
        "/api/budget/rules", content=b"periods: 1\n", headers={**api.headers("office"), **plain}
    )
    assert bad.status_code == 422
    body = {"project": "p1", "decision": "approve", "reason": "fits", "offsets": ["OFF-2025-003"]}
    assert (
        api.client.post("/api/budget/decisions", json=body, headers=api.headers("office")).status_code == 201
    )
    again = api.client.post(
        "/api/budget/decisions", json={**body, "project": "p2"}, headers=api.headers("office")
    )
    assert again.status_code == 422 and again.json()["problems"][0]["rule"] == "budget.offset_used"
