"""Every page in Chromium, in both languages: no console error, no failed request, every chart drawn.

A chart counts as drawn when its canvas holds more than a few hundred non-transparent pixels
(read back with getImageData). A screenshot of each page goes to test-output/screenshots/.
"""

from __future__ import annotations

import contextlib

import pytest
from playwright.sync_api import expect

from carbonpeak.services.plan import current_plan

from .conftest import screenshot

pytestmark = pytest.mark.browser

FIRST_TARGET = current_plan().targets[0].code
PAGES = [
    "/overview",
    "/inventory",
    "/indicators",
    f"/indicators/{FIRST_TARGET}",
    "/projection",
    "/decomposition",
    "/tasks",
    "/projects",
    "/login",
]

# pixels of each chart canvas that are not transparent (ECharts draws on a transparent canvas)
DRAWN_PIXELS = """
el => Array.from(el.querySelectorAll('canvas')).reduce((n, c) => {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let k = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) k++;
  return n + k;
}, 0)
"""


def _slug(path: str) -> str:
    return path.strip("/").replace("/", "-") or "home"


def check_page(page, log, name: str) -> int:
    """Assert the page is clean and every chart drawn; returns the number of charts."""
    charts = page.locator("[data-chart]")
    count = charts.count()
    for i in range(count):
        el = charts.nth(i)
        # a chart swapped in by htmx is drawn after the network goes idle: wait for it (a loaded
        # machine needs a moment), then fail with its name
        with contextlib.suppress(AssertionError):
            expect(el).to_have_attribute("data-drawn", "1", timeout=15_000)
        assert el.get_attribute("data-drawn") == "1", f"chart {el.get_attribute('id')} was not initialised"
        pixels = el.evaluate(DRAWN_PIXELS)
        assert pixels > 200, f"chart {el.get_attribute('id')} looks blank ({pixels} drawn pixels)"
    screenshot(page, name)
    assert log.problems() == [], log.problems()
    return count


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_page_is_clean_and_charts_are_drawn(open_page, path, lang):
    page, log = open_page(f"{path}?lang={lang}")
    assert page.locator("html").get_attribute("lang") == ("zh-CN" if lang == "zh" else "en")
    assert page.locator("h1").inner_text().strip()
    nav = page.locator(".site-nav")
    assert ("总览" if lang == "zh" else "Overview") in nav.inner_text()
    check_page(page, log, f"{_slug(path)}-{lang}")


def test_plan_pages_draw_their_charts(open_page):
    """Tasks and projects come from the plan alone: their charts must be there, not an empty state."""
    page, log = open_page("/tasks")
    assert check_page(page, log, "tasks-charts") >= 1
    assert page.locator("section.programme").count() == len(current_plan().programmes)
    page, log = open_page("/projects")
    assert check_page(page, log, "projects-charts") >= 2


def test_language_switch_is_remembered(open_page, live_server):
    page, log = open_page("/tasks")
    assert "任务" in page.locator("h1").inner_text()
    page.get_by_role("link", name="EN", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "Key tasks" in page.locator("h1").inner_text()
    page.goto(live_server + "/projects", wait_until="networkidle")  # the cookie keeps English
    assert page.locator("h1").inner_text().strip() == "Key projects"
    assert log.problems() == []


def test_keyboard_skip_link_and_focus(open_page):
    page, log = open_page("/overview")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.keyboard.press("Tab")
    tag = page.evaluate("document.activeElement.tagName")
    assert tag in {"A", "BUTTON", "SELECT", "INPUT"}
    # the focus ring is visible (an outline, not `outline: none`)
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    assert log.problems() == []


@pytest.mark.parametrize("path", ["/overview", "/tasks", "/projects"])
def test_phone_width_has_no_sideways_scroll(open_page, path):
    page, log = open_page(path, viewport=(390, 844))
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{path} is {overflow}px wider than the phone"
    check_page(page, log, f"{_slug(path)}-phone")


def test_project_filter_through_htmx(open_page):
    page, log = open_page("/projects")
    total = page.locator("tbody tr").count()
    category = page.locator("#f-category option").nth(1).get_attribute("value")
    page.select_option("#f-category", category)
    page.wait_for_url(f"**category={category}**")
    page.wait_for_load_state("networkidle")
    assert page.locator("tbody tr").count() < total
    check_page(page, log, "projects-filtered")


def _log_in(page, live_server, who) -> None:
    page.goto(live_server + "/login", wait_until="networkidle")
    page.fill("#username", who[0])
    page.fill("#password", who[1])
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_reporting_needs_log_in_and_shows_for_users(open_page, live_server, accounts):
    page, log = open_page("/reporting")
    assert "/login" in page.url  # anonymous users are sent to log in
    _log_in(page, live_server, ("nobody", "wrong-password"))
    assert page.locator("p.error").count() == 1
    for who in (accounts["department"], accounts["office"]):
        _log_in(page, live_server, who)
        page.goto(live_server + "/reporting", wait_until="networkidle")
        assert page.url.endswith("/reporting")
        assert who[0] in page.locator(".who").inner_text() or who[0] in page.locator("main").inner_text()
        check_page(page, log, f"reporting-{who[0]}")
        page.get_by_role("button", name="退出").click()
        page.wait_for_load_state("networkidle")
    assert log.problems() == []


def test_hypothetical_project_form(open_page):
    page, log = open_page("/projection")
    page.select_option("select[name=p_sector]", "chemicals")
    page.fill("input[name=p_coal]", "50")
    page.click("#project-effect button[type=submit]")
    page.wait_for_url("**p_coal=50**")
    page.wait_for_load_state("networkidle")
    assert page.locator("#project-effect table tbody tr").count() == 3
    check_page(page, log, "projection-project-effect")
