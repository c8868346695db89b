"""The pages of signed-in users at phone width (390 × 844) in Chromium, zh and en: the office's
console, round, budget, enterprise and monitoring pages and the department's reporting page never
scroll sideways, and the header (with the longer menu of a signed-in user) stays compact."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.test_phone import HEADER_MAX, WIDE

pytestmark = pytest.mark.browser

OFFICE_PAGES = [
    "/overview",
    "/reporting",
    "/reporting/rounds/1",
    "/budget",
    "/enterprises",
    "/metering",
    "/tasks",
    "/indicators",
]
DEPARTMENT_PAGES = ["/reporting", "/reporting/rounds/1/form", "/overview", "/tasks"]


def _signed_in(browser: Any, base: str, who: tuple[str, str]) -> Any:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#username", who[0])
    page.fill("#password", who[1])
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    return page


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(("role", "paths"), [("office", OFFICE_PAGES), ("department", DEPARTMENT_PAGES)])
def test_no_signed_in_page_scrolls_sideways_on_a_phone(browser, live_server, accounts, lang, role, paths):
    page = _signed_in(browser, live_server, accounts[role])
    wide, tall = {}, {}
    try:
        for path in paths:
            sep = "&" if "?" in path else "?"
            answer = page.goto(f"{live_server}{path}{sep}lang={lang}", wait_until="networkidle")
            assert answer is not None and answer.status == 200, (path, answer and answer.status)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 1:
                wide[path] = (overflow, page.evaluate(WIDE))
            header = page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height")
            if header > HEADER_MAX:
                tall[path] = round(header)
    finally:
        page.context.close()
    assert not wide, wide
    assert not tall, f"the header is taller than {HEADER_MAX}px: {tall}"
