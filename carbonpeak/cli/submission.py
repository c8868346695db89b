"""`carbonpeak submission submit | approve | return | publish | list`: the review workflow of progress
reports and data records from the command line (the same services as the API and the web)."""

from __future__ import annotations

from typing import Annotated

import typer

from carbonpeak.cli.options import Actor, Format, ListFormat, acting, command_group, emit_listing
from carbonpeak.cli.options import settings as cli_settings

Comment = Annotated[str | None, typer.Option(help="comment (required to return)")]


def register(app: typer.Typer) -> None:
    group = command_group(app, "submission", "Review workflow: submit, approve, return, publish. 审核流程。")

    def _act(action: str, submission_id: int, actor: str, comment: str | None) -> None:
        from carbonpeak.services import submissions as s

        with acting(actor) as (session, user):
            if action == "submit":
                sub = s.submit_submission(session, user, submission_id, comment=comment)
            elif action == "approve":
                sub = s.approve_submission(
                    session,
                    user,
                    submission_id,
                    comment=comment,
                    allow_self_approval=cli_settings().allow_self_approval,
                )
            elif action == "return":
                sub = s.return_submission(session, user, submission_id, comment=comment or "")
            else:
                sub = s.publish_submission(session, user, submission_id)
            session.commit()
            typer.echo(f"submission {sub.id}: {sub.status}")

    @group.command("submit")
    def submit(submission_id: int, actor: Actor, comment: Comment = None) -> None:
        """Submit a draft for review. 报送。"""
        _act("submit", submission_id, actor, comment)

    @group.command("approve")
    def approve(submission_id: int, actor: Actor, comment: Comment = None) -> None:
        """Approve a submitted version (office). 审核通过。"""
        _act("approve", submission_id, actor, comment)

    @group.command("return")
    def return_(submission_id: int, actor: Actor, comment: Comment = None) -> None:
        """Return a submitted version with a reason (office). 退回。"""
        _act("return", submission_id, actor, comment)

    @group.command("publish")
    def publish(submission_id: int, actor: Actor) -> None:
        """Publish an approved version (office). 发布。"""
        _act("publish", submission_id, actor, None)

    @group.command("list")
    def list_(
        actor: Actor,
        status: Annotated[str | None, typer.Option(help="only this status")] = None,
        fmt: ListFormat = Format.table,
    ) -> None:
        """List submissions the user may see. 列出报送。"""
        from carbonpeak.services.submissions import list_submissions
        from carbonpeak.services.users import user_named

        emit_listing(
            fmt,
            lambda session: list_submissions(session, user_named(session, actor), status=status),
            lambda s: {
                "id": s.id,
                "round": s.round_id,
                "kind": s.dataset or "report",
                "year": s.year,
                "unit": s.unit_code,
                "version": s.version,
                "status": s.status,
                "file": s.filename,
            },
        )
