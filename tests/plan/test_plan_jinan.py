"""The packaged Jinan plan against the seed text it was transcribed from."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from carbonpeak.plan.schema import Plan

# every quantified target the issue names, as (indicator, target year)
ISSUE_TARGETS = [
    ("non_fossil_share", 2025),
    ("non_fossil_share", 2030),
    ("energy_intensity_reduction", 2025),
    ("co2_intensity_reduction", 2025),
    ("co2_intensity_reduction", 2030),
    ("co2_peak", 2030),
    ("pv_capacity", 2030),
    ("storage_capacity", 2030),
    ("demand_response_capacity", 2030),
    ("gas_share", 2030),
    ("coal_power_supply_coal_rate", 2030),
    ("charging_stations", 2025),
    ("chargers", 2025),
    ("green_travel_share", 2025),
    ("new_energy_bus_share", 2030),
    ("new_energy_taxi_share", 2030),
    ("operating_vehicle_carbon_intensity_reduction", 2030),
    ("land_transport_oil_peak", 2030),
    ("green_building_new_area", 2025),
    ("building_renewable_substitution", 2025),
    ("rooftop_pv_coverage", 2025),
    ("circular_park_retrofit_share", 2030),
    ("bulk_solid_waste_use", 2030),
    ("waste_sorting_coverage", 2030),
    ("forest_cover", 2030),
    ("green_space_ratio", 2030),
]

# (target code) → (value, unit, base year, direction), read off the seed text by hand
SAMPLE_VALUES = {
    "pv_capacity_2030": (500, "万kW", None, "at_least"),  # 光伏发电装机规模达到500万千瓦
    "non_fossil_share_2025": (7, "%", None, "at_least"),  # 非化石能源消费比重提高至7%
    "non_fossil_share_2030": (12, "%", None, "at_least"),  # 占比达到12%以上
    "energy_intensity_reduction_2025": (14.8, "%", 2020, "at_least"),  # 比2020年降低14.8%
    "co2_intensity_reduction_2030": (68, "%", 2005, "at_least"),  # 比2005年下降68%以上
    "storage_capacity_2030": (150, "万kW", None, "at_least"),  # 新型储能设施规模达到150万千瓦
    "demand_response_capacity_2030": (75, "万kW", None, "at_least"),  # 需求侧响应能力达到75万千瓦
    "gas_share_2030": (10, "%", None, "at_least"),  # 比重提高到10%以上
    "coal_power_supply_coal_rate_2030": (2, "%", 2020, "about"),  # 比2020年降低2%左右
    "charging_stations_2025": (700, "个", None, "at_least"),  # 建成充换电站700座
    "chargers_2025": (8, "万个", None, "at_least"),  # 保有量超过8万个
    "green_building_new_area_2025": (6000, "万m2", None, "at_least"),  # 新增绿色建筑6000万平方米
    "operating_vehicle_carbon_intensity_reduction_2030": (10, "%", 2020, "about"),
    "bulk_solid_waste_use_2030": (2000, "万t", None, "at_least"),  # 年利用量达到2000万吨
    "forest_cover_2030": (23, "%", None, "about"),  # 森林覆盖率达到23%左右
    "green_space_ratio_2030": (37, "%", None, "about"),  # 绿地率达到37%左右
}


def test_counts(jinan: Plan) -> None:
    assert len(jinan.programmes) == 10
    assert [len(p.tasks) for p in jinan.programmes] == [6, 5, 4, 4, 3, 4, 3, 4, 4, 2]
    assert len(jinan.tasks()) == 39
    assert len(jinan.guarantees) == 6
    assert len(jinan.organisation) == 3
    assert len(jinan.key_projects) == 111
    # 专栏1: 3+4+1+6+3+2+4+10+2; 专栏2: 1 + 10+14+7+13; 专栏3: 8+1+4; 专栏4: 7+5+4+2
    assert Counter(p.column for p in jinan.key_projects) == {1: 35, 2: 45, 3: 13, 4: 18}


def test_every_issue_target_present_once(jinan: Plan) -> None:
    keys = Counter((t.indicator, t.target_year) for t in jinan.targets)
    for key in ISSUE_TARGETS:
        assert keys[key] == 1, key


@pytest.mark.parametrize("code", sorted(SAMPLE_VALUES))
def test_sample_values(jinan: Plan, code: str) -> None:
    value, unit, base_year, direction = SAMPLE_VALUES[code]
    t = jinan.target(code)
    assert (t.target_value, t.unit, t.base_year, t.direction) == (value, unit, base_year, direction)


def test_value_left_to_province_is_pending_not_invented(jinan: Plan) -> None:
    pending = [t for t in jinan.targets if t.value_pending]
    assert [t.code for t in pending] == ["co2_intensity_reduction_2025"]
    assert pending[0].target_value is None and pending[0].base_year is None
    assert "省下达" in pending[0].source.quote


def test_target_value_appears_in_its_quote(jinan: Plan, norm) -> None:
    for t in jinan.targets:
        if t.target_value is None:
            continue
        numbers = {float(n) for n in re.findall(r"\d+(?:\.\d+)?", t.source.quote)}
        words = {"全部": 100, "全覆盖": 100}
        stated = numbers | {float(v) for w, v in words.items() if w in t.source.quote}
        assert t.target_value in stated, t.code
        if t.base_year is not None:
            assert f"比{t.base_year}年" in norm(t.source.quote), t.code


def test_every_quote_and_text_is_verbatim(jinan: Plan, seed: str, norm) -> None:
    quotes = [(t.code, t.source.quote) for t in jinan.targets]
    quotes += [(u.code, u.source.quote) for u in jinan.units if u.source]
    quotes += [(p.code, p.source.quote) for p in jinan.key_projects]
    for p in jinan.programmes:
        quotes += [(p.code, p.source.quote), (p.code, p.text_zh), (p.code, p.name_zh)]
    for m in jinan.measures():
        quotes += [(m.code, m.source.quote), (m.code, m.text_zh), (m.code, m.title_zh)]
    missing = [code for code, q in quotes if norm(q) not in seed]
    assert missing == []
    assert all(u.source is not None for u in jinan.units)


def _listed_units(seed: str, text: str) -> list[str]:
    """The 责任单位 list that follows a measure's text in the seed, in order."""
    after = seed[seed.index(text) + len(text) :]
    m = re.match(r"〔责任单位：(.*?)〕|（责任单位：(.*?)）", after)
    assert m, text[:20]
    listed = (m.group(1) or m.group(2)).replace("（以下统称为各区县政府）", "")
    return listed.split("、")


