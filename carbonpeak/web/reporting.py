"""Reporting routes: the page, template download, upload with row-by-row results, submit, review.

Every action needs a signed-in user and the session's CSRF token, and calls one service of
services/rounds.py or services/submissions.py with that user as actor (which enforces the roles).
A failed upload or action shows the reporting page again with every problem listed; a successful
one redirects back to the page (POST → redirect → GET).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from carbonpeak.errors import CarbonpeakError, InputError
from carbonpeak.i18n import t
from carbonpeak.services.pages.reporting import reporting_page
from carbonpeak.web import session
from carbonpeak.web.context import WebContext, render
from carbonpeak.web.routes import Ctx, _error, templates

router = APIRouter(include_in_schema=False)


def _show(ctx: WebContext, **kw: Any) -> Response:
    try:
        with session.acting_user(ctx) as (s, actor):
            model = reporting_page(s, actor, message=ctx.query("message"), **kw)
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


def _act(ctx: WebContext, csrf_token: str, action: Any, done_key: str) -> Response:
    """Check CSRF, run `action(session, actor)`; redirect on success, show the page with the problems
    of an InputError otherwise."""
    try:
        session.check_csrf(ctx, csrf_token)
        with session.acting_user(ctx) as (s, actor):
            action(s, actor)
            s.commit()
    except InputError as exc:
        title = exc.message_zh if ctx.lang == "zh" else exc.message
        return _show(ctx, problems=[p.as_dict() for p in exc.problems], problem_title=title)
    except CarbonpeakError as exc:
        if ctx.wants_json():
            return _error(ctx, exc)
        return _show(ctx, problems=[], problem_title=exc.message_zh if ctx.lang == "zh" else exc.message)
    return RedirectResponse(f"/reporting?message={done_key}", status_code=303)


@router.post("/reporting/rounds/{round_id}/upload")
async def upload(
    ctx: Ctx, round_id: int, file: UploadFile, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    from carbonpeak.services.submissions import import_submission

    data = await file.read(ctx.settings.max_upload_bytes + 1)
    name = file.filename or "upload.xlsx"

    def action(s: Any, actor: Any) -> None:
        import_submission(
            s,
            actor,
            round_id=round_id,
            unit_code=actor.unit_code,
            filename=name,
            data=data,
            max_bytes=ctx.settings.max_upload_bytes,
        )

    # parsing and storing block: in a worker thread, never on the event loop (which serves everyone)
    return await run_in_threadpool(_act, ctx, csrf_token, action, "uploaded")


@router.post("/reporting/submissions/{submission_id}/{verb}")
def review(
    ctx: Ctx,
    submission_id: int,
    verb: str,
    csrf_token: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
) -> Response:
    from carbonpeak.services import submissions

    actions = {
        "submit": lambda s, a: submissions.submit_submission(s, a, submission_id, comment=comment or None),
        "approve": lambda s, a: submissions.approve_submission(
            s, a, submission_id, comment=comment or None, allow_self_approval=ctx.settings.allow_self_approval
        ),
        "return": lambda s, a: submissions.return_submission(s, a, submission_id, comment=comment),
        "publish": lambda s, a: submissions.publish_submission(s, a, submission_id),
    }
    if verb not in actions:
        from carbonpeak.errors import NotFound

        return _error(ctx, NotFound(f"no action {verb!r}", message_zh="无此操作"))
    done = {"submit": "submitted", "approve": "approved", "return": "returned", "publish": "published"}[verb]
    return _act(ctx, csrf_token, actions[verb], done)


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
