"""Fixtures of the page tests: the app served by uvicorn on a free port, and Debian's Chromium.

The server runs in a background thread over a temporary data directory. The browser is Debian's
`/usr/bin/chromium` driven by Playwright (its own browser download does not work here); tests
that need it are marked `browser` and skip, outside CI only, when Chromium is not installed.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from carbonpeak.app import create_app
from carbonpeak.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


OFFICE = ("office_user", "office-password-1")
DEPARTMENT = ("dept_user", "department-password-1")


def prepare_data(settings: Settings) -> dict[str, str]:
    """Create the database with the plan, two users (the office, a department) and an open reporting
    round of task progress for the department's unit; returns the two users' units."""
    from carbonpeak.services import rounds, users
    from carbonpeak.services.init import init_database
    from carbonpeak.services.plan import current_plan
    from carbonpeak.store.db import Database

    plan = current_plan(settings.plan_file)
    db = Database.from_settings(settings)
    try:
        init_database(db, plan)
        office_unit = plan.programmes[0].tasks[0].lead_units[0]
        dept_unit = next(u for t in plan.tasks() for u in t.lead_units if u != office_unit)
        with db.session() as s:
            office = users.create_user(
                s, username=OFFICE[0], password=OFFICE[1], role="office", unit_code=office_unit
            )
            users.create_user(
                s, username=DEPARTMENT[0], password=DEPARTMENT[1], role="department", unit_code=dept_unit
            )
            rounds.open_round(
                s,
                office,
                period="2024",
                title="2024年度任务进展",
                due_date=dt.date(2025, 3, 31),
                unit_codes=[dept_unit],
                templates=["task"],
            )
            s.commit()
    finally:
        db.dispose()
    return {"office_unit": office_unit, "department_unit": dept_unit}


@pytest.fixture(scope="session")
def web_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(data_dir=tmp_path_factory.mktemp("web-data"), secret_key="test-secret")
    prepare_data(settings)
    return settings


@pytest.fixture(scope="session")
def live_server(web_settings: Settings) -> Iterator[str]:
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(
        create_app(web_settings), host="127.0.0.1", port=port, log_level="warning", ws="none", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing: run scripts/install-system.sh")
        pytest.skip("Debian chromium is not installed (scripts/install-system.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class PageLog:
    """Everything a page should not do: console errors, uncaught exceptions, failed requests."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return [*self.console_errors, *self.page_errors, *self.failed_requests]


@pytest.fixture
def open_page(browser: Any, live_server: str) -> Iterator[Any]:
    """`open_page(path, viewport=…) -> (page, log)`: a fresh context per call, watched for errors."""
    contexts: list[Any] = []

    def _failed(request: Any) -> bool:
        """A request that failed, not one the browser itself gave up: the favicon's fetch is aborted
        (net::ERR_ABORTED) when the test moves on before it ends, which a loaded machine makes
        likely; an answer >= 400 is caught by the response listener either way."""
        return not (request.url.endswith("/favicon.svg") and "ERR_ABORTED" in str(request.failure))

    def _open(
        path: str, *, viewport: tuple[int, int] = (1366, 768), cookies: list[dict[str, Any]] | None = None
    ):
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN")
        if cookies:
            context.add_cookies(cookies)
        contexts.append(context)
        page = context.new_page()
        log = PageLog()
        page.on("console", lambda m: m.type == "error" and log.console_errors.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: log.page_errors.append(f"pageerror: {e}"))
        page.on(
            "requestfailed",
            lambda r: _failed(r) and log.failed_requests.append(f"failed: {r.url} {r.failure}"),
        )
        page.on(
            "response",
            lambda r: r.status >= 400 and log.failed_requests.append(f"HTTP {r.status}: {r.url}"),
        )
        page.goto(live_server + path, wait_until="networkidle")
        return page, log

    yield _open
    for c in contexts:
        c.close()


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="session")
def accounts() -> dict[str, tuple[str, str]]:
    """User name and password of the office user and the department user of the test database."""
    return {"office": OFFICE, "department": DEPARTMENT}
