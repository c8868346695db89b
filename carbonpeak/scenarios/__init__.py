"""carbonpeak.scenarios: peak projection — scenarios, Monte Carlo odds of peaking, sensitivity, wedges.

    drivers.py      distributions (point, normal, lognormal, triangular, uniform), drivers as rates
                    or levels, Gaussian-copula sampling, yearly paths
    model.py        BaseYear, Scenario, Target, Programme, Addition; project(): drivers -> energy,
                    CO2 by sector, intensities, non-fossil and fuel shares (years x draws);
                    base_year_from_inventory(): the hook from the inventory engine
    peak.py         peak year with a plateau tolerance, peak value
    montecarlo.py   seeded, chunked runs; bands, peak distribution, target probabilities
    sensitivity.py  tornado and Sobol (Saltelli sampling, Jansen total effect)
    wedges.py       each programme's levers switched off against the counterfactual
    impact.py       a project added to a scenario: change in peak year, peak value, probabilities
    schema.py       pydantic schema of scenario and project files
    load.py         load_scenario(), load_projects(): validate, compile, report every fault
    history.py      InventoryYear / InventoryHistory: the data set's inventory by year; the base
                    year, history years and reference values built from it
    data/           baseline.yaml, plan.yaml, enhanced.yaml (Jinan; base year 2024 from the inventory)

Methods and sources: docs/methods/projection.md.
"""
