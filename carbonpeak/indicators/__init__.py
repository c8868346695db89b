"""carbonpeak.indicators: targets → progress, pace and status (docs/methods/indicators.md).

series.py        Series, Observations: values by indicator, region and year, with unit, source, flag
observations.py  the observations CSV contract → Observations (every fault at once); SAMPLE_FILE
derived.py       constant-price GDP from chained indices, intensities, shares, per-capita, reductions
config.py        status.yaml → StatusConfig (trajectories, thresholds, series of each target)
progress.py      trajectory, rates, progress, status; assess_target / assess_plan (milestones, peak)
"""
