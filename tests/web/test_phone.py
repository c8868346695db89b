"""Every public page at phone width (390 × 844) in Chromium, zh and en: the document never scrolls
sideways (wide tables scroll inside their own box or collapse into labelled rows) and the header
stays compact."""

from __future__ import annotations

import pytest

from carbonpeak.services.plan import current_plan

pytestmark = pytest.mark.browser

PLAN = current_plan()
PAGES = [
    "/overview",
    "/inventory",
    "/indicators",
    *(f"/indicators/{t.code}" for t in PLAN.targets[:4]),
    "/projection",
    "/decomposition",
    "/tasks",
    f"/tasks/{PLAN.tasks()[0].code}",
    "/projects",
    f"/projects/{PLAN.key_projects[0].code}",
    f"/lineage?figure={PLAN.targets[0].code}",
    "/lineage?figure=total_co2",
    "/login",
    "/no-such-page",
]
HEADER_MAX = 110  # px: the brand and the language switch on one line, the menu (scrolling) on the next

# the elements wider than the window, for the failure message
WIDE = """
() => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(e => !e.closest('.table-wrap, .site-nav ul, .chart'))
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))
"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_page_scrolls_sideways_on_a_phone(open_page, lang):
    wide = {}
    for path in PAGES:
        sep = "&" if "?" in path else "?"
        page, log = open_page(f"{path}{sep}lang={lang}", viewport=(390, 844))
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 1:
            wide[path] = (overflow, page.evaluate(WIDE))
        if path != "/no-such-page":  # its 404 is the answer asked for
            assert log.problems() == [], (path, log.problems())
        header = page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height")
        assert header <= HEADER_MAX, f"{path}: the header is {header:.0f}px tall on a phone"
        page.context.close()
    assert not wide, wide
