from pathlib import Path

import pytest

from carbonpeak.errors import InputError
from carbonpeak.evaluation.balance import DISTRICTS_DIR, DistrictPlan, balance_check, load_district_plans


def _district(code, **values):
    targets = []
    for key, (year, value, unit) in values.items():
        targets.append({"indicator": key, "target_year": year, "value": value, "unit": unit})
    return DistrictPlan.model_validate(
        {
            "code": f"p-{code}",
            "district": code,
            "name_zh": code,
            "name_en": code,
            "city_plan": "small-city",
            "source": "test",
            "targets": targets,
            "projections": [{"quantity": "co2_emissions", "year": 2030, "value": 100.0, "unit": "万tCO2"}],
        }
    )


def test_balance_gaps(small_plan):
    districts = [
        _district(
            "d1",
            pv_capacity=(2025, 300, "MW"),
            energy_consumption=(2025, 3000, "万tce"),
            non_fossil_share=(2025, 9, "%"),
        ),
        _district(
            "d2",
            pv_capacity=(2025, 40, "万千瓦"),
            energy_consumption=(2025, 2500, "万吨标准煤"),
            non_fossil_share=(2025, 6, "%"),
            charging_piles=(2025, 0.1, "万个"),
        ),
    ]
    rows = {
        r.code: r
        for r in balance_check(
            small_plan,
            districts,
            expected=["d1", "d2", "d3"],
            city_projections={("co2_emissions", 2030): (1.8, "MtCO2")},
        )
    }
    pv = rows["pv_2025"]  # 30 + 40 = 70 万kW against 100: short by 30
    assert (pv.district_sum, pv.gap, pv.status) == (pytest.approx(70.0), pytest.approx(30.0), "shortfall")
    assert pv.missing_districts == ("d3",)
    cap = rows["energy_cap_2025"]  # at_most 5000: the districts plan 5500, 500 over the cap
    assert (cap.gap, cap.status) == (pytest.approx(500.0), "excess")
    share = rows["nonfossil_2025"]
    assert (share.status, share.district_min, share.district_max, share.gap) == (
        "not_additive",
        6.0,
        9.0,
        None,
    )
    ch = rows["charging_2025"]  # 1000 个 against 1000: balanced, d1 and d3 have none
    assert (ch.status, ch.gap, ch.missing_districts) == ("balanced", pytest.approx(0.0), ("d1", "d3"))
    co2 = rows["co2_emissions"]  # 200 万t = 2.0 Mt against the city's 1.8 Mt
    assert (co2.kind, co2.gap, co2.status) == ("projection", pytest.approx(0.2), "excess")


def test_district_plans_checked_against_city(small_plan, tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "code: bad\ndistrict: dept_a\nname_zh: 坏\nname_en: Bad\ncity_plan: other\nsource: t\n"
        "targets:\n  - {indicator: nothing, target_year: 2025, value: 1, unit: MW}\n"
        "  - {indicator: pv_capacity, target_year: 2025, value: 1, unit: 万tce}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as exc:
        load_district_plans(small_plan, [bad])
    assert [p.rule for p in exc.value.problems] == [
        "district.kind",
        "district.city_plan",
        "district.indicator_known",
        "district.unit_dimension",
    ]


def test_shipped_samples_fit_the_jinan_plan():
    from carbonpeak.plan.load import load_plan

    plan = load_plan()
    plans = load_district_plans(plan, sorted(DISTRICTS_DIR.glob("*.yaml")))
    assert len(plans) == 3 and all("sample" in p.flags for p in plans)
    rows = balance_check(plan, plans)
    pv = next(r for r in rows if r.code == "pv_capacity_2030")
    assert pv.district_sum == pytest.approx(260.0) and pv.gap == pytest.approx(500.0 - 260.0)
