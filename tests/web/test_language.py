"""Every public page in one language: a crawl of every public page in zh and en finds no text of the
other script outside names and quotes.

A name or quote in the other language is marked in the page with its own `lang` attribute (the
plan's Chinese text on an English page is `<blockquote lang="zh-CN">`, the language switch's
中文 is `lang="zh-CN"`); what such an element holds is skipped. On an English page no other Han
character may appear. On a Chinese page a Latin word may appear only if it is a code, a unit, a
file name or one of the proper names in ALLOWED_LATIN below.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import ClassVar

import pytest
from fastapi.testclient import TestClient

from carbonpeak.app import create_app
from carbonpeak.services.plan import current_plan

PLAN = current_plan()
PAGES = [
    "/overview",
    "/inventory",
    "/indicators",
    *(f"/indicators/{t.code}" for t in PLAN.targets),
    "/projection",
    "/decomposition",
    "/tasks",
    *(f"/tasks/{t.code}" for t in PLAN.tasks()[:6]),
    "/projects",
    *(f"/projects/{p.code}" for p in PLAN.key_projects[::20]),
    f"/lineage?figure={PLAN.targets[0].code}",
    "/lineage?figure=total_co2",
    "/login",
    "/no-such-page",
]
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.\-/#]*")
# proper names, units and abbreviations a Chinese reader meets as they are
ALLOWED_LATIN = {
    "JSON",
    "CSV",
    "Excel",
    "EN",
    "GDP",
    "CO2",
    "CO₂",
    "tCO2",
    "MtCO2",
    "tce",
    "kW",
    "MW",
    "GW",
    "kWh",
    "MWh",
    "GWh",
    "TWh",
    "kV",
    "km",
    "m",
    "t",
    "h",
    "a",
    "PM2.5",
    "LMDI",
    "Kaya",
    "IPCC",
    "CEADs",
    "ECharts",
    "htmx",
    "Monte",
    "Carlo",
    "P5",
    "P25",
    "P50",
    "P75",
    "P95",
    "p5",
    "p95",
    "tCO2/万元",
    "tce/万元",
    "CCUS",
    "BRT",
    "LNG",
    "IDC",
    "AI",
    "AIRSAT",
    "GB",
    "ID",
    "kJ",
    "kg",
    "TJ",
    "NCV",
    "C",
    "O",
    "F",
    "kgCO2",
    "m2",
    "m3",
    "T",
    "Wh",
    "W",
    "V",
}
CODE = re.compile(
    r"^(?:[A-Z]\d+(?:\.[A-Z]?\d+)*|[a-z0-9]+(?:_[a-z0-9]+)+|[\w.\-]+\.(?:xlsx|csv|yaml|json|md|py)(?:#[\w\-]+)?"
    r"|docs/[\w/.\-#]+|carbonpeak/[\w/.\-#]+|v\d+|\d+\w*|[A-Z][A-Z0-9_\-]+|[0-9a-f]{8,})$"
)


def _allowed(word: str) -> bool:
    """A code, or a unit made of allowed pieces (MW/400MWh, kJ/kg)."""
    if word in ALLOWED_LATIN or CODE.match(word):
        return True
    pieces = re.findall(r"[A-Za-z]+\d*", word)
    return bool(pieces) and all(p in ALLOWED_LATIN or re.fullmatch(r"[kMGT]?Wh?|[kMGT]?W", p) for p in pieces)


class _Text(HTMLParser):
    """The text a reader sees, with the elements marked as another language left out."""

    VOID: ClassVar[set[str]] = {
        "br",
        "img",
        "input",
        "meta",
        "link",
        "hr",
        "source",
        "wbr",
        "area",
        "col",
        "base",
    }

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.chunks: list[str] = []

    def _skipping(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        a = dict(attrs)
        other = a.get("lang") is not None and not a["lang"].startswith(self.lang)
        self.stack.append((tag, other or tag in ("script", "style", "code")))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if not self._skipping() and data.strip():
            self.chunks.append(data.strip())


def visible_text(html: str, lang: str) -> list[str]:
    body = html.split("<body", 1)[1]
    parser = _Text(lang)
    parser.feed("<body" + body)
    return parser.chunks


def other_script(chunks: list[str], lang: str) -> list[str]:
    found = []
    for text in chunks:
        if lang == "en":
            if HAN.search(text):
                found.append(text)
        else:
            words = [w.strip(".-/") for w in LATIN_WORD.findall(text)]
            bad = [w for w in words if w and not _allowed(w)]
            if bad:
                found.append(f"{text!r}: {bad}")
    return found


@pytest.fixture(scope="module")
def client(demo_settings):
    with TestClient(create_app(demo_settings)) as c:
        yield c


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_public_page_is_in_one_language(client, lang):
    problems = {}
    for path in PAGES:
        sep = "&" if "?" in path else "?"
        r = client.get(f"{path}{sep}lang={lang}")
        assert r.status_code in (200, 404), path
        found = other_script(visible_text(r.text, lang), lang)
        if found:
            problems[path] = found[:5]
    assert not problems, "\n".join(f"{p}: {v}" for p, v in problems.items())


def test_the_check_finds_the_other_script():
    assert other_script(
        visible_text('<body><p>Progress 进展</p><p lang="zh-CN">原文</p></body>', "en"), "en"
    ) == ["Progress 进展"]
    assert other_script(
        visible_text("<body><p>来源: database approved</p><p>P1.T1 MW</p></body>", "zh"), "zh"
    )
    assert not other_script(visible_text("<body><p>P1.T1 100MW demo-2024-x.xlsx</p></body>", "zh"), "zh")
