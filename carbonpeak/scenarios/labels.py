"""Readable names of scenario drivers, in zh and en, for tornado charts, Sobol tables and reports.

    driver_label("sectors.steel.intensity_change", "zh")  → "钢铁能耗强度变化率"
    driver_label("sectors.transport.fuel_shift.electricity", "en")  → "Transport: shift to electricity"

A whole key in the catalogue (carbonpeak/i18n/catalogue/drivers.yaml, `driver.<key>`) wins; else the
name is built from the key's parts (`driver.part.*`, `driver.attr.*`, `driver.fuel.*`); a key the
catalogue cannot name comes back unchanged, so nothing is hidden.
"""

from __future__ import annotations

from carbonpeak.i18n import catalogue, t


def driver_label(key: str, lang: str = "zh") -> str:
    known = catalogue()
    if f"driver.{key}" in known:
        return t(f"driver.{key}", lang)
    parts = key.split(".")
    if len(parts) < 3 or parts[0] not in ("sectors", "power"):
        return key
    what_key = f"driver.part.{parts[0]}.{parts[1]}"
    attr_key = f"driver.attr.{parts[2]}"
    if what_key not in known or attr_key not in known:
        return key
    what = t(what_key, lang)
    if parts[2] == "fuel_shift":
        if len(parts) != 4 or f"driver.fuel.{parts[3]}" not in known:
            return key
        label = t(attr_key, lang, what=what, fuel=t(f"driver.fuel.{parts[3]}", lang))
    elif len(parts) == 3:
        label = t(attr_key, lang, what=what)
    else:
        return key
    return label[:1].upper() + label[1:] if lang == "en" else label


__all__ = ["driver_label"]
