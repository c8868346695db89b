"""Enterprise pages: /enterprises (the office's league tables and lists), /enterprises/export.{csv,xlsx},
/enterprises/{uscc} (one enterprise's account); each with its JSON twin, each one service call
(services/pages/enterprise.py). Signed-in users only; an enterprise user sees its own account only
(the service decides)."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from carbonpeak.errors import CarbonpeakError, NotFound
from carbonpeak.services.pages import enterprise as pages
from carbonpeak.web import session
from carbonpeak.web.enterprise_charts import enterprise_charts, enterprises_charts
from carbonpeak.web.routes import Ctx, _answer, _error

router = APIRouter(include_in_schema=False)


def _office(ctx: Ctx) -> Response:
    if ctx.user is not None and ctx.user.role == "enterprise" and not ctx.wants_json():
        own = pages.own_accounts(ctx.user, session.database(ctx.request))
        if own:  # the menu's 企业碳账户 of an enterprise user is its own account
            return RedirectResponse(f"/enterprises/{own[0]}", status_code=303)
    return _answer(
        ctx,
        lambda: pages.enterprises_page(
            ctx.settings, user=ctx.user, year=ctx.query_int("year"), db=session.database(ctx.request)
        ),
        "enterprises.html",
        title_key="web.enterprises.title",
        nav="enterprises",
        chart_builder=enterprises_charts,
    )


router.add_api_route("/enterprises.json", _office, methods=["GET"], name="enterprises_json")
router.add_api_route("/enterprises", _office, methods=["GET"], name="enterprises")


@router.get("/enterprises/export.{fmt}", name="enterprises_export")
def export(ctx: Ctx, fmt: str) -> Response:
    """The graded accounts of a year as CSV or XLSX (numbers as numbers)."""
    try:
        if fmt not in ("csv", "xlsx"):
            raise NotFound(f"no export format {fmt!r}", message_zh="无此导出格式")
        year, rows = pages.export_rows(ctx.user, ctx.query_int("year"), session.database(ctx.request))
    except CarbonpeakError as exc:
        return _error(ctx, exc)
    name = f"enterprise-grades-{year}.{fmt}"
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(pages.EXPORT_COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        data: bytes = buf.getvalue().encode("utf-8-sig")
        media = "text/csv; charset=utf-8"
    else:
        from carbonpeak.statistics.files import xlsx_bytes

        data = xlsx_bytes(rows, sheet=f"碳效评价{year}")
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _one(ctx: Ctx, uscc: str) -> Response:
    code = uscc.removesuffix(".json")

    def build() -> Any:
        return pages.enterprise_page(
            ctx.settings,
            user=ctx.user,
            uscc=code,
            year=ctx.query_int("year"),
            db=session.database(ctx.request),
        )

    return _answer(
        ctx,
        build,
        "enterprise.html",
        title_key="web.enterprise.title",
        nav="enterprises",
        chart_builder=enterprise_charts,
        title=lambda m, lang: getattr(m, f"name_{lang}", None) or m.name_zh,  # type: ignore[attr-defined]
    )


router.add_api_route("/enterprises/{uscc}", _one, methods=["GET"], name="enterprise")

__all__ = ["router"]
