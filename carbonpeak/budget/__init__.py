"""Monthly carbon nowcast, carbon budgets with in-year warnings, and the carbon assessment of
projects — pure domain (no I/O in the computing functions; the rule files are read in rules.py).

    nowcast.py      carbon coefficients, seasonal completion, Denton benchmarking, backtest
    budget.py       B = I_target × GDP, allocation, monthly profile, execution, probability, warning level
    assessment.py   a project's CO2, its budget, benchmark and 减量替代 tests
    rules.py        the rule files: data/rules.yaml, warning-levels.yaml, efficiency-benchmarks.csv,
                    offsets.csv

Use cases: carbonpeak/services/budget.py. Methods: docs/methods/nowcast.md, docs/methods/budget.md.
"""
