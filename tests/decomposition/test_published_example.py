"""A published worked example, reproduced from its input data.

Source: M.K. Heun and P.E. Brockway (2019), "Meeting 2030 primary energy and economic growth goals:
Mission impossible?", Applied Energy, doi:10.1016/j.apenergy.2019.01.255, Supplementary
Information S3 ("Simple example" of the matrix method for LMDI, in Ang (2005)'s notation), whose
numbers are also those of the authors' R package LMDIR (tests/testthat/test_lmdi.R,
`create_simple_LMDI`). Two sub-categories × three factors over 1971–1974; V_i = Π_k x_ik.
The zero-value cases are those of Ang, Zhang & Choi (1998, Energy 23:489, Table 2), which Ang & Liu
(2007) generalise: a category that appears gives its whole value to the factor that was zero.
"""

from __future__ import annotations

import numpy as np
import pytest

from carbonpeak.decomposition.lmdi import lmdi_additive, multiplicative_indices

# X[t] rows: sub-category 1, 2; columns: factor 1, 2, 3 (Heun & Brockway 2019, SI S3)
X = np.array(
    [
        [[1, 10, 2], [4, 5, 3]],  # 1971: V = 20 + 60 = 80
        [[4, 5, 3], [5, 6, 4]],  # 1972: V = 60 + 120 = 180
        [[8, 2, 4], [5, 7, 5]],  # 1973: V = 64 + 175 = 239
        [[10, 1, 5], [6, 8, 6]],  # 1974: V = 50 + 288 = 338
    ],
    dtype=float,
)

# Published results: additive ΔV_k per period (factor 1, 2, 3) and multiplicative D_k.
DV = [
    [69.79006598, -9.455125793, 39.66505981],
    [42.96021467, -34.31902656, 50.3588119],
    [54.01064234, -9.021284671, 54.01064234],
]
D = [
    [1.761117821, 0.926191306, 1.379410116],
    [1.229284572, 0.847970248, 1.273773912],
    [1.208140223, 0.968911503, 1.208140223],
]
Z_1971_1972 = [[50.47438029, -25.23719014, 14.76280986], [19.31568569, 15.78206435, 24.90224996]]


def _effects(x0: np.ndarray, xt: np.ndarray) -> np.ndarray:
    """ΔV per factor (rows) and sub-category (columns)."""
    return lmdi_additive(x0.prod(axis=1), xt.prod(axis=1), x0.T, xt.T)


def test_cells_of_first_period():
    assert pytest.approx(np.array(Z_1971_1972), rel=1e-9) == _effects(X[0], X[1]).T


@pytest.mark.parametrize("period", [0, 1, 2])
def test_additive_and_multiplicative_effects(period: int):
    x0, xt = X[period], X[period + 1]
    dv = _effects(x0, xt).sum(axis=1)
    assert dv == pytest.approx(DV[period], rel=1e-9)
    d = multiplicative_indices(dv, np.array(x0.prod(axis=1).sum()), np.array(xt.prod(axis=1).sum()))
    assert d == pytest.approx(D[period], rel=1e-9)
    assert dv.sum() == pytest.approx([100, 59, 99][period])


def test_zero_value_cases():
    # A zero in the first year: sub-category 1 appears, its whole 1972 value (60) goes to factor 1.
    x0 = X[0].copy()
    x0[0, 0] = 0.0
    z = _effects(x0, X[1]).T
    assert z == pytest.approx(np.array([[60, 0, 0], Z_1971_1972[1]]), rel=1e-9)
    # A zero in the last year: sub-category 2 vanishes through factor 3 (−60).
    xt = X[1].copy()
    xt[1, 2] = 0.0
    z = _effects(X[0], xt).T
    assert z == pytest.approx(np.array([Z_1971_1972[0], [0, 0, -60]]), rel=1e-9)
