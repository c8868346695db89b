"""carbonpeak: a platform that runs a city's carbon-peak work plan (碳达峰工作方案).

Map of the package (arrows point one way: adapters → services → domain):

    cli/ api/ web/ reports/      adapters: parse, call one service, present
    services/                    one function per use case
    plan/                        the work plan as validated data (schema, load, packaged plans)
    accounting/                  city GHG inventory: factors with sources, inventory, energy, uncertainty
    indicators/                  targets → progress, pace, status
    scenarios/                   projection, Monte Carlo peak-year odds, sensitivity, wedges
    decomposition/               LMDI drivers of change
    collection/                  reporting templates, upload validation, submission workflow
    supervision/ evaluation/     task progress, dispatch, scoring and ranking
    store/                       SQLAlchemy models, sessions, repositories, migrations
    units/                       the one unit-conversion table
    errors.py, settings.py, i18n/, app.py (create_app)
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
