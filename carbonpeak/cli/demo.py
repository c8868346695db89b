"""`carbonpeak demo load | build`: the Jinan demo data set (carbonpeak/demo/README.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carbonpeak.cli.options import command_group
from carbonpeak.cli.options import settings as cli_settings
from carbonpeak.cli.output import console, print_table, progress_bar


def register(app: typer.Typer) -> None:
    group = command_group(app, "demo", "The Jinan demo data set. 示例数据。")

    @group.command("load")
    def load(
        reset_passwords: Annotated[
            bool, typer.Option("--reset-passwords", help="give the existing demo users new passwords")
        ] = False,
    ) -> None:
        """Create one user per role and load the sample reports through the upload workflow. 加载示例数据。"""
        from carbonpeak.errors import NotFound
        from carbonpeak.plan.load import load_plan
        from carbonpeak.services.demo import load_demo
        from carbonpeak.services.init import current_plan_version, init_database, stored_plan
        from carbonpeak.store.db import Database
        from carbonpeak.store.migrate import upgrade

        settings = cli_settings()
        db = Database.from_settings(settings)
        out = console()
        try:
            upgrade(db.engine)
            with db.session() as session:
                try:
                    current_plan_version(session)
                    initialised = True
                except NotFound:
                    initialised = False
            if not initialised:  # make `demo load` self-sufficient: run `init` first
                path = settings.plan_file
                result = init_database(db, load_plan(path), source_file=str(path))
                out.print(f"init: plan {result.plan_code} loaded as version {result.plan_version}")
            with db.session() as session:
                plan = stored_plan(session)
            with progress_bar("示例数据 / demo") as bar:
                task = bar.add_task("units", total=None)
                loaded = load_demo(
                    db,
                    plan,
                    reset_passwords=reset_passwords,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
        finally:
            db.dispose()

        if loaded.already_loaded:
            out.print("demo data already loaded: nothing added (示例数据已加载，未重复添加)")
        else:
            out.print(
                f"loaded rounds {', '.join(loaded.rounds)}: {loaded.published} sample submissions of "
                f"{len(loaded.units)} units and {loaded.data_records} statistics records (energy balance, "
                f"GDP, population, indicators) published in {loaded.seconds:.1f} s"
            )
        if loaded.projects_not_in_templates:
            out.print(
                f"{len(loaded.projects_not_in_templates)} key projects of project-status.csv are in no "
                "unit's template and were not loaded (see carbonpeak/demo/README.md)"
            )
        print_table(
            [
                {
                    "username": u.username,
                    "role": u.role,
                    "unit": u.unit_code,
                    "password": u.password or "(exists / 已存在)",
                }
                for u in loaded.users
            ],
            ["username", "role", "unit", "password"],
            title="demo users / 示例用户",
        )
        if any(u.password for u in loaded.users):
            out.print(
                "[bold]The passwords are shown only now and are not stored anywhere; note them.[/] "
                "密码仅显示这一次，不会保存，请记下。"
            )
        else:
            out.print(
                "The users exist and keep their passwords; "
                "`carbonpeak demo load --reset-passwords` sets new ones."
            )

    @group.command("build")
    def build(
        out: Annotated[
            Path | None, typer.Option("--out", help="directory to write into (default: the packaged data/)")
        ] = None,
    ) -> None:
        """Rebuild the estimated balance and 原料用能 and the sample progress files. 重建示例数据文件。"""
        from carbonpeak.demo import build as demo_build
        from carbonpeak.demo import samples
        from carbonpeak.errors import InputError
        from carbonpeak.plan.load import load_plan
        from carbonpeak.validation import problem

        directory = out or demo_build.DATA_DIR
        if directory.exists() and not directory.is_dir():
            raise InputError(
                f"{directory} is not a directory",
                [problem("--out", "demo.out", str(directory))],
            )
        directory.mkdir(parents=True, exist_ok=True)
        balance = demo_build.write_balance(directory / "energy-balance.csv")
        assessment = demo_build.write_assessment(directory / "assessment.csv")
        samples.write_samples(load_plan(), directory)
        for path in (balance, assessment, directory / "task-progress.csv", directory / "project-status.csv"):
            lines = len(path.read_text(encoding="utf-8").splitlines()) - 1
            typer.echo(f"wrote {path} ({lines} rows)")
