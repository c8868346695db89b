"""Benchmark: carbon-efficiency grading of 10,000 enterprises × 12 months (Huzhou scheme).

From each enterprise-month's reported quantities (8 items: coal, gas, diesel, electricity, green
electricity, heat, a process product, value added; random, seeded) to CO2 (the factor library),
L, the industry averages (30 GB/T 4754 divisions), K and the grade. Measured in one run, interleaved,
on the same data:
  1. carbonpeak: enterprise.accounts.co2 + enterprise.grading.grade (NumPy, vectorised);
  2. a per-row loop: the same formulas one enterprise-month at a time (dicts for the industry sums),
     what one writes without NumPy;
  3. pandas: CO2 by a dot product, industry sums by groupby/transform, grades by pd.cut — what a
     competent engineer with pandas would write.
All three must give the same grades. Goal: < 10 s (the issue's figure).

Run: .venv/bin/python benchmarks/enterprise.py
"""

from __future__ import annotations

import numpy as np
from _common import Row, interleaved, record

from carbonpeak.enterprise import accounts, grading
from carbonpeak.enterprise.scheme import load_scheme

ENTERPRISES, MONTHS, DIVISIONS = 10_000, 12, 30
ITEMS = ("raw_coal", "natural_gas", "diesel", "electricity", "green_electricity", "heat", "process:clinker")
SCHEME = load_scheme("huzhou-2021")


def make_data(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Quantities (n, 12, items) in canonical units, value added (n, 12) 万元, division (n,)."""
    q = rng.lognormal(0, 1, (ENTERPRISES, MONTHS, len(ITEMS))) * np.asarray([300, 5, 20, 800, 100, 500, 50])
    q[rng.random(q.shape) < 0.3] = 0.0
    va = rng.lognormal(6, 0.6, (ENTERPRISES, MONTHS))
    va[rng.random(va.shape) < 0.001] = 0.0  # a few months without value added: not graded
    division = rng.integers(0, DIVISIONS, ENTERPRISES)
    division[division == 29] = 28  # one small division is empty, one doubled: uneven populations
    division[: SCHEME.min_population - 1] = 29  # and one below the minimum: not graded
    return q, va, division


def vectorised(q: np.ndarray, va: np.ndarray, division: np.ndarray) -> np.ndarray:
    f = accounts.factor_vector(ITEMS, 2024, SCHEME)
    direct, indirect = accounts.co2(q, f)
    return grading.grade(direct + indirect, va, division, SCHEME).grade


def per_row(q: np.ndarray, va: np.ndarray, division: np.ndarray) -> np.ndarray:
    f = accounts.factor_vector(ITEMS, 2024, SCHEME)
    ef = [float(x) for x in f.co2_per_unit]
    scope = f.scope
    bounds = [float(b) for b in SCHEME.grade_bounds]
    n, m = va.shape
    co2 = [[0.0] * m for _ in range(n)]
    sums: dict[tuple[int, int], list[float]] = {}
    for i in range(n):
        d = int(division[i])
        for t in range(m):
            direct = indirect = 0.0
            for k in range(len(ITEMS)):
                x = float(q[i, t, k]) * ef[k]
                if scope[k] == "direct":
                    direct += x
                else:
                    indirect += x
            c = direct + max(indirect, 0.0)
            co2[i][t] = c
            v = float(va[i, t])
            if v > 0:
                s = sums.setdefault((d, t), [0.0, 0.0, 0])
                s[0] += c
                s[1] += v
                s[2] += 1
    out = np.zeros((n, m), dtype=np.int64)
    for i in range(n):
        d = int(division[i])
        for t in range(m):
            v = float(va[i, t])
            s = sums.get((d, t))
            if v <= 0 or s is None or s[2] < SCHEME.min_population:
                continue
            k = round(co2[i][t] / v / (s[0] / s[1]), 9)
            out[i, t] = 1 + sum(1 for b in bounds if k > b)
    return out


def with_pandas(q: np.ndarray, va: np.ndarray, division: np.ndarray) -> np.ndarray:
    import pandas as pd

    f = accounts.factor_vector(ITEMS, 2024, SCHEME)
    direct_mask = np.asarray([s == "direct" for s in f.scope])
    n, m = va.shape
    flat = q.reshape(n * m, len(ITEMS))
    df = pd.DataFrame(
        {
            "division": np.repeat(division, m),
            "month": np.tile(np.arange(m), n),
            "co2": flat[:, direct_mask] @ f.co2_per_unit[direct_mask]
            + np.maximum(flat[:, ~direct_mask] @ f.co2_per_unit[~direct_mask], 0.0),
            "va": va.ravel(),
        }
    )
    ok = df["va"] > 0
    g = df[ok].groupby(["division", "month"])
    df.loc[ok, "mean"] = g["co2"].transform("sum") / g["va"].transform("sum")
    df.loc[ok, "pop"] = g["co2"].transform("size")
    k = (df["co2"] / df["va"] / df["mean"]).where(ok & (df["pop"] >= SCHEME.min_population)).round(9)
    grade = pd.cut(k, [-np.inf, *SCHEME.grade_bounds, np.inf], labels=False, right=True) + 1
    return grade.fillna(0).to_numpy(dtype=np.int64).reshape(n, m)


def main() -> None:
    rng = np.random.default_rng(20241201)
    q, va, division = make_data(rng)
    a, b, c = vectorised(q, va, division), per_row(q, va, division), with_pandas(q, va, division)
    assert (a == b).all() and (a == c).all(), "the three computations disagree"
    assert (a == 0).any() and set(np.unique(a)) == {0, 1, 2, 3, 4, 5}
    t = interleaved(
        {
            "numpy": lambda: vectorised(q, va, division),
            "loop": lambda: per_row(q, va, division),
            "pandas": lambda: with_pandas(q, va, division),
        },
        repeat=3,
    )
    for name, timing in t.items():
        print(f"{name:7} {timing.text(1.0, 's')}")
    cells = ENTERPRISES * MONTHS
    numpy_s, loop_s, pandas_s = (t[k].wall_median for k in ("numpy", "loop", "pandas"))
    record(
        "enterprise",
        [
            Row(
                "enterprise",
                f"{ENTERPRISES:,} enterprises × {MONTHS} months graded, vectorised: wall "
                f"(CPU {t['numpy'].cpu_median:.3f} s)",
                numpy_s,
                "s",
                "< 10 s",
                numpy_s < 10,
                f"{cells / numpy_s:,.0f} enterprise-months/s",
            ),
            Row(
                "enterprise",
                f"the same, per-row loop: wall (loop/vectorised {loop_s / numpy_s:.0f}x)",
                loop_s,
                "s",
            ),
            Row(
                "enterprise",
                f"the same, pandas groupby: wall (pandas/vectorised {pandas_s / numpy_s:.1f}x)",
                pandas_s,
                "s",
            ),
        ],
    )


if __name__ == "__main__":
    main()
