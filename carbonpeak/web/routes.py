"""The page routes. Each page: GET /<name> (HTML) and GET /<name>.json (its model), one service call.

Roles: the public pages (the plan is published: 此件公开发布) need no log-in; reporting needs a
signed-in user, and its JSON twin the same. Services raise carbonpeak.errors; here they become
an HTML error page (or a redirect to /login) for pages and the API's JSON error for twins.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from carbonpeak.errors import (
    CarbonpeakError,
    InputError,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    Problem,
    TooManyRequests,
)
from carbonpeak.i18n import t
from carbonpeak.services import pages
from carbonpeak.services.pages.analysis import HypotheticalProject
from carbonpeak.services.pages.budget import budget_page
from carbonpeak.validation import invalid, schema_problems
from carbonpeak.web import charts, session
from carbonpeak.web.context import WebContext, html_error, make_templates, remember, render
from carbonpeak.web.session import web_context

templates = make_templates()
router = APIRouter(include_in_schema=False)
Ctx = Annotated[WebContext, Depends(web_context)]


def _answer(
    ctx: WebContext,
    build: Callable[[], BaseModel],
    template: str,
    *,
    title_key: str,
    nav: str | None,
    chart_builder: Callable[[Any, str], dict[str, Any]] | None = None,
    title: Callable[[BaseModel, str], str] | None = None,
) -> Response:
    try:
        model = build()
    except CarbonpeakError as exc:
        return _error(ctx, exc)
    heading = title(model, ctx.lang) if title else t(title_key, ctx.lang)
    return render(ctx, templates, template, model, title=heading, nav=nav, charts=chart_builder)


def _error(ctx: WebContext, exc: CarbonpeakError) -> Response:
    from fastapi.responses import JSONResponse

    if ctx.wants_json():
        return JSONResponse(exc.body(), status_code=exc.status)
    if isinstance(exc, NotAuthenticated):
        target = ctx.request.url.path + (f"?{ctx.request.url.query}" if ctx.request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    key = {NotFound: "web.error.not_found", PermissionDenied: "web.error.forbidden"}.get(
        type(exc), "web.error.title"
    )
    problems = [p.as_dict() for p in exc.problems] if isinstance(exc, InputError) else []
    return html_error(ctx, templates, exc.status, key, problems)


def _page(path: str, name: str, template: str, builder: Callable[[WebContext], BaseModel], **kw: Any) -> None:
    """Register the HTML page and its JSON twin at `path` and `path.json`."""

    def handler(ctx: Ctx) -> Response:
        return _answer(ctx, lambda: builder(ctx), template, title_key=f"web.{name}.title", nav=name, **kw)

    handler.__name__ = f"page_{name}"
    router.add_api_route(path + ".json", handler, methods=["GET"], name=f"{name}_json")
    router.add_api_route(path, handler, methods=["GET"], name=name)


PROJECT_FIELDS = (
    "name",
    "sector",
    "start_year",
    "coal",
    "oil",
    "gas",
    "electricity",
    "process_emissions",
    "value_added",
)


def _hypothetical(ctx: WebContext) -> HypotheticalProject | None:
    """The hypothetical project of the projection form (`p_<field>` parameters), if one was entered."""
    values = {f: ctx.query(f"p_{f}") for f in PROJECT_FIELDS}
    if not values["sector"]:
        return None
    try:
        return HypotheticalProject.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:  # the form's fields are called p_<field>
        raise invalid(
            "projection",
            schema_problems(exc, "projection", form_prefix="p_"),
            what="validation.what.projection",
        ) from None


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/overview", status_code=307)


_page(
    "/overview",
    "overview",
    "overview.html",
    lambda c: pages.overview_page(c.settings, db=session.database(c.request)),
    chart_builder=charts.overview,
)
_page(
    "/inventory",
    "inventory",
    "inventory.html",
    lambda c: pages.inventory_page(
        c.settings, year=c.query_int("year"), group=c.query("group"), db=session.database(c.request)
    ),
    chart_builder=charts.inventory,
)
_page(
    "/indicators",
    "indicators",
    "indicators.html",
    lambda c: pages.indicators_page(
        c.settings,
        status=c.query("status"),
        unit=c.query("unit"),
        year=c.query_int("year"),
        q=c.query("q"),
        sort=c.query("sort"),
        db=session.database(c.request),
    ),
)
_page(
    "/projection",
    "projection",
    "projection.html",
    lambda c: pages.projection_page(
        c.settings,
        scenario=c.query("scenario"),
        draws=c.query_int("draws"),
        project=_hypothetical(c),
        db=session.database(c.request),
    ),
    chart_builder=charts.projection,
)
_page(
    "/lineage",
    "lineage",
    "lineage.html",
    lambda c: pages.lineage_page(c.settings, figure=c.query("figure"), db=session.database(c.request)),
)
_page(
    "/decomposition",
    "decomposition",
    "decomposition.html",
    lambda c: pages.decomposition_page(
        c.settings, start=c.query_int("from"), end=c.query_int("to"), db=session.database(c.request)
    ),
    chart_builder=charts.decomposition,
)
_page(
    "/tasks",
    "tasks",
    "tasks.html",
    lambda c: pages.tasks_page(
        c.settings,
        unit=c.query("unit"),
        programme=c.query("programme"),
        status=c.query("status"),
        q=c.query("q"),
        period=c.query("period"),
        sort=c.query("sort"),
        db=session.database(c.request),
    ),
    chart_builder=charts.tasks,
)
_page(
    "/projects",
    "projects",
    "projects.html",
    lambda c: pages.projects_page(
        c.settings,
        column=c.query_int("column"),
        category=c.query("category"),
        target=c.query("target"),
        status=c.query("status"),
        q=c.query("q"),
        unit=c.query("unit"),
        sort=c.query("sort"),
        db=session.database(c.request),
    ),
    chart_builder=charts.projects,
)

_page(
    "/budget",
    "budget",
    "budget.html",
    lambda c: budget_page(c.settings, year=c.query_int("year"), db=session.database(c.request), user=c.user),
    chart_builder=charts.budget,
)


def _signed_in(ctx: WebContext) -> None:
    """The monitoring pages name enterprises and their meters: for signed-in users."""
    if ctx.user is None:
        raise NotAuthenticated("sign in to see the monitoring pages", message_zh="请登录后查看在线监测页面")


def _metering(ctx: WebContext) -> BaseModel:
    from carbonpeak.services.pages.metering import metering_page

    _signed_in(ctx)
    return metering_page(ctx.settings, month=ctx.query("month"), db=session.database(ctx.request))


_page("/metering", "metering", "metering.html", _metering)


def _metering_unit(ctx: Ctx, uscc: str) -> Response:
    from carbonpeak.services.pages.metering import metering_unit_page

    def build() -> BaseModel:
        _signed_in(ctx)
        return metering_unit_page(
            ctx.settings,
            uscc.removesuffix(".json"),
            month=ctx.query("month"),
            db=session.database(ctx.request),
        )

    return _answer(
        ctx,
        build,
        "metering_unit.html",
        title_key="web.metering.title",
        nav="metering",
        title=lambda m, lang: m.name,  # type: ignore[attr-defined]
    )


router.add_api_route("/metering/units/{uscc}", _metering_unit, methods=["GET"], name="metering_unit")


def _indicator(ctx: Ctx, code: str) -> Response:
    return _answer(
        ctx,
        lambda: pages.indicator_page(
            ctx.settings, code.removesuffix(".json"), db=session.database(ctx.request)
        ),
        "indicator.html",
        title_key="web.indicators.title",
        nav="indicators",
        chart_builder=charts.indicator,
        title=lambda m, lang: getattr(m.target, f"name_{lang}", None) or m.target.name_zh,  # type: ignore[attr-defined]
    )


router.add_api_route("/indicators/{code}", _indicator, methods=["GET"], name="indicator")


def _task(ctx: Ctx, code: str) -> Response:
    from carbonpeak.services.pages.plan_items import task_page

    return _answer(
        ctx,
        lambda: task_page(ctx.settings, code.removesuffix(".json"), db=session.database(ctx.request)),
        "task.html",
        title_key="web.tasks.title",
        nav="tasks",
        chart_builder=charts.task,
        title=lambda m, lang: f"{m.code} {getattr(m, f'title_{lang}')}",  # type: ignore[attr-defined]
    )


def _project(ctx: Ctx, code: str) -> Response:
    from carbonpeak.services.pages.plan_items import project_page

    return _answer(
        ctx,
        lambda: project_page(ctx.settings, code.removesuffix(".json"), db=session.database(ctx.request)),
        "project.html",
        title_key="web.projects.title",
        nav="projects",
        title=_project_title,
    )


def _project_title(m: Any, lang: str) -> str:
    """The project's name; on an English page without an English name in the plan "Project C1.1.1"
    (the Chinese name is shown below it, marked as Chinese)."""
    if lang == "zh":
        return str(m.name_zh)
    return str(m.name_en or f"{t('web.projects.name', lang)} {m.code}")


router.add_api_route("/tasks/{code}", _task, methods=["GET"], name="task")
router.add_api_route("/projects/{code}", _project, methods=["GET"], name="project")


# -- log-in ----------------------------------------------------------------------------------


class LoginPage(BaseModel):
    available: bool
    next: str
    failed: bool = False
    user: str | None = None


def _safe_next(value: str | None) -> str:
    """Only a local path may follow a log-in (no open redirect)."""
    if value and value.startswith("/") and not value.startswith("//"):
        return value
    return "/overview"


@router.get("/login.json", name="login_json")
@router.get("/login", name="login")
def login_form(ctx: Ctx, next: str | None = None) -> Response:
    model = LoginPage(
        available=session.available(ctx.request),
        next=_safe_next(next),
        user=ctx.user.username if ctx.user else None,
    )
    return render(ctx, templates, "login.html", model, title=t("web.login.title", ctx.lang), nav="login")


@router.post("/login")
def login_submit(
    ctx: Ctx,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/overview",
) -> Response:
    response = RedirectResponse(_safe_next(next), status_code=303)
    try:
        session.log_in(ctx.request, response, username, password)
    except TooManyRequests as exc:  # the page names the wait, in both languages
        if ctx.wants_json():
            return _error(ctx, exc)
        problem = Problem("login", "auth.throttle", exc.message_zh, exc.message, severity="error")
        return html_error(ctx, templates, exc.status, "web.error.title", [problem.as_dict()])
    except NotAuthenticated:
        model = LoginPage(available=session.available(ctx.request), next=_safe_next(next), failed=True)
        return render(ctx, templates, "login.html", model, title=t("web.login.title", ctx.lang), nav="login")
    remember(ctx, response)
    return response


@router.post("/logout")
def logout(ctx: Ctx, csrf_token: Annotated[str, Form()] = "") -> Response:
    if ctx.user is not None:
        try:
            session.check_csrf(ctx, csrf_token)
        except PermissionDenied as exc:
            return _error(ctx, exc)
    response = RedirectResponse("/overview", status_code=303)
    session.log_out(ctx.request, response)
    return response


def favicon(_: Request) -> RedirectResponse:
    return RedirectResponse("/static/favicon.svg", status_code=308)


router.add_api_route("/favicon.ico", favicon, methods=["GET"])
