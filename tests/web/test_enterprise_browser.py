"""The enterprise pages in Chromium: signed in as the office, the league tables and an enterprise's
account draw their charts, show no console error and fit a 390 px phone."""

from __future__ import annotations

import pytest

from .conftest import screenshot
from .test_browser import check_page

pytestmark = pytest.mark.browser


def _signed_in(open_page, accounts, viewport):
    page, log = open_page("/login", viewport=viewport)
    page.fill("#username", accounts["office"][0])
    page.fill("#password", accounts["office"][1])
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page, log


@pytest.mark.parametrize("viewport", [(1366, 768), (390, 844)])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_enterprise_pages_draw_and_fit(open_page, live_server, accounts, viewport, lang):
    page, log = _signed_in(open_page, accounts, viewport)
    page.goto(f"{live_server}/enterprises?lang={lang}", wait_until="networkidle")
    assert page.locator("#high-carbon table").count() == 1
    assert check_page(page, log, f"enterprises-{lang}-{viewport[0]}") >= 1
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"/enterprises is {overflow}px wider than the window"
    page.locator("#high-carbon table a").first.click()
    page.wait_for_load_state("networkidle")
    assert check_page(page, log, f"enterprise-{lang}-{viewport[0]}") >= 2
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{page.url} is {overflow}px wider than the window"
    screenshot(page, f"enterprise-{lang}-{viewport[0]}-done")
