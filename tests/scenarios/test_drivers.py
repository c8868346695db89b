import numpy as np
import pytest
from scipy import stats

from carbonpeak.scenarios.drivers import (
    Dist,
    Driver,
    correlation_matrix,
    driver_paths,
    latent_normals,
    path_matrix,
)


@pytest.mark.parametrize(
    ("dist", "ref"),
    [
        (Dist("normal", mean=2.0, sd=0.5), stats.norm(2.0, 0.5)),
        (Dist("lognormal", median=3.0, sigma=0.4), stats.lognorm(0.4, scale=3.0)),
        (Dist("uniform", low=-1.0, high=4.0), stats.uniform(-1.0, 5.0)),
        (Dist("triangular", low=1.0, mode=2.0, high=5.0), stats.triang(0.25, loc=1.0, scale=4.0)),
    ],
)
def test_quantiles_match_scipy(dist, ref):
    u = np.array([0.01, 0.1, 0.37, 0.5, 0.8, 0.99])
    z = stats.norm.ppf(u)
    assert np.allclose(dist.ppf_z(z), ref.ppf(u))
    assert dist.central() == pytest.approx(ref.median())


def test_a_rate_driver_fills_its_periods_and_a_level_interpolates():
    years = list(range(2020, 2026))
    r = Driver(
        "x", "rate", ((2021, 2022), (2023, 2025)), (Dist("point", value=0.1), Dist("point", value=0.2))
    )
    lv = Driver(
        "y", "level", ((2021, 2021), (2023, 2023)), (Dist("point", value=10.0), Dist("point", value=30.0))
    )
    paths = driver_paths({"x": r, "y": lv}, years, [], np.zeros((1, 0)))
    assert paths["x"][:, 0].tolist() == [0.0, 0.1, 0.1, 0.2, 0.2, 0.2]
    assert paths["y"][:, 0].tolist() == [10.0, 10.0, 20.0, 30.0, 30.0, 30.0]
    assert path_matrix(lv, years).sum(axis=1).tolist() == [1.0] * 6


def test_the_gaussian_copula_gives_the_requested_rank_correlation():
    keys = ["a", "b", "c"]
    r = correlation_matrix(keys, [("a", "b", 0.7), ("b", "z_point_driver", 0.9)])
    z = latent_normals(np.random.default_rng(5), 20_000, np.linalg.cholesky(r))
    corr = np.corrcoef(z.T)
    assert corr[0, 1] == pytest.approx(0.7, abs=0.02)
    assert abs(corr[0, 2]) < 0.03 and abs(corr[1, 2]) < 0.03
