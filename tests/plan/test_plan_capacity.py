"""Capacities parsed from project names (carbonpeak.plan.capacity)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carbonpeak.plan.capacity import UNIT_WORDS, parse_capacities, total
from carbonpeak.units import canonical, convert


def caps(name: str) -> list[tuple[str, float, str, int, bool, str]]:
    return [(c.quantity, c.value, c.unit, c.count, c.approximate, c.text) for c in parse_capacities(name)]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "济南200MW/800MWh冷热双蓄储能智慧能源项目",
            [("power", 200, "MW", 1, False, "200MW"), ("energy", 800, "MWh", 1, False, "800MWh")],
        ),
        ("烟台—泉城、泉城—微山湖1000千伏特高压交流工程", [("voltage", 1000, "kV", 1, False, "1000千伏")]),
        ("±800千伏泰西换流站送出至济南工程", [("voltage", 800, "kV", 1, False, "±800千伏")]),
        ("新建3万水立方液化天然气储配项目", [("volume", 3, "万m3", 1, False, "3万水立方")]),
        ("章丘2×400MW级燃机热电项目", [("power", 400, "MW", 2, True, "2×400MW级")]),
        ("济南2×9F级燃气—蒸汽联合循环热电联产项目", []),  # a turbine class, not a capacity
        ("某地50万千瓦光伏电站", [("power", 50, "万kW", 1, False, "50万千瓦")]),
        ("年处理30万吨建筑垃圾项目", [("mass", 30, "万t", 1, False, "30万吨")]),
        ("新建管线12.5公里", [("length", 12.5, "km", 1, False, "12.5公里")]),
        ("2 x 350MW 机组", [("power", 350, "MW", 2, False, "2 x 350MW")]),
        ("加强5G网络建设", []),
        ("中国算谷产业园、科技园项目", []),
        ("章丘区生活垃圾焚烧发电项目（二期）", []),
    ],
)
def test_parse_capacities(name: str, expected: list[tuple[str, float, str, int, bool, str]]) -> None:
    assert caps(name) == expected


def test_total_multiplies_identical_units() -> None:
    (c,) = parse_capacities("2×400MW级")
    assert total(c) == 800


def test_every_unit_is_in_the_units_table_and_agrees_with_it() -> None:
    for word, (unit, _) in UNIT_WORDS.items():
        assert canonical(unit) == unit, word  # the canonical spelling of units.csv
        assert canonical(word) == unit, word  # units.csv reads the surface word the same way


def test_parsed_capacities_convert() -> None:
    (c,) = parse_capacities("新建3万水立方液化天然气储配项目")
    assert convert(c.value, c.unit, "m3") == pytest.approx(30000)
    (p,) = parse_capacities("50万千瓦光伏")
    assert convert(p.value, p.unit, "MW") == pytest.approx(500)


@given(
    st.integers(min_value=1, max_value=9999),
    st.sampled_from(sorted(UNIT_WORDS)),
    st.text(alphabet="项目工程电站储能区光伏", max_size=6),
)
def test_a_stated_number_and_unit_round_trips(value: int, word: str, tail: str) -> None:
    (c,) = parse_capacities(f"某地{value}{word}{tail}")
    assert (c.value, c.unit, c.text) == (value, UNIT_WORDS[word][0], f"{value}{word}")
