"""Non-fossil share by the official convention, and energy intensity under the 十四五 assessment rules.

Pure functions on plain numbers or NumPy arrays (any shape, broadcast); energy in one unit (万tce,
coal-equivalent method), GDP at constant prices in one unit (亿元 or 万元), shares as fractions.

    non_fossil_share(local, net_import, total, s)      = (local + net_import · s) / total
    non_fossil_share_lines(local, net_import, total, shares)
                                                       one line per crediting convention, e.g.
                                                       {"no_credit": 0, "provincial": s_p, "national": s_n}
    assessed_energy(total, raw_material, non_fossil)   = total − raw_material − non_fossil
    intensity_change(e0, g0, e1, g1)                   = (e1/g1) / (e0/g0) − 1
    assessment_intensity(...)                          statistical and assessment-rule intensity
                                                       changes from the base year, with the deducted
                                                       amounts

Rules and sources: docs/methods/indicators.md#assessment. Formulas only: which year's share and
which deductions apply is the caller's data, passed in with its source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Number = float | npt.NDArray[np.float64]


def non_fossil_share(local: Number, net_import: Number, total: Number, import_share: Number) -> Number:
    """Non-fossil share of total energy consumption (fraction), imported electricity credited.

    local: local non-fossil energy (local PV, wind, hydro, nuclear, biomass; coal-equivalent);
    net_import: net imported electricity in the same unit (negative for a net exporter, which then
    gives up the non-fossil part of what it exports); total: total energy consumption;
    import_share: non-fossil fraction of the generation the imports come from (0 = no credit).
    """
    s = np.asarray(import_share, dtype=float)
    if np.any((s < 0) | (s > 1)):
        raise ValueError(f"import_share {import_share} is not a fraction")
    return (np.asarray(local) + np.asarray(net_import) * s) / np.asarray(total)  # type: ignore[no-any-return]


def non_fossil_share_lines(
    local: Number, net_import: Number, total: Number, shares: Mapping[str, Number]
) -> dict[str, Number]:
    """The non-fossil share under each crediting convention named in `shares` (name → import share).

    A sensitivity line: with {"no_credit": 0.0, "provincial": s_p, "national": s_n} the three lines
    differ only by the credit for imported electricity.
    """
    return {name: non_fossil_share(local, net_import, total, s) for name, s in shares.items()}


def assessed_energy(total: Number, raw_material: Number = 0.0, non_fossil: Number = 0.0) -> Number:
    """Energy consumption counted under the assessment rules: total minus the deducted amounts.

    raw_material: energy used as feedstock (原料用能: coal, oil, gas turned into products, not burnt),
    deducted by 发改环资〔2022〕803号; non_fossil: non-fossil energy consumption, deducted from 2024
    (docs/methods/indicators.md#assessment). Same unit as `total`.
    """
    out = np.asarray(total) - np.asarray(raw_material) - np.asarray(non_fossil)
    if np.any(out < 0):
        raise ValueError("the deductions exceed total energy consumption")
    return out  # type: ignore[no-any-return]


def intensity_change(energy_base: Number, gdp_base: Number, energy: Number, gdp: Number) -> Number:
    """Relative change of energy per unit of constant-price GDP from the base year (−0.148 = −14.8 %)."""
    return (np.asarray(energy) / np.asarray(gdp)) / (np.asarray(energy_base) / np.asarray(gdp_base)) - 1.0  # type: ignore[no-any-return]


@dataclass(frozen=True)
class AssessmentIntensity:
    """Statistical and assessment-rule energy intensity change from the base year, and what was deducted."""

    statistical_change: Number  # fraction, total energy
    assessment_change: Number  # fraction, energy after deductions
    deducted_base: Number  # energy unit: raw material + non-fossil deducted in the base year
    deducted: Number  # energy unit: deducted in the assessed year


def assessment_intensity(
    energy_base: Number,
    gdp_base: Number,
    energy: Number,
    gdp: Number,
    *,
    raw_material_base: Number = 0.0,
    raw_material: Number = 0.0,
    non_fossil_base: Number = 0.0,
    non_fossil: Number = 0.0,
) -> AssessmentIntensity:
    """Energy-intensity change from the base year, statistical and under the assessment rules.

    The assessment figure deducts raw-material and non-fossil energy from total consumption in both
    years, so the base and the assessed year are counted alike; pass zeros for a deduction a rule
    does not make in a year. GDP at constant prices of one base.
    """
    stat = intensity_change(energy_base, gdp_base, energy, gdp)
    e0 = assessed_energy(energy_base, raw_material_base, non_fossil_base)
    e1 = assessed_energy(energy, raw_material, non_fossil)
    return AssessmentIntensity(
        statistical_change=stat,
        assessment_change=intensity_change(e0, gdp_base, e1, gdp),
        deducted_base=np.asarray(energy_base) - e0,
        deducted=np.asarray(energy) - e1,
    )


__all__ = [
    "AssessmentIntensity",
    "assessed_energy",
    "assessment_intensity",
    "intensity_change",
    "non_fossil_share",
    "non_fossil_share_lines",
]