def test_units_exactly_as_listed_first_is_lead(jinan: Plan, seed: str, norm) -> None:
    for m in jinan.measures():
        names = _listed_units(seed, norm(m.text_zh))
        codes = m.lead_units + m.co_units
        assert len(m.lead_units) == 1 and len(codes) == len(names), m.code
        for code, name in zip(codes, names, strict=True):
            unit = jinan.unit(code)
            assert name in (unit.name_zh, *unit.aliases), (m.code, name, code)


def test_every_unit_reference_resolves_and_every_unit_is_used(jinan: Plan) -> None:
    codes = {u.code for u in jinan.units}
    refs = [c for m in jinan.measures() for c in m.lead_units + m.co_units]
    refs += [c for t in jinan.targets for c in t.responsible_units]
    assert set(refs) <= codes
    # every unit is a responsible unit, or a district/county the plan names (each with its quote):
    # districts report and are evaluated individually though the plan assigns tasks to them jointly
    districts = {
        u.code for u in jinan.units if u.kind == "district_government" and u.code != "district_governments"
    }
    assert codes - districts <= set(refs)
    assert len(districts) == 15  # the 12 区县 and the functional zones 高新区, 南部山区, 起步区
    areas = [u.area for u in jinan.units if u.code in districts]
    assert (areas.count("district"), areas.count("county"), areas.count("functional_zone")) == (10, 2, 3)
    assert jinan.members()["district_governments"] == [u.code for u in jinan.units if u.code in districts]
    for u in jinan.units:
        if u.code in districts:
            # named in the plan's text, or (天桥区, 南部山区) only through the collective 各区县政府及代管镇
            # 街道的功能区管理机构, with the administrative source outside the plan
            assert u.source is not None and u.reference
            named = u.name_zh.replace("济南市", "").replace("济南", "")[:2] in u.source.quote
            assert named or ("各区县政府" in u.source.quote and (u.short_zh or "") in u.reference)


def test_task_targets_carry_their_tasks_units(jinan: Plan) -> None:
    tasks = {t.code: t for t in jinan.tasks()}
    for t in jinan.targets:
        if t.task is not None:
            assert t.programme == t.task.split(".")[0]
            assert t.responsible_units == tasks[t.task].lead_units + tasks[t.task].co_units
            assert t.source.quote in tasks[t.task].text_zh


