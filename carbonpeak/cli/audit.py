"""`carbonpeak audit verify | export-head | list`: check the keyed hash chain of the audit log against
the last exported head; export the head outside the database; show recent entries."""

from __future__ import annotations

from typing import Annotated

import typer

from carbonpeak.cli.options import Format, ListFormat, command_group, emit_listing
from carbonpeak.cli.options import settings as cli_settings
from carbonpeak.store.db import open_session


def register(app: typer.Typer) -> None:
    group = command_group(app, "audit", "The append-only audit log. 审计日志。")

    @group.command("verify")
    def verify() -> None:
        """Recompute the keyed hash chain and compare it with the last exported head; exit 1 naming
        every edited, deleted or rewritten entry. 校验审计日志。"""
        from carbonpeak.services.audit import read_anchor, verify_chain
        from carbonpeak.store.models import AuditHead

        settings = cli_settings()
        anchor = read_anchor(settings.resolved_audit_head_file())
        with open_session(settings) as session:
            faults = verify_chain(session, anchor=anchor)
            head = session.get(AuditHead, 1)
        if faults:
            for f in faults:
                typer.echo(f"audit entry {f.seq}: {f.rule}: {f.message}", err=True)
            typer.echo(f"审计日志被篡改 / audit log broken: {len(faults)} fault(s)", err=True)
            raise typer.Exit(1)
        against = (
            f"; matches the head exported at {anchor.exported_at}" if anchor else "; no exported head yet"
        )
        typer.echo(f"审计日志完整 / audit log intact: {head.seq if head else 0} entries{against}")

    @group.command("export-head")
    def export_head(
        to: Annotated[
            str | None, typer.Option(help="file to write (default: CARBONPEAK_AUDIT_HEAD_FILE)")
        ] = None,
    ) -> None:
        """Write the chain head (seq, hash, MAC) to a file outside the database; run it on a schedule
        and keep copies off the server. 导出审计日志链头。"""
        from pathlib import Path

        from carbonpeak.services.audit import export_head as export
        from carbonpeak.services.audit import write_anchor

        settings = cli_settings()
        with open_session(settings) as session:
            anchor = export(session)
        path = Path(to) if to else settings.resolved_audit_head_file()
        write_anchor(anchor, path)
        typer.echo(f"{path}: seq {anchor.seq} {anchor.hash}")

    @group.command("list")
    def list_(
        limit: Annotated[int, typer.Option(help="newest entries to show")] = 50,
        fmt: ListFormat = Format.table,
    ) -> None:
        """Show the newest audit entries. 查看审计日志。"""
        from carbonpeak.services.audit import list_entries

        emit_listing(
            fmt,
            lambda session: list_entries(session, limit=limit),
            lambda e: {
                "seq": e.seq,
                "at": e.at,
                "user": e.username,
                "action": e.action,
                "object": f"{e.object_type}:{e.object_id}",
            },
        )
