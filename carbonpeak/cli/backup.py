"""`carbonpeak backup DEST` and `carbonpeak restore SRC`: online backup of the data folder, restore
into an empty one (carbonpeak/services/backup.py; docs/operations.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carbonpeak.cli.options import settings as cli_settings


def register(app: typer.Typer) -> None:
    @app.command("backup")
    def backup(dest: Annotated[Path, typer.Argument(help="a new or empty folder")]) -> None:
        """Back up the database (consistent, while serving), keys, files and audit head. 备份。"""
        from carbonpeak.services.backup import make_backup

        result = make_backup(cli_settings(), dest)
        typer.echo(
            f"备份完成 / backed up: {result.path} ({result.database}, {result.files} files, "
            f"audit seq {result.audit_seq})"
        )

    @app.command("restore")
    def restore(src: Annotated[Path, typer.Argument(help="a folder written by `carbonpeak backup`")]) -> None:
        """Restore a backup into an empty data folder and verify its audit chain. 恢复。"""
        from carbonpeak.services.backup import restore_backup

        result = restore_backup(cli_settings(), src)
        typer.echo(
            f"恢复完成 / restored: {result.path} ({result.database}, audit intact to seq {result.audit_seq})"
        )
