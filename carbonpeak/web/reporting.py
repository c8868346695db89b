"""Reporting routes: the page, template download, upload with row-by-row results, submit, review.

Every action needs a signed-in user and the session's CSRF token, and calls one service of
services/rounds.py or services/submissions.py with that user as actor (which enforces the roles).
A failed upload or action shows the reporting page again with every problem listed; a successful
one redirects back to the page (POST → redirect → GET).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from carbonpeak.errors import CarbonpeakError, InputError
from carbonpeak.i18n import t
from carbonpeak.services.pages.reporting import reporting_page
from carbonpeak.validation import problem
from carbonpeak.web import session
from carbonpeak.web.context import WebContext, render
from carbonpeak.web.routes import Ctx, _error, templates

router = APIRouter(include_in_schema=False)


def _show(ctx: WebContext, **kw: Any) -> Response:
    from carbonpeak.services import report_jobs

    try:
        with session.acting_user(ctx) as (s, actor):
            jobs = report_jobs.recent() if actor.role == "office" else []
            model = reporting_page(s, actor, message=ctx.query("message"), report_jobs=jobs, **kw)
    except CarbonpeakError as exc:
        return _error(ctx, exc)
    return render(
        ctx, templates, "reporting.html", model, title=t("web.reporting.title", ctx.lang), nav="reporting"
    )


@router.get("/reporting.json", name="reporting_json")
@router.get("/reporting", name="reporting")
def reporting(ctx: Ctx) -> Response:
    return _show(ctx)


@router.get("/reporting/rounds/{round_id}/template")
def template(ctx: Ctx, round_id: int) -> Response:
    from carbonpeak.services.rounds import download_template

    try:
        with session.acting_user(ctx) as (s, actor):
            name, data = download_template(s, actor, round_id, actor.unit_code)
    except CarbonpeakError as exc:
        return _error(ctx, exc)
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


def _act(
    ctx: WebContext,
    csrf_token: str,
    action: Any,
    done_key: str,
    *,
    show: Callable[..., Response] | None = None,
) -> Response:
    """Check CSRF, run `action(session, actor)`; redirect on success (to the URL `action` returns,
    else /reporting), show the page (`show`, default the reporting page) with the problems of an
    InputError otherwise."""
    show = show or _show
    try:
        session.check_csrf(ctx, csrf_token)
        with session.acting_user(ctx) as (s, actor):
            target = action(s, actor)
            s.commit()
    except InputError as exc:
        title = exc.message_zh if ctx.lang == "zh" else exc.message
        return show(ctx, problems=[p.as_dict() for p in exc.problems], problem_title=title)
    except CarbonpeakError as exc:
        if ctx.wants_json():
            return _error(ctx, exc)
        return show(ctx, problems=[], problem_title=exc.message_zh if ctx.lang == "zh" else exc.message)
    if isinstance(target, tuple):
        target, done_key = target
    where = target if isinstance(target, str) else "/reporting"
    sep = "&" if "?" in where else "?"
    return RedirectResponse(f"{where}{sep}message={done_key}", status_code=303)


@router.post("/reporting/rounds/{round_id}/upload")
async def upload(
    ctx: Ctx, round_id: int, file: UploadFile, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    from carbonpeak.services.submissions import upload_submission

    data = await file.read(ctx.settings.max_upload_bytes + 1)
    name = file.filename or "upload.xlsx"

    def action(s: Any, actor: Any) -> tuple[str, str]:
        sub, made = upload_submission(
            s,
            actor,
            round_id=round_id,
            unit_code=actor.unit_code,
            filename=name,
            data=data,
            max_bytes=ctx.settings.max_upload_bytes,
        )
        return f"/reporting/submissions/{sub.id}", "uploaded" if made else "identical"

    # parsing and storing block: in a worker thread, never on the event loop (which serves everyone)
    return await run_in_threadpool(_act, ctx, csrf_token, action, "uploaded")


def _show_submission(ctx: WebContext, submission_id: int, **kw: Any) -> Response:
    from carbonpeak.services.pages.reporting import submission_page

    try:
        with session.acting_user(ctx) as (s, actor):
            model = submission_page(s, actor, submission_id, message=ctx.query("message"), **kw)
    except CarbonpeakError as exc:
        return _error(ctx, exc)
    title = t("web.console.submission_title", ctx.lang, id=submission_id)
    return render(ctx, templates, "submission.html", model, title=title, nav="reporting")


@router.get("/reporting/submissions/{submission_id}")
@router.get("/reporting/submissions/{submission_id}.json")
def submission_detail(ctx: Ctx, submission_id: int) -> Response:
    return _show_submission(ctx, submission_id)


@router.post("/reporting/submissions/{submission_id}/{verb}")
def review(
    ctx: Ctx,
    submission_id: int,
    verb: str,
    csrf_token: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    from carbonpeak.services import submissions

    actions = {
        "submit": lambda s, a: submissions.submit_submission(s, a, submission_id, comment=comment or None),
        "approve": lambda s, a: submissions.approve_submission(
            s, a, submission_id, comment=comment or None, allow_self_approval=ctx.settings.allow_self_approval
        ),
        "return": lambda s, a: submissions.return_submission(s, a, submission_id, comment=comment),
        "publish": lambda s, a: submissions.publish_submission(s, a, submission_id),
        "unpublish": lambda s, a: submissions.unpublish_submission(s, a, submission_id, comment=comment),
    }
    if verb not in actions:
        from carbonpeak.errors import NotFound

        return _error(ctx, NotFound(f"no action {verb!r}", message_zh="无此操作"))
    done = {
        "submit": "submitted",
        "approve": "approved",
        "return": "returned",
        "publish": "published",
        "unpublish": "unpublished",
    }[verb]
    detail = f"/reporting/submissions/{submission_id}"

    def action(s: Any, a: Any) -> str | None:
        actions[verb](s, a)
        return detail if back == "detail" else None

    show = (lambda c, **kw: _show_submission(c, submission_id, **kw)) if back == "detail" else None
    return _act(ctx, csrf_token, action, done, show=show)


@router.post("/reporting/data")
async def import_data(
    ctx: Ctx,
    file: UploadFile,
    kind: Annotated[str, Form()],
    year: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """A statistics file of a data kind (services/statistics.import_records): one draft per year."""
    from carbonpeak.services.statistics import import_records

    data = await file.read(ctx.settings.max_upload_bytes + 1)
    name = file.filename or "upload.csv"
    wanted = int(year) if year.strip().isdigit() else None

    def action(s: Any, actor: Any) -> None:
        import_records(
            s,
            actor,
            kind=kind,
            filename=name,
            data=data,
            year=wanted,
            max_bytes=ctx.settings.max_upload_bytes,
        )

    return _act(ctx, csrf_token, action, "imported")


@router.get("/reporting/submissions/{submission_id}/file")
def submission_file(ctx: Ctx, submission_id: int) -> Response:
    """The uploaded file of a version, as the reviewer checks it (roles as services/submissions)."""
    from carbonpeak.services.submissions import submission_file as read_file

    try:
        with session.acting_user(ctx) as (s, actor):
            name, data = read_file(s, actor, submission_id)
    except CarbonpeakError as exc:
        return _error(ctx, exc)
    media = (
        "text/csv"
        if name.lower().endswith(".csv")
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return Response(
        data, media_type=media, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"}
    )


# -- the office console: rounds, coverage, reports --------------------------------------------------


def _date(text: str, field: str) -> Any:
    import datetime as dt

    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"{field}: not a date",
            [problem(field, "form.date", text)],
            message_zh="日期格式有误",
        ) from None


@router.post("/reporting/rounds")
def open_round_form(
    ctx: Ctx,
    csrf_token: Annotated[str, Form()] = "",
    period: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    due_date: Annotated[str, Form()] = "",
    templates_: Annotated[list[str] | None, Form(alias="templates")] = None,
    units: Annotated[str, Form()] = "all",
) -> Response:
    from carbonpeak.services import rounds

    def action(s: Any, actor: Any) -> None:
        rounds.open_round(
            s,
            actor,
            period=period.strip(),
            title=title,
            due_date=_date(due_date, "due_date"),
            templates=templates_ or None,
            unit_codes=rounds.units_of_group(s, units),
        )

    return _act(ctx, csrf_token, action, "round_opened")


@router.get("/reporting/rounds/{round_id}")
@router.get("/reporting/rounds/{round_id}.json")
def coverage(ctx: Ctx, round_id: int) -> Response:
    from carbonpeak.services.pages.reporting import coverage_page
    from carbonpeak.services.users import require_office

    try:
        with session.acting_user(ctx) as (s, actor):
            require_office(actor)
            model = coverage_page(s, actor, round_id)
    except CarbonpeakError as exc:
        return _error(ctx, exc)
    title = t("web.console.coverage_title", ctx.lang, period=model.round.period)
    return render(ctx, templates, "coverage.html", model, title=title, nav="reporting")


def _show_form(ctx: WebContext, round_id: int, **kw: Any) -> Response:
    from carbonpeak.services.pages.reporting import form_page

    try:
        with session.acting_user(ctx) as (s, actor):
            model = form_page(s, actor, round_id, ctx.query("row"), **kw)
    except CarbonpeakError as exc:
        return _error(ctx, exc)
    return render(
        ctx,
        templates,
        "report_form.html",
        model,
        title=t("web.console.form_title", ctx.lang),
        nav="reporting",
    )


@router.get("/reporting/rounds/{round_id}/form")
def form(ctx: Ctx, round_id: int) -> Response:
    return _show_form(ctx, round_id)


@router.post("/reporting/rounds/{round_id}/form")
async def form_submit(ctx: Ctx, round_id: int) -> Response:
    from carbonpeak.services.submissions import FORM_FIELDS, form_upload

    body = await ctx.request.form()
    csrf_token = str(body.get("csrf_token") or "")
    row = str(body.get("row") or "")
    kind, _, code = row.partition(":")
    values = {k: str(body.get(k) or "") for k in FORM_FIELDS.get(kind, ()) if k in body}

    def action(s: Any, actor: Any) -> tuple[str, str]:
        sub, made = form_upload(s, actor, round_id=round_id, kind=kind, code=code, values=values)
        return f"/reporting/submissions/{sub.id}", "uploaded" if made else "identical"

    show = lambda c, **kw: _show_form(c, round_id, **kw)  # noqa: E731
    return await run_in_threadpool(_act, ctx, csrf_token, action, "uploaded", show=show)


@router.post("/reporting/reports")
def start_report(
    ctx: Ctx,
    csrf_token: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "annual",
    year: Annotated[str, Form()] = "",
    lang: Annotated[str, Form()] = "zh",
    format: Annotated[str, Form()] = "pdf",
) -> Response:
    from carbonpeak.services import report_jobs
    from carbonpeak.services.users import require_office

    def action(s: Any, actor: Any) -> str:
        require_office(actor)
        job = report_jobs.start(
            kind,
            format,
            year=int(year) if year.strip().isdigit() else 0,
            lang=lang,
            database=session.database(ctx.request),
            plan_file=ctx.settings.plan_file,
            username=actor.username,
        )
        return f"/reporting?job={job}#reports"

    return _act(ctx, csrf_token, action, "report_started")


@router.get("/reporting/reports/{job_id}")
def report_status(ctx: Ctx, job_id: int) -> Response:
    """The job's progress as a fragment the console polls (htmx), or JSON."""
    from fastapi.responses import JSONResponse

    from carbonpeak.services import report_jobs
    from carbonpeak.services.users import require_office

    try:
        with session.acting_user(ctx) as (_, actor):
            require_office(actor)
        job = report_jobs.status(job_id)
    except CarbonpeakError as exc:
        return _error(ctx, exc)
    if ctx.wants_json() or ctx.query("format") == "json":
        return JSONResponse(job)
    return templates.TemplateResponse(
        ctx.request,
        "_report_job.html",
        {"job": job, "lang": ctx.lang, "_": lambda key, **v: t(key, ctx.lang, **v)},
    )


