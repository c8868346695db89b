"""The `carbonpeak` command line (Typer).

Each module of this package adds its commands by defining `register(app: typer.Typer) -> None`;
they are found here, so an area's commands live beside nothing else. Commands are thin: parse
options, call one service, print. Errors of carbonpeak.errors are printed (with every problem
listed) and end the command with the exit code of `exit_code` (docs/cli.md, "Exit codes"); no
traceback.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

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

app = typer.Typer(
    name="carbonpeak",
    help="carbonpeak: 城市碳达峰工作方案管理平台 / a platform that runs a city's carbon-peak work plan.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

_loaded = False

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
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
            if info.name in {"output"} or info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{__name__}.{info.name}")
            register = getattr(module, "register", None)
            if register is not None:
                register(app)
        _loaded = True
    return app


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `carbonpeak` script."""
    cli = build_app()
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
