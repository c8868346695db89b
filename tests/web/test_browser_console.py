"""The reporting walk in Chromium, as each role does it, in zh and en (issue: web console, Done when):
a department downloads its pre-filled template, changes one value, uploads, sees the change,
comments, submits; the office sees the value in its queue, approves, publishes from the web; the
public task list shows the new value with its period; the office generates the annual report from
the console and gets the file.

Each language walks its own server over its own fresh store (the walk publishes data)."""

from __future__ import annotations

import io
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from carbonpeak.app import create_app
from carbonpeak.settings import Settings

from .conftest import DEPARTMENT, OFFICE, _free_port, prepare_data, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def fresh_server(tmp_path) -> Iterator[str]:
    import uvicorn

    settings = Settings(data_dir=tmp_path, secret_key="test-secret")
    prepare_data(settings)
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", ws="none", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the test server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _signed_in(
    browser: Any, base: str, who: tuple[str, str], lang: str, viewport: tuple[int, int] = (1366, 900)
) -> Any:
    context = browser.new_context(
        viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/login?lang={lang}")
    page.fill("#username", who[0])
    page.fill("#password", who[1])
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    page.errors = errors  # type: ignore[attr-defined]
    return page


def _change_first_task(path: str, percent: float) -> tuple[str, bytes]:
    book = load_workbook(path)
    ws = book["任务进展"]
    for row in ws.iter_rows(min_row=4):
        if row[0].value:
            row[3].value, row[4].value = "进行中", percent
            out = io.BytesIO()
            book.save(out)
            return str(row[0].value), out.getvalue()
    raise AssertionError("the template has no task row")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_review_publish_and_generate_in_the_browser(browser, fresh_server, tmp_path, lang):
    base = fresh_server
    words = {
        "zh": {"changes": "本次变化", "submitted": "已报送", "annual": "年度进展报告"},
        "en": {
            "changes": "What this version changes",
            "submitted": "submitted",
            "annual": "Annual progress report",
        },
    }[lang]

    # -- the department ---------------------------------------------------------------------------
    dept = _signed_in(browser, base, DEPARTMENT, lang)
    dept.goto(f"{base}/reporting?lang={lang}")
    with dept.expect_download() as got:
        dept.locator("a.template-link").first.click()
    template = tmp_path / "template.xlsx"
    got.value.save_as(template)
    code, filled = _change_first_task(str(template), 95)
    upload = tmp_path / "filled.xlsx"
    upload.write_bytes(filled)
    dept.locator("input[type=file]").first.set_input_files(str(upload))
    dept.locator("form.upload button[type=submit]").first.click()
    dept.wait_for_url(re.compile(r"/reporting/submissions/\d+"))
    changes = dept.locator("#changes")
    expect(changes).to_contain_text(words["changes"])
    expect(changes).to_contain_text(code)
    expect(changes.locator(".new-value").last).to_contain_text("95")
    dept.fill("#submit-comment", "按月调度数据 / monthly dispatch figures")
    dept.locator("#submit button[type=submit]").click()
    dept.wait_for_load_state("networkidle")
    expect(dept.locator("[data-status]")).to_have_attribute("data-status", "submitted")
    expect(dept.locator("q.submit-comment")).to_contain_text("monthly dispatch figures")
    screenshot(dept, f"console-department-{lang}")
    assert dept.errors == []  # type: ignore[attr-defined]

    # -- the office -------------------------------------------------------------------------------
    office = _signed_in(browser, base, OFFICE, lang)
    office.goto(f"{base}/reporting?lang={lang}")
    row = office.locator("tr.queue-row").first
    expect(row).to_contain_text(code)
    expect(row.locator(".new-value").last).to_contain_text("95")
    expect(row.locator("a[download]")).to_have_count(1)  # the file
    row.locator("input[name=checked]").check()
    row.locator("form[action$='/approve'] button[type=submit]").click()
    office.wait_for_load_state("networkidle")
    publish = office.locator("form[action$='/publish']").first
    publish.locator("input[name=checked]").check()
    publish.locator("button[type=submit]").click()
    office.wait_for_load_state("networkidle")
    expect(office.locator("#published")).to_contain_text("v1")
    screenshot(office, f"console-office-{lang}")

    # -- the public task list shows the new value with its period ---------------------------------
    public = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    public.goto(f"{base}/tasks?lang={lang}", wait_until="networkidle")
    task_row = public.locator("tr", has_text=code).first
    expect(task_row).to_contain_text("95")
    expect(task_row).to_contain_text("2024")
    public.context.close()

    # -- the office generates the annual report from the console ----------------------------------
    office.goto(f"{base}/reporting?lang={lang}#reports")
    office.select_option("#rep-year", "2024")
    office.select_option("#rep-format", "xlsx")
    office.locator("#reports button[value=annual]").click()
    office.wait_for_load_state("networkidle")
    job = office.locator("li.report-job").first
    expect(job).to_contain_text(words["annual"])
    expect(job).to_have_attribute("data-state", "done", timeout=180_000)
    with office.expect_download() as got:
        job.locator("a.report-file").click()
    report = tmp_path / "annual.xlsx"
    got.value.save_as(report)
    assert load_workbook(report).sheetnames  # a real workbook
    screenshot(office, f"console-report-{lang}")
    assert office.errors == []  # type: ignore[attr-defined]
    dept.context.close()
    office.context.close()


# elements of the page's content (main) reaching beyond the screen, outside a scrolling table box.
# The header and its navigation are the site's layout (tests/web/test_browser.py), not these pages'.
WIDE = """
() => Array.from(document.querySelectorAll('main *'))
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-wrap'))
  .slice(0, 6).map(e => `${e.tagName}.${e.className}#${e.id}:${Math.round(e.getBoundingClientRect().right)}`)
"""


def test_console_pages_fit_a_phone(browser, fresh_server, tmp_path):
    """The reporter's and the office's pages at 390 px: no content wider than the screen (tables
    scroll inside their own box)."""
    base = fresh_server
    dept = _signed_in(browser, base, DEPARTMENT, "zh", viewport=(390, 844))
    dept.goto(f"{base}/reporting")
    with dept.expect_download() as got:
        dept.locator("a.template-link").first.click()
    template = tmp_path / "template.xlsx"
    got.value.save_as(template)
    _, filled = _change_first_task(str(template), 50)
    upload = tmp_path / "filled.xlsx"
    upload.write_bytes(filled)
    dept.locator("input[type=file]").first.set_input_files(str(upload))
    dept.locator("form.upload button[type=submit]").first.click()
    dept.wait_for_url(re.compile(r"/reporting/submissions/\d+"))
    detail = dept.url.split("?")[0]
    dept.locator("#submit button[type=submit]").click()
    dept.wait_for_load_state("networkidle")
    dept.goto(f"{base}/reporting", wait_until="networkidle")
    round_id = re.search(r"/reporting/rounds/(\d+)/form", dept.content()).group(1)
    office = _signed_in(browser, base, OFFICE, "en", viewport=(390, 844))
    for page, path in (
        (dept, "/reporting"),
        (dept, detail.replace(base, "")),
        (dept, f"/reporting/rounds/{round_id}/form"),
        (office, "/reporting?lang=en"),
        (office, detail.replace(base, "") + "?lang=en"),
        (office, f"/reporting/rounds/{round_id}?lang=en"),
    ):
        page.goto(base + path, wait_until="networkidle")
        wide = page.evaluate(WIDE)
        assert wide == [], f"{path}: content wider than the phone: {wide}"
    screenshot(office, "console-office-phone")
    dept.context.close()
    office.context.close()
