"""The command line's answers when something is not right yet: a database not initialised, a port
taken, a bad date; and its exit codes (docs/cli.md, "Exit codes")."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer.main
import yaml

from carbonpeak.cli import build_app, exit_code, main
from carbonpeak.errors import (
    Conflict,
    InputError,
    IntegrityError,
    NotAuthenticated,
    NotFound,
    NotInitialised,
    PermissionDenied,
)

ROOT = Path(__file__).resolve().parents[1]

# The commands of docs/cli.md that read or write the database (with the options that make them).
NEEDS_DB = {
    "carbonpeak round open": ["round", "open", "2024", "--due", "2025-03-31", "--as", "office"],
    "carbonpeak round list": ["round", "list"],
    "carbonpeak user add": ["user", "add", "alice", "--role", "office", "--unit", "office"],
    "carbonpeak user list": ["user", "list"],
    "carbonpeak user token": ["user", "token", "alice"],
    "carbonpeak audit verify": ["audit", "verify"],
    "carbonpeak audit list": ["audit", "list"],
    "carbonpeak indicators": ["indicators", "--store"],
    "carbonpeak dispatch": ["dispatch", "--inputs", "store"],
    "carbonpeak evaluate": ["evaluate", "--inputs", "store"],
    "carbonpeak report annual": ["report", "annual", "--inputs", "store"],
    "carbonpeak report assessment": ["report", "assessment", "--inputs", "store"],
    "carbonpeak report midterm": ["report", "midterm", "--inputs", "store"],
    "carbonpeak report summary": [
        "report",
        "summary",
        "--kind",
        "annual",
        "--year",
        "2024",
        "--section",
        "problems",
        "--zh",
        "甲",
        "--en",
        "A",
        "--as",
        "office",
    ],
    "carbonpeak report dispatch": ["report", "dispatch", "--inputs", "store"],
    "carbonpeak audit export-head": ["audit", "export-head"],
    "carbonpeak backup": ["backup", "somewhere"],
    "carbonpeak data import": ["data", "import", "gdp", __file__, "--as", "office"],
    "carbonpeak data list": ["data", "list"],
    "carbonpeak data export": ["data", "export", "gdp"],
    "carbonpeak submission submit": ["submission", "submit", "1", "--as", "office"],
    "carbonpeak submission approve": ["submission", "approve", "1", "--as", "office"],
    "carbonpeak submission return": ["submission", "return", "1", "--as", "office", "--comment", "x"],
    "carbonpeak submission publish": ["submission", "publish", "1", "--as", "office"],
    "carbonpeak submission list": ["submission", "list", "--as", "office"],
    "carbonpeak budget": ["budget", "--year", "2025", "--store"],
    "carbonpeak budget-notice": ["budget-notice", "--year", "2025", "--store"],
    "carbonpeak assess-project": [
        "assess-project",
        str(ROOT / "carbonpeak/budget/data/sample-project.yaml"),
        "--store",
    ],
    "carbonpeak budget-rules": [
        "budget-rules",
        str(ROOT / "carbonpeak/budget/data/rules.yaml"),
        "--as",
        "office",
    ],
    "carbonpeak project-decision": [
        "project-decision",
        str(ROOT / "carbonpeak/budget/data/sample-project.yaml"),
        "--decision",
        "approve",
        "--reason",
        "x",
        "--as",
        "office",
    ],
    "carbonpeak metering ingest": ["metering", "ingest", __file__],
    "carbonpeak metering quality": ["metering", "quality", "--month", "2025-06"],
    "carbonpeak metering subscribe": ["metering", "subscribe", "--seconds", "1"],
    "carbonpeak metering aggregate": ["metering", "aggregate", "--month", "2025-06"],
    "carbonpeak metering publish": ["metering", "publish", "--month", "2025-06", "--as", "office"],
}
# init and demo load create the database; serve answers 503 page by page; the rest never open it.
CREATES_OR_NO_DB = {
    "carbonpeak init",
    "carbonpeak demo load",
    "carbonpeak demo build",
    "carbonpeak serve",
    "carbonpeak plan validate",
    "carbonpeak plan show",
    "carbonpeak plan export",
    "carbonpeak inventory",
    "carbonpeak factors export",
    "carbonpeak project",
    "carbonpeak decompose",
    "carbonpeak balance",
    "carbonpeak restore",
    "carbonpeak data template",
    # without --store: the packaged demo files (with --store they need the database, as indicators)
    "carbonpeak enterprise grades",
    "carbonpeak enterprise account",
    "carbonpeak enterprise reconcile",
    "carbonpeak enterprise ets",
    "carbonpeak enterprise check-uscc",
    "carbonpeak metering simulate",
    "carbonpeak metering compact",
}


def _paths(cmd, prefix: str = "carbonpeak") -> list[str]:
    if getattr(cmd, "commands", None):
        return [p for name, sub in cmd.commands.items() for p in _paths(sub, f"{prefix} {name}")]
    return [prefix]


def test_every_command_is_sorted_into_needs_the_database_or_not():
    assert sorted(_paths(typer.main.get_command(build_app()))) == sorted({*NEEDS_DB, *CREATES_OR_NO_DB})


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("CARBONPEAK_DATABASE_URL", raising=False)
    monkeypatch.setenv("CARBONPEAK_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("CARBONPEAK_NEW_PASSWORD", "long enough pw")
    return tmp_path / "var"


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(argv)
        code = 0
    except SystemExit as stop:
        code = int(stop.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name", sorted(NEEDS_DB))
def test_before_init_one_line_naming_init_exit_2_and_no_file(name, data_dir, capsys):
    code, out, err = _run(NEEDS_DB[name], capsys)
    assert code == 2, err
    assert err.strip().count("\n") == 0, err  # one line
    assert "carbonpeak init" in err and "数据库尚未初始化" in err and "Traceback" not in err
    assert out == ""
    assert not data_dir.exists()  # no empty database, not even its folder


def test_an_empty_file_or_an_older_schema_also_names_init(data_dir, capsys):
    data_dir.mkdir()
    db = data_dir / "carbonpeak.db"
    db.touch()
    code, _, err = _run(["user", "list"], capsys)
    assert code == 2 and "carbonpeak init" in err and "not initialised" in err
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        conn.execute("INSERT INTO alembic_version VALUES ('0000_older')")
    code, _, err = _run(["user", "list"], capsys)
    assert code == 2 and "older schema" in err and "carbonpeak init" in err and "升级" in err


def test_after_init_the_same_commands_work_and_user_errors_exit_2(tmp_path, data_dir, tiny_plan, capsys):
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(
        yaml.safe_dump(tiny_plan.model_dump(mode="json", exclude_defaults=True), allow_unicode=True),
        encoding="utf-8",
    )
    assert _run(["init", "--plan", str(plan_file)], capsys)[0] == 0
    assert _run(["user", "add", "alice", "--role", "office", "--unit", "office"], capsys)[0] == 0
    code, out, _ = _run(["user", "list", "--format", "csv"], capsys)
    assert code == 0 and "alice,office,office" in out
    code, _, err = _run(["user", "token", "nobody"], capsys)  # an unknown name: the user's to fix
    assert code == 2 and "nobody" in err
    code, _, err = _run(["round", "open", "2024", "--due", "2025-13-01", "--as", "alice"], capsys)
    assert code == 2 and "--due" in err and "YYYY-MM-DD" in err and "Traceback" not in err
    code, out, _ = _run(["round", "open", "2024", "--due", "2025-03-01", "--as", "alice"], capsys)
    assert code == 0 and "round 1" in out


def test_exit_codes_follow_docs_cli_md():
    user_errors = [
        InputError("x"),
        NotFound("x"),
        NotInitialised(),
        PermissionDenied("x"),
        NotAuthenticated("x"),
    ]
    assert [exit_code(e) for e in user_errors] == [2] * 5
    assert [exit_code(e) for e in (Conflict("x"), IntegrityError("x"))] == [1, 1]
    table = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8").split("## Exit codes", 1)[1]
    assert "| 2 | a user error" in table and "carbonpeak init" in table.split("\n## ", 1)[0]


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_taken_port_is_a_user_error_with_a_hint_in_the_form_typed(taken_port, data_dir, capsys):
    hint = ["--hint", "make run PORT={port}"]
    code, out, err = _run(["serve", "--check-port", "--port", str(taken_port), *hint], capsys)
    assert code == 2 and out == ""
    assert f"127.0.0.1:{taken_port}" in err and "make run PORT=" in err and "Traceback" not in err
    suggested = int(err.split("make run PORT=")[1].split()[0].rstrip(")"))
    assert suggested != taken_port
    with socket.socket() as probe:  # the suggested port is free
        probe.bind(("127.0.0.1", suggested))
    code, _, err = _run(["serve", "--port", str(taken_port)], capsys)  # without --hint: the command's form
    assert code == 2 and "carbonpeak serve --port " in err
    assert not data_dir.exists()
    assert _run(["serve", "--check-port", "--port", str(_free_port())], capsys)[0] == 0


def test_make_run_checks_the_port_before_init(taken_port, tmp_path):
    """`make run` on a taken port stops before `carbonpeak init`: nothing is created, the hint is make's.
    (`-o env RUN=`: the run recipe alone, with this environment's carbonpeak; the environment is not
    touched.)"""
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "CARBONPEAK_DATA_DIR": str(tmp_path / "var"),
    }
    env.pop("CARBONPEAK_DATABASE_URL", None)
    r = subprocess.run(
        ["make", "-o", "env", "run", f"PORT={taken_port}", "RUN="],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode != 0
    assert "make run PORT=" in r.stderr, r.stderr
    assert "carbonpeak init" not in r.stdout  # make echoes each command it reaches
    assert not (tmp_path / "var").exists()


def test_serve_prints_its_address_only_once_the_port_accepts(tmp_path):
    port = _free_port()
    env = {**os.environ, "CARBONPEAK_DATA_DIR": str(tmp_path / "var")}
    env.pop("CARBONPEAK_DATABASE_URL", None)
    with subprocess.Popen(
        [sys.executable, "-m", "carbonpeak", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()  # blocks until the address is printed
            assert f"http://127.0.0.1:{port}/" in line, line
            with socket.create_connection(("127.0.0.1", port), timeout=1):  # no retry: it must answer now
                pass
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_command_table_matches_the_modules():
    """`carbonpeak --help` lists COMMANDS without importing the modules: the table must say what they
    register (name, module, help, command or group)."""
    import importlib
    import pkgutil

    import carbonpeak.cli as cli

    found: dict[str, tuple[str, str, str]] = {}
    for info in pkgutil.iter_modules(cli.__path__):
        if info.name in {"output", "options"} or info.name.startswith("_"):
            continue
        lone = typer.Typer()
        importlib.import_module(f"carbonpeak.cli.{info.name}").register(lone)
        for name, cmd in typer.main.get_group(lone).commands.items():
            kind = "group" if isinstance(cmd, typer.main.TyperGroup) else "command"
            found[name] = (info.name, cmd.help or "", kind)
    assert found == cli.COMMANDS


@pytest.mark.parametrize(
    ("argv", "absent"),
    [
        (["--help"], {"numpy", "sqlalchemy", "carbonpeak.plan.schema", "carbonpeak.cli.plan"}),
        (["plan", "show"], {"numpy", "sqlalchemy", "carbonpeak.cli.indicators"}),
    ],
)
def test_a_command_imports_only_what_it_runs(argv, absent):
    code = (
        "import sys\nfrom carbonpeak.cli import main\n"
        f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m in " + repr(absent) + "))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_help_lists_every_command_with_its_help(capsys):
    main(["--help"])
    out = capsys.readouterr().out
    full = typer.main.get_command(build_app())
    assert isinstance(full, typer.main.TyperGroup)
    for name in full.commands:
        assert name in out


def test_every_format_option_is_the_one_shared_definition_and_refuses_unknown_values():
    """One `--format` definition (carbonpeak/cli/options.py); every command that has the option
    refuses a value it does not produce (exit 2, naming the value), before doing any work."""
    from carbonpeak.cli.options import Format

    root = typer.main.get_command(build_app())
    lines: list[list[str]] = []

    def walk(command, path: list[str]) -> None:  # typer's vendored click: duck-typed
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                walk(sub, [*path, name])
        elif any("--format" in p.opts for p in command.params):
            lines.append(path)

    walk(root, [])
    assert len(lines) >= 12
    for path in lines:
        option = next(p for p in root_command(root, path).params if "--format" in p.opts)
        assert option.callback is not None and option.callback.__qualname__.startswith("format_option"), path
        assert Format(option.default) in Format, path
        code = subprocess.run(
            [sys.executable, "-m", "carbonpeak", *path, "--format", "bogus"], capture_output=True, text=True
        )
        assert code.returncode == 2 and "bogus" in code.stderr, (path, code.stderr)


def root_command(root, path):
    command = root
    for name in path:
        command = command.commands[name]
    return command
