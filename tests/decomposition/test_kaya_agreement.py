"""Agreement with the `kaya-decomposition` package (IAMconsortium) where both define the same factors.

That package decomposes one region's Total Fossil Carbon as
TFC = Population · GNP/P · FE/GNP · PEDEq/FE · PEFF/PEDEq · TFC/PEFF, relative to a base year
(`compute_lmdi_cumulative`). With one sector and one fuel our identity has the same population,
affluence and intensity factors; our emission factor C/E is the product of its last three, so our
emission-factor effect equals the sum of its three effects (logs add). Its public function applies a
"non-negativity correction" that departs from LMDI-I when an effect is negative, so the public call
is compared on growing factors, and its uncorrected LMDI-I terms on mixed signs.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import types
import warnings

import numpy as np
import pandas as pd
import pytest

from carbonpeak.decomposition.lmdi import FACTORS, KayaSeries, decompose


def _stub_class(name: str) -> type:
    if name.startswith("__"):
        raise AttributeError(name)
    return type(name, (), {})


class _Ixmp4Stub(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves an empty package for `ixmp4` and every `ixmp4.*` name; any attribute is a dummy class."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == "ixmp4" or fullname.startswith("ixmp4."):
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        module = types.ModuleType(spec.name)
        module.__path__ = []
        module.__getattr__ = _stub_class
        return module

    def exec_module(self, module):
        return None


def _import_pyam():
    """pyam imports ixmp4 (a database backend never used here) at import time, and the installed
    ixmp4 fails to import under SQLAlchemy 2.1 (TypeError in ColumnCollection). Only if the real
    import fails, stand an empty package in for ixmp4 so that pyam's data-frame code can load."""
    try:
        import ixmp4  # noqa: F401
    except Exception:
        for name in [n for n in sys.modules if n == "ixmp4" or n.startswith("ixmp4.")]:
            del sys.modules[name]
        sys.meta_path.insert(0, _Ixmp4Stub())
    import pyam

    return pyam


with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    pyam = _import_pyam()
    from kaya_decomposition import compute_lmdi_cumulative
    from kaya_decomposition.lmdi_cumulative import _calc_uncorrected_lmdi_cumulative

YEARS = [2020, 2021, 2022, 2023, 2024]


def _frames(pop, gnp_p, fe_gnp, pe_fe, ff_pe, c_ff):
    tfc = pop * gnp_p * fe_gnp * pe_fe * ff_pe * c_ff
    rows = []
    for name, values in [
        ("Population", pop),
        ("GNP/P", gnp_p),
        ("FE/GNP", fe_gnp),
        ("PEDEq/FE", pe_fe),
        ("PEFF/PEDEq", ff_pe),
        ("TFC/PEFF", c_ff),
        ("Total Fossil Carbon", tfc),
    ]:
        rows += [["m", "s", "World", name, "1", y, float(v)] for y, v in zip(YEARS, values, strict=True)]
    df = pd.DataFrame(rows, columns=["model", "scenario", "region", "variable", "unit", "year", "value"])
    ours = KayaSeries(
        years=tuple(YEARS),
        sectors=("all",),
        fuels=("fossil",),
        population=pop,
        gdp=pop * gnp_p,
        sector_gdp=(pop * gnp_p)[:, None],
        energy=(pop * gnp_p * fe_gnp)[:, None, None],
        emissions=tfc[:, None, None],
    )
    return pyam.IamDataFrame(df), ours


def _theirs(result, year):
    data = result.data
    row = data[data["year"] == year].set_index("variable")["value"]
    return np.array(
        [
            row["Population"],
            row["Economic Activity per Person"],
            0.0,  # structure: one sector
            row["Energy Intensity of Economy"],
            0.0,  # fuel mix: one fuel
            row["Energy Supply Loss Factor"]
            + row["Fossil Fuel Fraction"]
            + row["Carbon Intensity of Fossil Energy"],
        ]
    )


def _compare(frame, ours, fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = fn(frame, base_year=2020) if fn is compute_lmdi_cumulative else fn(frame, 2020)
    for k, year in enumerate(YEARS[1:]):
        mine = decompose(
            KayaSeries(
                years=(2020, year),
                sectors=ours.sectors,
                fuels=ours.fuels,
                population=ours.population[[0, k + 1]],
                gdp=ours.gdp[[0, k + 1]],
                sector_gdp=ours.sector_gdp[[0, k + 1]],
                energy=ours.energy[[0, k + 1]],
                emissions=ours.emissions[[0, k + 1]],
            )
        )
        np.testing.assert_allclose(mine.additive[0], _theirs(theirs, year), rtol=1e-9, atol=1e-9)


def test_public_cumulative_lmdi_agrees_on_growing_factors():
    g = np.array([1.0, 1.02, 1.05, 1.06, 1.10])
    frame, ours = _frames(1400 * g, 10 * g**2, 5 * g, 1.2 * g**0.5, 0.9 * g**0.1, 70 * g**0.3)
    _compare(frame, ours, compute_lmdi_cumulative)
    assert FACTORS[0] == "population"


def test_uncorrected_lmdi_terms_agree_on_mixed_signs():
    frame, ours = _frames(
        np.array([9.0, 9.1, 9.2, 9.25, 9.3]),
        np.array([8.0, 8.5, 9.1, 9.0, 9.6]),
        np.array([0.60, 0.57, 0.55, 0.52, 0.50]),
        np.array([1.30, 1.28, 1.27, 1.25, 1.24]),
        np.array([0.85, 0.84, 0.82, 0.80, 0.78]),
        np.array([2.40, 2.41, 2.38, 2.36, 2.35]),
    )
    _compare(frame, ours, _calc_uncorrected_lmdi_cumulative)


def test_public_correction_differs_from_lmdi_i_when_an_effect_is_negative():
    # documents why the public call is compared only on growing factors
    frame, ours = _frames(
        np.array([9.0, 9.1, 9.2, 9.25, 9.3]),
        np.array([8.0, 8.5, 9.1, 9.0, 9.6]),
        np.array([0.60, 0.57, 0.55, 0.52, 0.50]),
        np.ones(5),
        np.ones(5),
        np.full(5, 2.4),
    )
    with pytest.raises(AssertionError):
        _compare(frame, ours, compute_lmdi_cumulative)