@router.get("/reporting/reports/{job_id}/file")
def report_file(ctx: Ctx, job_id: int) -> Response:
    from carbonpeak.services import report_jobs
    from carbonpeak.services.users import require_office

    try:
        with session.acting_user(ctx) as (_, actor):
            require_office(actor)
        name, data, media = report_jobs.result(job_id)
    except CarbonpeakError as exc:
        return _error(ctx, exc)
    return Response(
        data, media_type=media, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"}
    )


# registered last: /reporting/rounds/{id}/upload and /form are matched before it
@router.post("/reporting/rounds/{round_id}/{verb}")
def round_action(
    ctx: Ctx,
    round_id: int,
    verb: str,
    csrf_token: Annotated[str, Form()] = "",
    due_date: Annotated[str, Form()] = "",
) -> Response:
    from carbonpeak.errors import NotFound
    from carbonpeak.services import rounds

    actions: dict[str, Callable[[Any, Any], object]] = {
        "close": lambda s, a: rounds.close_round(s, a, round_id),
        "extend": lambda s, a: rounds.extend_round(s, a, round_id, _date(due_date, "due_date")),
        "remind": lambda s, a: rounds.remind_round(s, a, round_id),
    }
    if verb not in actions:
        return _error(ctx, NotFound(f"no action {verb!r}", message_zh="无此操作"))

    def action(s: Any, a: Any) -> None:
        actions[verb](s, a)

    return _act(ctx, csrf_token, action, f"round_{verb}")
