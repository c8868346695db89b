"""The Jinan demo data set 2005–2024: published figures with their sources, an estimated energy
balance made by a documented model, district figures, and sample progress reports.

    data/published.csv       published statistics (GDP, growth, population …), each with its source
                             and whether it was checked against a copy of the publication
    data/assumptions.yaml    every assumption of the estimated energy balance, with its reason
    data/energy-balance.csv  the estimated balance (built by build.py; `carbonpeak demo build` rebuilds it)
    build.py                 pure functions: comparable series across the 2019 boundary change,
                             the balance model
    README.md                the table of sources and flags
"""
