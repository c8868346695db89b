"""Every driver of the shipped scenarios has a readable name in zh and en."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from carbonpeak.scenarios.labels import driver_label

DATA = Path(__file__).resolve().parents[2] / "carbonpeak" / "scenarios" / "data"


def _driver_keys() -> list[str]:
    keys: set[str] = set()
    for path in DATA.glob("*.yaml"):
        keys |= set(yaml.safe_load(path.read_text(encoding="utf-8")).get("drivers") or {})
    return sorted(keys)


@pytest.mark.parametrize("key", _driver_keys())
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_shipped_driver_is_named(key: str, lang: str) -> None:
    label = driver_label(key, lang)
    assert label != key and "{" not in label and "." not in label


def test_names_are_built_from_parts() -> None:
    assert driver_label("sectors.steel.intensity_change", "zh") == "钢铁能耗强度变化率"
    assert driver_label("sectors.transport.fuel_shift.electricity", "en") == "Transport: shift to electricity"
    assert driver_label("gdp_growth", "en") == "GDP growth"


def test_an_unknown_key_comes_back_unchanged() -> None:
    assert driver_label("sectors.mining.intensity_change", "zh") == "sectors.mining.intensity_change"
    assert driver_label("sectors.steel.fuel_shift.hydrogen", "en") == "sectors.steel.fuel_shift.hydrogen"
