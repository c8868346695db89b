"""View-models of the web pages: one function per page, each returning a pydantic model.

The HTML page and its JSON twin (`/tasks` and `/tasks.json`) render the same model, so what a
reader sees and what a program reads cannot drift. Models are language-neutral: labels come as
`*_zh` and `*_en` and the page picks one. Each page reads the plan and whichever engines exist; an
engine that is missing or has no data leaves its part empty and names itself in `missing`, so the
page shows "暂无数据 / no data yet" instead of failing. `flag` is the weakest flag of the figures
shown (published · estimated · sample) and `data_source` says where they came from.

    overview_page       targets with status and sparkline, headline figures, emissions history + fan
    inventory_page      emissions by sector group and fuel kind, fuel→sector flows, inputs and factors
    indicators_page     every target; indicator_page: one target with series, trajectory, pace, sources
    projection_page     scenarios, fan, peak-year histogram, probabilities, tornado, wedges
    decomposition_page  LMDI effects for a period, as a waterfall
    tasks_page          the plan's tasks by programme and by responsible unit, latest progress
    projects_page       key projects with filters and capacity totals against their targets
    reporting_page      rounds, templates, the user's submissions, the office's review queue
    lineage_page        one figure: snapshot, formula and method section, inputs, data records, factors
"""

from carbonpeak.services.pages.analysis import (
    DecompositionPage,
    ProjectionPage,
    decomposition_page,
    projection_page,
)
from carbonpeak.services.pages.common import PageBase, load_plan_for
from carbonpeak.services.pages.inventory import InventoryPage, inventory_page
from carbonpeak.services.pages.lineage import LineagePage, lineage_page
from carbonpeak.services.pages.overview import OverviewPage, overview_page
from carbonpeak.services.pages.plan_pages import ProjectsPage, TasksPage, projects_page, tasks_page
from carbonpeak.services.pages.targets import IndicatorPage, IndicatorsPage, indicator_page, indicators_page

__all__ = [
    "DecompositionPage",
    "IndicatorPage",
    "IndicatorsPage",
    "InventoryPage",
    "LineagePage",
    "OverviewPage",
    "PageBase",
    "ProjectionPage",
    "ProjectsPage",
    "TasksPage",
    "decomposition_page",
    "indicator_page",
    "indicators_page",
    "inventory_page",
    "lineage_page",
    "load_plan_for",
    "overview_page",
    "projection_page",
    "projects_page",
    "tasks_page",
]
