"""The reporting flow end to end in Chromium: a department downloads its template, uploads it with
a mistake, sees the problem row by row, fixes it, uploads again and submits; the office approves."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from carbonpeak.collection import layout as L

from .conftest import screenshot

pytestmark = pytest.mark.browser


def _log_in(page, live_server, who) -> None:
    page.goto(live_server + "/login", wait_until="networkidle")
    page.fill("#username", who[0])
    page.fill("#password", who[1])
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state("networkidle")


def _filled(template: bytes, *, first_percent: float) -> bytes:
    """The template with every task row reported in progress; the first row's percent as given."""
    wb = load_workbook(io.BytesIO(template))
    ws = wb[L.TASKS]
    status_col = L.column_index(L.TASKS, "status") + 1
    percent_col = L.column_index(L.TASKS, "percent") + 1
    narrative_col = L.column_index(L.TASKS, "narrative") + 1
    row = L.FIRST_DATA_ROW
    filled = 0
    while ws.cell(row=row, column=1).value:
        ws.cell(row=row, column=status_col, value="进行中")
        ws.cell(row=row, column=percent_col, value=first_percent if filled == 0 else 40)
        ws.cell(row=row, column=narrative_col, value="按计划推进")
        filled += 1
        row += 1
    assert filled > 0, "the template holds no task rows"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(page, data: bytes, tmp_path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    page.set_input_files("form.upload input[type=file]", str(path))
    page.click("form.upload button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_department_reports_and_office_approves(browser, live_server, accounts, tmp_path):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: r.status >= 400 and errors.append(f"HTTP {r.status} {r.url}"))
    try:
        _log_in(page, live_server, accounts["department"])
        page.goto(live_server + "/reporting", wait_until="networkidle")
        with page.expect_download() as info:
            page.get_by_role("link", name="下载模板").first.click()
        template = (info.value.path()).read_bytes()
        assert template[:2] == b"PK"  # an xlsx file

        _upload(page, _filled(template, first_percent=150), tmp_path, "wrong.xlsx")
        problems = page.locator("table.problems tbody tr")
        assert problems.count() >= 1
        assert "150" in problems.first.inner_text()
        screenshot(page, "reporting-upload-errors")
        assert page.locator("td .sub-draft").count() == 0  # nothing was saved

        _upload(page, _filled(template, first_percent=60), tmp_path, "fixed.xlsx")
        assert page.locator("p.note.ok").count() == 1
        page.locator("form[action$='/submit'] button").first.click()
        page.wait_for_load_state("networkidle")
        assert page.locator(".sub-submitted").count() == 1
        screenshot(page, "reporting-submitted")
        page.get_by_role("button", name="退出").click()
        page.wait_for_load_state("networkidle")

        _log_in(page, live_server, accounts["office"])
        page.goto(live_server + "/reporting", wait_until="networkidle")
        page.locator("form[action$='/approve'] input[name=checked]").first.check()  # 已核对数据
        page.locator("form[action$='/approve'] button").first.click()
        page.wait_for_load_state("networkidle")
        assert page.locator(".sub-approved").count() == 1
        screenshot(page, "reporting-approved")
        # and publishes it from the web, confirming first
        page.locator("form[action$='/publish'] input[name=checked]").first.check()
        page.locator("form[action$='/publish'] button").first.click()
        page.wait_for_load_state("networkidle")
        assert page.locator(".sub-published").count() == 1
    finally:
        context.close()
    assert errors == []
