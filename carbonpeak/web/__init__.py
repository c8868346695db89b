"""Web pages (Jinja2 + htmx + ECharts, no front-end build step). `install_web(app, settings)` mounts them.

context.py   per-request language, user and rendering (HTML page or its JSON twin)
routes.py    one route per page, each calling one view-model function of services/pages/
reporting.py reporting: template download, upload with row-by-row results, submit, review
charts.py    ECharts options built from the page models (JSON embedded in the page)
numbers.py   numbers as Chinese (万, 亿) and English readers expect them, with units
session.py   log-in, log-out and CSRF through carbonpeak.auth and services/users.py
templates/   Jinja2 templates; every label through carbonpeak.i18n (catalogue/web.yaml)
site.py      site-wide answers: the 404 page, HEAD, the API's documentation (/api/docs) served offline
static/      CSS, the page script, and vendor/ (echarts 6.1.0, htmx 2.0.11, swagger-ui-dist 5.35.0, from npm)
lists.py     CSV and XLSX exports of the lists as filtered and sorted (/tasks.csv, /projects.xlsx …)
assets.py    /static: content-hash URLs with a year's cache, gzip kept per file version
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from carbonpeak.settings import Settings


def install_web(app: FastAPI, settings: Settings) -> None:
    """Mount the static files and the page routes on `app` (settings are read per request)."""
    from carbonpeak.web import enterprise, lists, reporting, routes
    from carbonpeak.web.assets import STATIC_DIR, assets

    app.mount("/static", assets(STATIC_DIR), name="static")
    app.include_router(reporting.router)  # first: /reporting.json before any catch-all
    app.include_router(lists.router)  # /tasks.csv … before the pages' /tasks/{code}
    app.include_router(routes.router)
    app.include_router(enterprise.router)


__all__ = ["install_web"]
