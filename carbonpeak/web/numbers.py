"""Numbers as Chinese readers expect them (万, 亿) and as English readers expect them (thousands, M, bn).

    format_number(123456789, "zh")  -> "1.23亿"       format_number(123456789, "en") -> "123 M"
    format_number(56789, "zh")      -> "5.68万"       format_number(56789, "en")     -> "56,789"
    format_number(1234.5, "zh")     -> "1235"         format_number(0.01234, "zh")   -> "0.0123"
    format_quantity(6.2e7, "tCO2", "zh") -> "6200万吨二氧化碳"
    format_percent(12.345, "zh")    -> "12.3%"
    emissions_display(1.8e8, "zh")  -> (1e8, "亿吨二氧化碳")
    emissions_display(1.8e8, "en")  -> (1e6, "Mt CO₂")

Emissions have one display rule, for cards, chart axes, tables and reports alike (`emissions_display`):
in Chinese 万吨 or, from 1亿 t, 亿吨 (the unit folded into the number on a card: "1.8亿吨二氧化碳"); in
English Mt (from 0.1 Mt; smaller amounts in t). A chart scales its data into the unit of its largest
value and names the axis by it, so an axis never reads "1.8万" under "万吨".

`digits` is the number of significant digits kept; an integer part is never rounded away
(12345678 → "1235万", not "1.23e3万"). Missing values (None, NaN) print as "—". The same rules are
mirrored in static/js/app.js (`cpFormat`) for chart axes and tooltips; keep the two in step.
"""

from __future__ import annotations

import csv
import math
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from carbonpeak.errors import InputError
from carbonpeak.units import UNITS_FILE, lookup

MISSING = "—"

# (threshold, divisor, suffix), largest first
_ZH_STEPS = ((1e12, 1e12, "万亿"), (1e8, 1e8, "亿"), (1e4, 1e4, "万"))
_EN_STEPS = ((1e9, 1e9, " bn"), (1e6, 1e6, " M"))
# units whose canonical name in units.csv is Chinese, as English readers name them


