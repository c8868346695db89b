"""The threads of a projection run are a setting (CARBONPEAK_THREADS → Settings.threads) passed down by
the services; no domain module reads the environment."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from carbonpeak.services import projection
from carbonpeak.settings import Settings

PACKAGE = Path(__file__).resolve().parents[2] / "carbonpeak"


def test_carbonpeak_threads_is_read_by_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARBONPEAK_THREADS", "3")
    assert Settings().threads == 3
    monkeypatch.setenv("CARBONPEAK_THREADS", "0")
    with pytest.raises(ValidationError):
        Settings()
    monkeypatch.delenv("CARBONPEAK_THREADS")
    assert Settings().threads is None


def test_only_settings_names_the_carbonpeak_variables() -> None:
    named = {
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.startswith("CARBONPEAK_")
    }
    # the CLI's new password may come from the environment (kept out of the shell history)
    assert named <= {"settings.py", "cli/user.py"}


def test_run_projection_passes_the_threads_down(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []

    def summary(*args: Any, workers: int | None = None, **kwargs: Any) -> dict[str, Any]:
        seen.append(workers)
        return {}

    monkeypatch.setattr(projection, "run_summary", summary)
    projection.run_projection("plan", draws=10, sensitivity=False, wedges=False, workers=3)
    assert seen == [3]