def test_every_quantified_sentence_of_the_goals_and_tasks_has_a_target(jinan: Plan, seed: str) -> None:
    """Go through 二 and the tasks of 三 sentence by sentence: each one stating a quantity is a target's."""
    body = seed[seed.index("二、主要目标") : seed.index("四、政策保障")]
    body = re.sub(
        r"专栏\d.*?(?=（[二三四五六七八九十]）)", "", body
    )  # the columns hold projects, not targets
    quantity = re.compile(
        r"\d+(?:\.\d+)?(?:%|万千瓦|万个|座|万吨|万平方米)|全部实施|全覆盖|达到峰值|碳达峰目标|省下达"
    )
    not_targets = {
        "对30万千瓦及以上煤电机组实施对标行动",  # the scope of the benchmarking action, not a goal
        "实现重要交通枢纽、公共场站、物流园区等全覆盖",  # coverage of places, with no year and no measure
    }
    quotes = [t.source.quote for t in jinan.targets]
    checked = 0
    for sentence in re.split(r"[。；]", body):
        # a digit outside task numbers ("2.") and "5G" must belong to a quantity the pattern knows
        if re.search(r"\d", re.sub(r"\d+\.|5G", "", sentence)):
            assert quantity.search(sentence), sentence
        if not quantity.search(sentence) or any(s in sentence for s in not_targets):
            continue
        checked += 1
        assert any(q in sentence or sentence in q for q in quotes), sentence
    assert checked == 18


def test_projects_capacities_and_links(jinan: Plan) -> None:
    by_code = {p.code: p for p in jinan.key_projects}
    storage = by_code["C1.8.4"]
    assert storage.name_zh == "济南平阴200MW/400MWh储能电站项目"
    assert [(c.quantity, c.value, c.unit) for c in storage.capacities] == [
        ("power", 200, "MW"),
        ("energy", 400, "MWh"),
    ]
    assert [(c.value, c.unit, c.count, c.approximate) for c in by_code["C1.5.3"].capacities] == [
        (400, "MW", 2, True)
    ]
    assert by_code["C1.5.2"].capacities == []  # 2×9F级 is a turbine class
    assert [(c.value, c.unit) for c in by_code["C1.4.6"].capacities] == [(3, "万m3")]
    assert [c.value for p in jinan.key_projects if p.group == "“外电入济”电网工程" for c in p.capacities] == [
        1000,
        800,
        500,
    ]
    # 专栏2 group 2: each comma-separated name of sub-groups (1)–(4) is one record
    subgroups = Counter(p.subgroup for p in jinan.key_projects if p.column == 2 and p.subgroup)
    assert list(subgroups.values()) == [10, 14, 7, 13]
    # pumped hydro is not new-type storage: it does not serve the new-type storage target
    assert "storage_capacity_2030" not in by_code["C1.8.2"].serves_targets
    assert "storage_capacity_2030" in by_code["C1.8.5"].serves_targets
    target_codes = {t.code for t in jinan.targets}
    assert all(set(p.serves_targets) <= target_codes for p in jinan.key_projects)


def test_every_key_project_has_units_reporting_on_it(jinan: Plan) -> None:
    """A project serving a target goes to the target's responsible units; one serving none to the
    lead units of its column's programme (专栏1 sits in 三(一) energy, 专栏3 in 三(五) transport)."""
    assert [(c.number, c.programme) for c in jinan.columns] == [(1, "P1"), (2, "P2"), (3, "P5"), (4, "P6")]
    by_code = {p.code: p for p in jinan.key_projects}
    assert all(jinan.project_units(p) for p in jinan.key_projects)
    assert jinan.project_units(by_code["C1.1.1"]) == ["development_reform"]  # hydrogen: no target
    assert set(jinan.project_units(by_code["C1.8.5"])) == set(
        jinan.target("storage_capacity_2030").responsible_units
    )
    rail = next(p for p in jinan.key_projects if p.column == 3 and not p.serves_targets)
    assert jinan.project_units(rail) == ["transport"]


def test_codes_are_unique(jinan: Plan) -> None:
    for codes in (
        [u.code for u in jinan.units],
        [t.code for t in jinan.targets],
        [m.code for m in jinan.measures()],
        [p.code for p in jinan.key_projects],
    ):
        assert len(codes) == len(set(codes))