def _significant(value: float, digits: int) -> str:
    """`value` to `digits` significant digits, never fewer than its integer digits; no trailing zeros."""
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(0, digits - 1 - magnitude)
    # half away from zero, as JavaScript's toFixed does for the chart labels
    text = str(Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def _grouped(text: str) -> str:
    """Thousands separators in the integer part of a plain decimal string."""
    sign, body = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, _, frac = body.partition(".")
    whole = f"{int(whole):,}"
    return sign + whole + (f".{frac}" if frac else "")


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def format_number(value: float | None, lang: str = "zh", *, digits: int = 3) -> str:
    """A number for display: 万/亿 in Chinese, thousands separators and M/bn in English."""
    if _missing(value):
        return MISSING
    assert value is not None
    steps = _ZH_STEPS if lang == "zh" else _EN_STEPS
    for threshold, divisor, suffix in steps:
        if abs(value) >= threshold:
            scaled = value / divisor
            text = _significant(scaled, digits)
            # rounding may carry into the next step (9999.6万 → 10000万): go up one step
            if abs(float(text)) >= 1e4 and lang == "zh" and suffix != "万亿":
                return format_number(math.copysign(float(text) * divisor, value), lang, digits=digits)
            return (_grouped(text) if lang != "zh" else text) + suffix
    text = _significant(value, digits)
    return _grouped(text) if lang != "zh" else text


def unit_label(unit: str | None, lang: str = "zh") -> str:
    """The unit as a reader sees it: Chinese name in zh (吨二氧化碳, 万千瓦), the symbol in en."""
    if not unit:
        return ""
    if lang != "zh":
        from carbonpeak.units import english_name

        return english_name(unit)  # 万t → 10⁴ t: English readers do not read 万
    try:
        return _zh_names().get(lookup(unit).name, unit)
    except InputError:
        return unit


@cache
def _zh_names() -> dict[str, str]:
    """Canonical unit → its first Chinese alias in units.csv (the table is the one source of names);
    a count keeps its generic unit (个, 万个): its aliases name kinds of things (座, 台, 辆)."""
    names: dict[str, str] = {}
    with UNITS_FILE.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            first = row["aliases"].split("|")[0]
            if row["dimension"] == "count":  # 个, not the first alias 座: a count of things of any kind
                names[row["unit"]] = row["unit"]
                continue
            # an alias is a Chinese name only if it holds a CJK character
            names[row["unit"]] = (
                first if first and any("\u4e00" <= c <= "\u9fff" for c in first) else row["unit"]
            )
    return names


def tonnes_per(unit: str | None) -> float | None:
    """Tonnes of CO2 in one `unit` when it is an emissions unit (tCO2, 万tCO2, MtCO2, 亿tCO2 …), else None."""
    if not unit:
        return None
    try:
        u = lookup(unit)
    except InputError:
        return None
    return u.to_base if u.dimension == "co2" else None


def emissions_display(tonnes: float, lang: str = "zh") -> tuple[float, str]:
    """(tonnes per display unit, its label) for emissions whose largest magnitude is `tonnes` tCO2:
    zh 亿吨二氧化碳 from 1e8 t, 万吨二氧化碳 from 1e4 t, else 吨二氧化碳; en Mt CO₂ from 1e5 t, else t CO₂."""
    t = abs(tonnes) if math.isfinite(tonnes) else 0.0
    if lang == "zh":
        if t >= 1e8:
            return 1e8, "亿吨二氧化碳"
        return (1e4, "万吨二氧化碳") if t >= 1e4 else (1.0, "吨二氧化碳")
    return (1e6, "Mt CO₂") if t >= 1e5 else (1.0, "t CO₂")


def format_quantity(value: float | None, unit: str | None, lang: str = "zh", *, digits: int = 3) -> str:
    """A value with its unit. In Chinese a 万/亿-scaled unit is folded into the number
    (6000 万tCO2 → "6000万吨二氧化碳"; 60000 万tCO2 → "6亿吨二氧化碳")."""
    if _missing(value):
        return MISSING
    assert value is not None
    if not unit:
        return format_number(value, lang, digits=digits)
    if unit == "%":
        return format_percent(value, lang, digits=digits)
    per = tonnes_per(unit)
    if per is not None:  # emissions: one rule everywhere (emissions_display)
        div, label = emissions_display(value * per, lang)
        number = format_number(value * per / div, lang, digits=digits)
        return f"{number}{label}" if lang == "zh" else f"{number} {label}"
    if lang == "zh":
        try:
            u = lookup(unit)
        except InputError:
            return f"{format_number(value, lang, digits=digits)} {unit}"
        stem = u.name[1:]
        if u.name[0] in "万亿" and stem in _zh_names():
            scale = 1e4 if u.name[0] == "万" else 1e8
            return format_number(value * scale, lang, digits=digits) + _zh_names()[stem]
        label = unit_label(unit, lang)
        sep = "" if any("\u4e00" <= c <= "\u9fff" for c in label) else " "
        return format_number(value, lang, digits=digits) + sep + label
    if unit[0] in "万亿" and unit[1:] in _zh_names():  # 6000 万tCO2 → "60 M tCO₂"
        scale = 1e4 if unit[0] == "万" else 1e8
        return f"{format_number(value * scale, lang, digits=digits)} {unit_label(unit[1:], lang)}"
    return f"{format_number(value, lang, digits=digits)} {unit_label(unit, lang)}"


def format_percent(value: float | None, lang: str = "zh", *, digits: int = 3) -> str:
    """A percentage already expressed in percent (12.345 → "12.3%")."""
    if _missing(value):
        return MISSING
    assert value is not None
    return _significant(value, digits) + "%"


__all__ = [
    "MISSING",
    "emissions_display",
    "format_number",
    "format_percent",
    "format_quantity",
    "tonnes_per",
    "unit_label",
]
