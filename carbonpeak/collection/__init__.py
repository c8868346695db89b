"""Data collection: reporting templates and upload validation (issue 7, items 4 and 5).

    spec.py         TemplateSpec (unit, period, indicator/task/project rows) and spec_for_unit(plan, …)
    layout.py       the frame every sheet shares (identity row, zh/en headers, columns of data/columns.csv)
                    and the sheet names
    templates.py    build_template(spec) -> .xlsx bytes: 说明, 指标, 任务进展, 重点项目, hidden _meta
    xlsx_safety.py  checks on the bytes before any parser: size, type, zip bomb, XML entities
    reading.py      bytes -> grids (xlsx via openpyxl, CSV in UTF-8 or GBK)
    rules.py        the rule registry (codes, zh/en messages via the catalogue) and cell readers
    parse.py        parse_upload(data, filename, spec) -> ParsedUpload, or UploadError with every problem
    results.py      ParsedUpload and its typed rows

Pure: nothing here touches a database or a file but its packaged data/columns.csv; the store keeps
what `parse_upload` returns.
Every rule is listed with its code and messages in docs/methods/collection.md.
"""

from carbonpeak.collection.layout import DATA_SHEETS, TEMPLATE_VERSION
from carbonpeak.collection.parse import parse_upload
from carbonpeak.collection.results import IndicatorValue, ParsedUpload, ProjectReport, TaskProgress
from carbonpeak.collection.rules import RULES, rules_table
from carbonpeak.collection.spec import (
    PROJECT_STATUSES,
    TASK_STATUSES,
    IndicatorSpec,
    Period,
    ProjectSpec,
    TaskSpec,
    TemplateSpec,
    indicators_from_targets,
    spec_for_unit,
)
from carbonpeak.collection.templates import build_template
from carbonpeak.collection.xlsx_safety import DEFAULT_LIMITS, UploadLimits

__all__ = [
    "DATA_SHEETS",
    "DEFAULT_LIMITS",
    "PROJECT_STATUSES",
    "RULES",
    "TASK_STATUSES",
    "TEMPLATE_VERSION",
    "IndicatorSpec",
    "IndicatorValue",
    "ParsedUpload",
    "Period",
    "ProjectReport",
    "ProjectSpec",
    "TaskProgress",
    "TaskSpec",
    "TemplateSpec",
    "UploadLimits",
    "build_template",
    "indicators_from_targets",
    "parse_upload",
    "rules_table",
    "spec_for_unit",
]
