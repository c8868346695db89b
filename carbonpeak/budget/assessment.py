"""Carbon assessment of a new or expanding project (节能审查 / 碳评), pure (docs/methods/budget.md#project).

    project_co2(energy_tce, factors, electricity_mwh, grid_factor, process_t)   tCO2 a year
    budget_test(co2, headroom, unit)                                            Test: fits the headroom
    benchmark_tests(products, benchmarks)                                       Test per product
    ledger_test(co2, claimed, ledger, used, ratio)                              Test: 减量替代

Every test returns a `Test`: its name, result (pass / fail), the figures and the source of the rule,
so the CLI, the API and the page show the same rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from carbonpeak.budget.rules import Benchmark, Offset, ProductUse


@dataclass(frozen=True)
class Test:
    """One test of the assessment: `result` "pass" or "fail"; `detail_zh` / `detail_en` say why;
    `figures` the numbers compared; `source` the rule's source."""

    test: str
    result: str
    detail_zh: str
    detail_en: str
    source: str
    figures: Mapping[str, Any] = field(default_factory=dict)


def project_co2(
    energy_tce: Mapping[str, float],
    co2_factors: Mapping[str, float],
    electricity_mwh: float,
    grid_factor: float,
    process_t: float = 0.0,
) -> float:
    """The project's CO2 a year (t): Σ fuel tce × its factor (tCO2/tce) + electricity MWh × the grid
    factor (tCO2/MWh, indirect) + process CO2 (t). A fuel without a factor counts zero (non-fossil)."""
    direct = sum(q * co2_factors.get(fuel, 0.0) for fuel, q in energy_tce.items())
    return direct + electricity_mwh * grid_factor + process_t


def budget_test(co2_wan_t: float, headroom: float, unit: str, source: str) -> Test:
    """The project's CO2 (万tCO2 a year) against the headroom of `unit`'s budget (budget − the year's
    expected CO2, 万tCO2): pass when it fits."""
    ok = co2_wan_t <= headroom
    return Test(
        test=f"budget:{unit}",
        result="pass" if ok else "fail",
        detail_zh=f"{unit}：项目年排放{co2_wan_t:,.1f}万吨，预算余量{headroom:,.1f}万吨"
        + ("" if ok else "，超出余量"),
        detail_en=f"{unit}: the project's {co2_wan_t:,.1f} 万tCO2 a year against a headroom of "
        f"{headroom:,.1f} 万tCO2" + ("" if ok else ": it does not fit"),
        source=source,
        figures={"project_co2": co2_wan_t, "headroom": headroom},
    )


def benchmark_tests(products: Sequence[ProductUse], table: Mapping[str, Benchmark]) -> list[Test]:
    """Each product's energy per unit against the national benchmark (标杆) and baseline (基准) levels:
    at or better than the benchmark: pass (标杆); between: pass (meets the baseline, to improve);
    worse than the baseline: fail. A product missing from the table or in another unit: fail, saying
    so (the table is data: add the product's row)."""
    out = []
    for p in products:
        b = table.get(p.product)
        if b is None or b.unit != p.unit:
            why = (
                "not in the benchmark table"
                if b is None
                else f"given in {p.unit}, the table's unit is {b.unit}"
            )
            out.append(
                Test(
                    f"benchmark:{p.product}",
                    "fail",
                    f"{p.product}：无法对标（"
                    + ("能效标杆表中没有该产品" if b is None else "单位与标杆表不一致")
                    + "）",
                    f"{p.product}: cannot be compared ({why})",
                    "carbonpeak/budget/data/efficiency-benchmarks.csv",
                    {"energy_per_unit": p.energy_per_unit, "unit": p.unit},
                )
            )
            continue
        if p.energy_per_unit <= b.benchmark:
            result, zh, en = "pass", "达到标杆水平", "at or better than the benchmark level"
        elif p.energy_per_unit <= b.baseline:
            result, zh, en = (
                "pass",
                "优于基准水平、未达标杆水平",
                "meets the baseline level, short of the benchmark",
            )
        else:
            result, zh, en = "fail", "未达到基准水平", "worse than the baseline level"
        out.append(
            Test(
                f"benchmark:{p.product}",
                result,
                f"{b.name_zh}：{p.energy_per_unit:g} {b.unit}，标杆{b.benchmark:g}、基准{b.baseline:g}，{zh}",
                f"{b.name_en}: {p.energy_per_unit:g} {b.unit} against benchmark {b.benchmark:g} and baseline "
                f"{b.baseline:g}: {en}",
                f"{b.source} ({b.edition} edition)",
                {"energy_per_unit": p.energy_per_unit, "benchmark": b.benchmark, "baseline": b.baseline},
            )
        )
    return out


def ledger_test(
    co2_wan_t: float,
    claimed: Sequence[str],
    ledger: Sequence[Offset],
    used: Mapping[str, str],
    ratio: float,
    project: str,
    source: str,
) -> Test:
    """减量替代: the reductions `claimed` (ledger ids) must exist, be used by no other project
    (`used`: id → the project that used it, from the ledger and recorded decisions) and not be named
    twice, and sum (万tCO2 a year) to at least `ratio` × the project's CO2."""
    by_id = {o.id: o for o in ledger}
    faults_zh: list[str] = []
    faults_en: list[str] = []
    total = 0.0
    seen: set[str] = set()
    for oid in claimed:
        if oid in seen:
            faults_zh.append(f"{oid}重复列出")
            faults_en.append(f"{oid} is named twice")
            continue
        seen.add(oid)
        o = by_id.get(oid)
        if o is None:
            faults_zh.append(f"台账中没有{oid}")
            faults_en.append(f"{oid} is not in the ledger")
            continue
        owner = used.get(oid) or o.used_by
        if owner and owner != project:
            faults_zh.append(f"{oid}已被“{owner}”使用")
            faults_en.append(f"{oid} is already used by {owner!r}")
            continue
        total += o.reduction
    need = ratio * co2_wan_t
    if total < need:
        faults_zh.append(f"替代量{total:,.1f}万吨，不足所需{need:,.1f}万吨")
        faults_en.append(f"the offsets give {total:,.1f} 万tCO2, {need:,.1f} are needed")
    ok = not faults_zh
    return Test(
        "offsets",
        "pass" if ok else "fail",
        "；".join(faults_zh) or f"替代量{total:,.1f}万吨，满足所需{need:,.1f}万吨",
        "; ".join(faults_en) or f"the offsets give {total:,.1f} 万tCO2 of the {need:,.1f} needed",
        source,
        {"offsets": total, "needed": need, "ratio": ratio, "claimed": list(claimed)},
    )


__all__ = ["Test", "benchmark_tests", "budget_test", "ledger_test", "project_co2"]
