"""`carbonpeak audit verify | list`: check the hash chain of the audit log; show recent entries."""

from __future__ import annotations

from typing import Annotated

import typer

from carbonpeak.cli.output import FORMATS, emit
from carbonpeak.store.db import open_session


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="The append-only audit log. 审计日志。", no_args_is_help=True)
    app.add_typer(group, name="audit")

    @group.command("verify")
    def verify() -> None:
        """Recompute the hash chain; exit 1 naming every edited or deleted entry. 校验审计日志。"""
        from carbonpeak.services.audit import verify_chain
        from carbonpeak.store.models import AuditHead

        with open_session() as session:
            faults = verify_chain(session)
            head = session.get(AuditHead, 1)
        if faults:
            for f in faults:
                typer.echo(f"audit entry {f.seq}: {f.rule}: {f.message}", err=True)
            typer.echo(f"审计日志被篡改 / audit log broken: {len(faults)} fault(s)", err=True)
            raise typer.Exit(1)
        typer.echo(f"审计日志完整 / audit log intact: {head.seq if head else 0} entries")

    @group.command("list")
    def list_(
        limit: Annotated[int, typer.Option(help="newest entries to show")] = 50,
        fmt: Annotated[str, typer.Option("--format", help="/".join(FORMATS))] = "table",
    ) -> None:
        """Show the newest audit entries. 查看审计日志。"""
        from carbonpeak.services.audit import list_entries

        with open_session() as session:
            rows = [
                {
                    "seq": e.seq,
                    "at": e.at,
                    "user": e.username,
                    "action": e.action,
                    "object": f"{e.object_type}:{e.object_id}",
                }
                for e in list_entries(session, limit=limit)
            ]
        emit(rows, fmt)
