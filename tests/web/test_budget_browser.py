"""The carbon-budget page in Chromium for a signed-in user, on a desktop and a 390 px phone: no
console error, both charts drawn, no sideways scrolling of the page."""

from __future__ import annotations

import pytest

from .test_browser import _log_in, check_page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [(1366, 768), (390, 844)])
def test_budget_page_draws_its_charts(open_page, live_server, accounts, viewport):
    page, log = open_page("/login", viewport=viewport)
    _log_in(page, live_server, accounts["office"])
    page.goto(live_server + "/budget?year=2026", wait_until="networkidle")
    assert page.url.endswith("/budget?year=2026")
    assert check_page(page, log, f"budget-{viewport[0]}") == 2
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport[0] + 1, f"the page scrolls sideways ({width} px)"
