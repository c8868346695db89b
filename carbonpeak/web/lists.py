"""CSV and XLSX exports of the lists, exactly as shown: `/tasks.csv?…`, `/projects.xlsx?…`,
`/indicators.csv?…` take the page's own filter and sort parameters, build the same page model
(services/pages) and write its rows, with headers in the visitor's language (`?lang=`, cookie).

CSV is UTF-8 with a byte-order mark (Excel opens Chinese text correctly); XLSX has one sheet with a
bold header row. Numbers are written as numbers, in the units named in the header.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from carbonpeak.errors import CarbonpeakError
from carbonpeak.i18n import t
from carbonpeak.services import pages
from carbonpeak.web import session
from carbonpeak.web.context import WebContext
from carbonpeak.web.numbers import unit_label
from carbonpeak.web.session import web_context

router = APIRouter(include_in_schema=False)
Ctx = Annotated[WebContext, Depends(web_context)]
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _pick(obj: Any, name: str, lang: str) -> str:
    def get(key: str) -> Any:
        return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)

    return str(get(f"{name}_{lang}") or get(f"{name}_zh") or "")


def _units(units: list[Any], lang: str) -> str:
    return ("、" if lang == "zh" else "; ").join(_pick(u, "name", lang) for u in units)


def task_table(ctx: WebContext) -> tuple[list[str], list[list[Any]]]:
    lang = ctx.lang
    page = pages.tasks_page(
        ctx.settings,
        unit=ctx.query("unit"),
        programme=ctx.query("programme"),
        status=ctx.query("status"),
        q=ctx.query("q"),
        period=ctx.query("period"),
        sort=ctx.query("sort"),
        db=session.database(ctx.request),
    )
    header = [
        t("web.list.programme", lang),
        t("web.list.code", lang),
        t("web.tasks.task", lang),
        t("web.tasks.lead", lang),
        t("web.tasks.co", lang),
        t("web.status", lang),
        t("web.tasks.progress", lang) + " (%)",
        t("web.task.period", lang),
        t("web.section", lang),
    ]
    rows = [
        [
            p.code,
            r.code,
            _pick(r, "title", lang),
            _units(r.lead_units, lang),
            _units(r.co_units, lang),
            t(f"web.status.{r.status or 'no_data'}", lang),
            r.percent,
            r.period or "",
            r.source.section,
        ]
        for p in page.programmes
        for r in p.tasks
    ]
    return header, rows


def project_table(ctx: WebContext) -> tuple[list[str], list[list[Any]]]:
    lang = ctx.lang
    page = pages.projects_page(
        ctx.settings,
        column=ctx.query_int("column"),
        category=ctx.query("category"),
        target=ctx.query("target"),
        status=ctx.query("status"),
        q=ctx.query("q"),
        unit=ctx.query("unit"),
        sort=ctx.query("sort"),
        db=session.database(ctx.request),
    )
    header = [
        t("web.projects.column", lang),
        t("web.list.code", lang),
        t("web.projects.name", lang),
        t("web.projects.category", lang),
        t("web.projects.capacity", lang),
        t("web.projects.serves", lang),
        t("web.status", lang),
    ]
    rows = [
        [
            r.column,
            r.code,
            (r.name_en or r.name_zh) if lang == "en" else r.name_zh,
            t(f"web.category.{r.category}", lang),
            "; ".join(
                (f"{c.count}×" if c.count > 1 else "") + f"{c.value:g} {unit_label(c.unit, lang)}"
                for c in r.capacities
            ),
            _units(r.served, lang),
            t(f"supervision.project.{r.status}", lang) if r.status else "",
        ]
        for r in page.projects
    ]
    return header, rows


def indicator_table(ctx: WebContext) -> tuple[list[str], list[list[Any]]]:
    lang = ctx.lang
    page = pages.indicators_page(
        ctx.settings,
        status=ctx.query("status"),
        unit=ctx.query("unit"),
        year=ctx.query_int("year"),
        q=ctx.query("q"),
        sort=ctx.query("sort"),
        db=session.database(ctx.request),
    )
    header = [
        t("web.list.code", lang),
        t("web.indicators.target", lang),
        t("web.target.base", lang),
        t("web.target.base", lang) + " · " + t("common.year", lang),
        t("web.target.value", lang),
        t("web.target.year", lang),
        t("web.overview.latest", lang),
        t("common.year", lang),
        t("web.status", lang),
        t("web.indicators.responsible", lang),
    ]
    rows = [
        [
            r.code,
            _pick(r, "name", lang),
            r.base_value,
            r.base_year or r.judged_base_year,
            r.target_value,
            r.target_year,
            r.latest_value,
            r.latest_year,
            t(f"web.status.{r.status or 'no_data'}", lang),
            _units(r.responsible_units, lang),
        ]
        for r in page.targets
    ]
    return header, rows


def _write(fmt: str, header: list[str], rows: list[list[Any]], sheet: str) -> bytes:
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows([["" if v is None else v for v in row] for row in rows])
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet[:31]
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


TABLES: dict[str, Callable[[WebContext], tuple[list[str], list[list[Any]]]]] = {
    "tasks": task_table,
    "projects": project_table,
    "indicators": indicator_table,
}


def _export(name: str, fmt: str) -> Callable[[WebContext], Response]:
    def handler(ctx: Ctx) -> Response:
        from carbonpeak.web.routes import _error

        try:
            header, rows = TABLES[name](ctx)
        except CarbonpeakError as exc:
            return _error(ctx, exc)
        body = _write(fmt, header, rows, t(f"web.{name}.title", ctx.lang))
        return Response(
            body,
            media_type=MEDIA[fmt],
            headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
        )

    handler.__name__ = f"export_{name}_{fmt}"
    return handler


for _name in TABLES:
    for _fmt in MEDIA:
        router.add_api_route(
            f"/{_name}.{_fmt}", _export(_name, _fmt), methods=["GET"], name=f"{_name}_{_fmt}"
        )


__all__ = ["TABLES", "router"]
