"""Number formatting for pages: 万/亿 in Chinese, thousands and M/bn in English, units folded in."""

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carbonpeak.web.numbers import format_number, format_percent, format_quantity, unit_label


@pytest.mark.parametrize(
    ("value", "zh", "en"),
    [
        (0, "0", "0"),
        (7, "7", "7"),
        (12.345, "12.3", "12.3"),
        (0.012345, "0.0123", "0.0123"),
        (1234.5, "1235", "1,235"),
        (56789, "5.68万", "56,789"),
        (12345678, "1235万", "12.3 M"),
        (123456789, "1.23亿", "123 M"),
        (6.0e8, "6亿", "600 M"),
        (2.5e12, "2.5万亿", "2,500 bn"),
        (-56789, "-5.68万", "-56,789"),
        (99_999_999, "1亿", "100 M"),  # 9999.9999万 rounds up into the next step
    ],
)
def test_format_number(value, zh, en):
    assert format_number(value, "zh") == zh
    assert format_number(value, "en") == en


def test_missing_values_print_a_dash():
    assert format_number(None) == "—"
    assert format_number(math.nan, "en") == "—"
    assert format_quantity(None, "t") == "—"
    assert format_percent(None) == "—"


def test_scaled_chinese_units_fold_into_the_number():
    assert format_quantity(6000, "万tCO2", "zh") == "6000万吨二氧化碳"
    assert format_quantity(60000, "万tCO2", "zh") == "6亿吨二氧化碳"
    assert format_quantity(150, "万kW", "zh") == "150万千瓦"
    assert format_quantity(500, "MW", "zh") == "500兆瓦"
    assert format_quantity(6000, "万tCO2", "en") == "60 Mt CO₂"
    assert unit_label("万kW", "en") == "10⁴ kW"
    assert unit_label("个", "en") == "items"
    assert format_quantity(12.5, "%", "en") == "12.5%"


def test_unit_labels_in_both_languages():
    assert unit_label("万tce", "zh") == "万吨标准煤"
    assert unit_label("tCO2", "en") == "tCO₂"
    assert unit_label("no-such-unit", "zh") == "no-such-unit"
    assert unit_label(None) == ""


@given(st.floats(min_value=1e4, max_value=1e15, allow_nan=False))
def test_chinese_suffix_matches_magnitude(value):
    text = format_number(value, "zh")
    number = float(text.rstrip("万亿"))
    scale = 1e12 if text.endswith("万亿") else 1e8 if text.endswith("亿") else 1e4
    assert 1 <= number < 1e4 or text.endswith("万亿")
    assert math.isclose(number * scale, value, rel_tol=5e-3)


@pytest.mark.parametrize(
    ("value", "unit", "zh", "en"),
    [
        (18000, "万tCO2", "1.8亿吨二氧化碳", "180 Mt CO₂"),  # the city's total: 亿吨 / Mt
        (180, "MtCO2", "1.8亿吨二氧化碳", "180 Mt CO₂"),  # the projection's unit, the same figure
        (1.8e8, "tCO2", "1.8亿吨二氧化碳", "180 Mt CO₂"),
        (350.5, "万tCO2", "351万吨二氧化碳", "3.51 Mt CO₂"),
        (1234, "tCO2", "1234吨二氧化碳", "1,234 t CO₂"),  # an enterprise's: tonnes
    ],
)
def test_emissions_have_one_display_rule_whatever_the_unit_they_come_in(value, unit, zh, en):
    assert format_quantity(value, unit, "zh") == zh
    assert format_quantity(value, unit, "en") == en
    # the unit is said once: never a 万 number before a 万 unit
    assert "万万" not in zh and not re.search(r"万\S*万", zh)
