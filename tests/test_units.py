import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from carbonpeak import units
from carbonpeak.errors import InputError


def test_chinese_units_convert_by_the_table():
    assert units.convert(1.0, "万千瓦", "MW") == pytest.approx(10.0)
    assert units.convert(500.0, "万千瓦", "GW") == pytest.approx(5.0)
    assert units.convert(1.0, "万吨标准煤", "tce") == pytest.approx(10_000.0)
    assert units.convert(1.0, "亿千瓦时", "MWh") == pytest.approx(100_000.0)
    assert units.canonical("万千瓦") == "万kW"


def test_arrays_convert_elementwise():
    out = units.convert(np.array([1.0, 2.5]), "万t", "t")
    assert out.tolist() == [10_000.0, 25_000.0]


def test_incompatible_units_name_both_dimensions():
    with pytest.raises(InputError) as info:
        units.convert(1.0, "MW", "tce")
    assert info.value.problems[0].rule == "unit.convertible"
    assert "power" in info.value.problems[0].message_en


def test_unknown_unit_is_an_input_error():
    with pytest.raises(InputError):
        units.lookup("furlong")


def test_every_unit_row_has_a_source_and_description():
    for u in units.unit_table().values():
        assert u.description and u.source


@given(
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
    st.sampled_from(sorted({u.name for u in units.unit_table().values()})),
)
def test_round_trip_through_the_base_unit_is_identity(value, name):
    base = units.lookup(name).base
    back = units.convert(units.convert(value, name, base), base, name)
    assert back == pytest.approx(value, rel=1e-12, abs=1e-9)


def test_table_quantity_shows_emissions_in_wan_tonnes_or_mt_and_leaves_other_units():
    from carbonpeak.units import table_quantity

    assert table_quantity(14563.3, "万tCO2", "zh") == (pytest.approx(14563.3), "万吨二氧化碳")
    assert table_quantity(14563.3, "万tCO2", "en") == (pytest.approx(145.633), "Mt CO₂")
    assert table_quantity(1.5, "亿tCO2", "zh") == (pytest.approx(15000.0), "万吨二氧化碳")
    assert table_quantity(149.3, "MtCO2", "zh") == (pytest.approx(14930.0), "万吨二氧化碳")
    assert table_quantity(None, "万tCO2", "en") == (None, "Mt CO₂")
    assert table_quantity("pending", "万tCO2", "zh") == ("pending", "万吨二氧化碳")
    assert table_quantity(300.0, "万kW", "en") == (300.0, "万kW")  # not emissions: as it is
    assert table_quantity(8.2, "%", "zh") == (8.2, "%")
    assert table_quantity(1.0, None, "zh") == (1.0, "")
    assert table_quantity(1.0, "no-such-unit", "zh") == (1.0, "no-such-unit")
