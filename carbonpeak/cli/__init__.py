"""The `carbonpeak` command line (Typer).

Each module of this package adds its commands by defining `register(app: typer.Typer) -> None`;
they are found here, so an area's commands live beside nothing else. Commands are thin: parse
options, call one service, print. Errors of carbonpeak.errors are printed (with every problem
listed) and end the command with the exit code of `exit_code` (docs/cli.md, "Exit codes"); no
traceback.

Start-up: `main` imports only the module of the command named on the line (COMMANDS says which);
`carbonpeak --help` lists COMMANDS without importing any command module. `build_app()` registers
every module (tests, docs); tests/test_cli.py keeps COMMANDS equal to what the modules register.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from typing import Any

import typer

from carbonpeak.cli.output import print_error
from carbonpeak.errors import (
    CarbonpeakError,
    InputError,
    NotAuthenticated,
    NotFound,
    NotInitialised,
    PermissionDenied,
)

_APP_SETTINGS: dict[str, Any] = {
    "name": "carbonpeak",
    "help": "carbonpeak: 城市碳达峰工作方案管理平台 / a platform that runs a city's carbon-peak work plan.",
    "no_args_is_help": True,
    "pretty_exceptions_enable": False,
    "add_completion": False,
}
app = typer.Typer(**_APP_SETTINGS)

_loaded = False

# command name -> (module of this package that registers it, its help, "command" or "group").
# Kept equal to the modules by tests/test_cli.py::test_command_table_matches_the_modules.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "backup": (
        "backup",
        "Back up the database (consistent, while serving), keys, files and audit head. 备份。",
        "command",
    ),
    "restore": (
        "backup",
        "Restore a backup into an empty data folder and verify its audit chain. 恢复。",
        "command",
    ),
    "decompose": (
        "decompose",
        "碳排放变化因素分解 / LMDI-I decomposition of the change in CO2 emissions.",
        "command",
    ),
    "dispatch": (
        "dispatch",
        "Lagging tasks, lagging units, overdue reports and stale projects. 调度清单。",
        "command",
    ),
    "evaluate": (
        "evaluate",
        "Annual evaluation: score, grade and rank districts and departments. 年度评价。",
        "command",
    ),
    "balance": ("evaluate", "Balance check (综合平衡) of district plans against the city plan.", "command"),
    "indicators": (
        "indicators",
        "目标进展 / progress, pace and status of every target of the plan.",
        "command",
    ),
    "init": (
        "init",
        "Create the database and load the plan; a changed plan becomes a new version. 初始化数据库。",
        "command",
    ),
    "inventory": ("inventory", "温室气体清单 / compute the CO2 inventory of an energy balance.", "command"),
    "project": (
        "project",
        "项目碳达峰预测 / Project a scenario: probability of peaking by 2030, bands, targets, wedges.",
        "command",
    ),
    "serve": ("serve", "Serve the pages and the API on the configured database. 启动网页平台。", "command"),
    "audit": ("audit", "The append-only audit log. 审计日志。", "group"),
    "data": ("data", "Statistics as data (能源平衡表, GDP, population …). 统计数据。", "group"),
    "demo": ("demo", "The Jinan demo data set. 示例数据。", "group"),
    "factors": ("inventory", "排放因子库 / the emission-factor library.", "group"),
    "plan": ("plan", "工作方案 / the carbon-peak work plan as data.", "group"),
    "report": ("report", "Reports. 报告（年度进展、终期评估、调度通报）。", "group"),
    "round": ("round", "Reporting rounds. 填报轮次。", "group"),
    "submission": ("submission", "Review workflow: submit, approve, return, publish. 审核流程。", "group"),
    "user": ("user", "Users, roles and API tokens. 用户、角色与令牌。", "group"),
    "enterprise": ("enterprise", "企业碳账户与碳效评价 / enterprise carbon accounts and grades.", "group"),
    "budget": (
        "budget",
        "碳预算与预警 / Carbon budget, year-to-date execution, warning level and probability.",
        "command",
    ),
    "assess-project": (
        "budget",
        "项目碳评 / Carbon assessment of a project: each test with its result and source.",
        "command",
    ),
    "budget-rules": (
        "budget",
        "Make FILE the office's carbon-budget rules (checked, audited). 设定碳预算规则。",
        "command",
    ),
    "project-decision": (
        "budget",
        "Record the office's decision on a project and its reason (audited). 记录审查结论。",
        "command",
    ),
    "budget-notice": (
        "budget",
        "碳排放预算执行预警通报 / The monthly warning notice of the carbon budget.",
        "command",
    ),
    "metering": ("metering", "Online energy monitoring of key units. 重点用能单位能耗在线监测。", "group"),
}

# What the person typing can fix (the input, a name, the role, running `carbonpeak init`): exit 2.
USER_ERRORS = (InputError, NotFound, NotInitialised, PermissionDenied, NotAuthenticated)


def exit_code(exc: CarbonpeakError) -> int:
    """2 for a user error (USER_ERRORS), 1 for a state the command found wrong (Conflict,
    IntegrityError …)."""
    return 2 if isinstance(exc, USER_ERRORS) else 1


def build_app() -> typer.Typer:
    """The Typer app with every area's commands registered (idempotent)."""
    global _loaded
    if not _loaded:
        app.callback()(_no_options)
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
            if info.name in {"output", "options"} or info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{__name__}.{info.name}")
            register = getattr(module, "register", None)
            if register is not None:
                register(app)
        _loaded = True
    return app


def _command_named(argv: list[str]) -> str | None:
    """The command the line names (the first word that is not an option), if any."""
    return next((a for a in argv if not a.startswith("-")), None)


def _app_for(argv: list[str]) -> typer.Typer:
    """An app holding only what this command line needs: the named command's module; for no command
    (or --help) stand-ins carrying COMMANDS' help; for a name COMMANDS does not know, every module."""
    name = _command_named(argv)
    if name in COMMANDS:
        lean = typer.Typer(**_APP_SETTINGS)
        lean.callback()(_no_options)  # a group even when the module registers a single command
        importlib.import_module(f"{__name__}.{COMMANDS[name][0]}").register(lean)
        return lean
    if name is not None:
        return build_app()
    listing = typer.Typer(**_APP_SETTINGS)
    for command, (_module, help_text, kind) in COMMANDS.items():
        if kind == "group":
            listing.add_typer(typer.Typer(help=help_text), name=command)
        else:
            listing.command(command, help=help_text)(_stand_in)
    return listing


def _no_options() -> None:
    """No options of its own. Runs before every command: one Settings per command run, read from
    the environment as it is now (tests change it between runs in one process)."""
    from carbonpeak.settings import current

    current.cache_clear()


def _stand_in() -> None:  # pragma: no cover - never run: a named command loads its real module
    raise RuntimeError("stand-in command run")


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `carbonpeak` script."""
    cli = _app_for(sys.argv[1:] if argv is None else argv)
    try:
        cli(args=argv, standalone_mode=False)
    except CarbonpeakError as exc:
        print_error(exc)
        sys.exit(exit_code(exc))
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except SystemExit:
        raise
    except Exception as exc:  # click's usage errors come through here in non-standalone mode
        import click

        # Typer >= 0.29 vendors its own click (typer._click): its exceptions are not click's
        from typer._click.exceptions import ClickException as TyperClickException

        if isinstance(exc, click.exceptions.ClickException | TyperClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Abort | typer.Abort):
            sys.exit(130)
        raise
