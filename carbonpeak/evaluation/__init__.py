"""Evaluation of districts and departments (方案 五(三)) and the balance of district plans (五(二)).

    scheme.py     scheme files (YAML): audiences, weighted criteria, vetoes, grades; digest
    inputs.py     EvaluationInputs frozen with a digest; IndicatorResult (from the indicator engine)
    scoring.py    rates, scores, vetoes, grades, competition ranking, rectification lists
    archive.py    run records and exact reproduction of a past year's scores
    balance.py    district plans and the balance check against the city plan
    schemes/      packaged schemes (jinan-2024.yaml)
    districts/    sample district plans (flag `sample`)

Rules and sources: docs/methods/evaluation.md.
"""
