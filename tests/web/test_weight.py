"""Weight of a first visit: static files with content-hash URLs, a year's cache and gzip; ECharts only
on pages with charts; every public page, in both languages, transfers under 500 KB on a first visit
(the page and every script, style sheet and icon it names, as a browser receives them)."""

from __future__ import annotations

import gzip
import re

import pytest
from fastapi.testclient import TestClient

from carbonpeak.app import create_app
from carbonpeak.services.plan import current_plan
from carbonpeak.web.assets import LONG_CACHE

FIRST_VISIT_LIMIT = 500 * 1024
PLAN = current_plan()
PUBLIC = [
    "/overview",
    "/inventory",
    "/indicators",
    f"/indicators/{PLAN.targets[0].code}",
    "/projection",
    "/decomposition",
    "/tasks",
    f"/tasks/{PLAN.tasks()[0].code}",
    "/projects",
    f"/projects/{PLAN.key_projects[0].code}",
    f"/lineage?figure={PLAN.targets[0].code}",
    "/login",
]
ASSET = re.compile(r'(?:src|href)="(/static/[^"]+)"')
GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture(scope="module")
def client(web_settings):
    with TestClient(create_app(web_settings)) as c:
        yield c


def _wire_bytes(client: TestClient, url: str) -> tuple[int, str]:
    """(bytes on the wire, decoded text) of `url` for a client accepting gzip."""
    with client.stream("GET", url, headers=GZIP) as r:
        assert r.status_code == 200, url
        raw = b"".join(r.iter_raw())
        encoded = r.headers.get("content-encoding") == "gzip"
    body = gzip.decompress(raw) if encoded else raw
    return len(raw), body.decode("utf-8", "replace")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("path", PUBLIC)
def test_first_visit_transfers_under_500_kb(client, path, lang):
    sep = "&" if "?" in path else "?"
    total, html = _wire_bytes(client, f"{path}{sep}lang={lang}")
    assets = sorted(set(ASSET.findall(html)))
    assert any("/js/app.js" in a for a in assets)
    for url in assets:
        total += _wire_bytes(client, url)[0]
    assert total < FIRST_VISIT_LIMIT, f"{path}: {total / 1024:.0f} KB on a first visit ({assets})"
    # ECharts only where there is a chart
    has_chart = "data-chart=" in html
    assert any("echarts" in a for a in assets) == has_chart, path


def test_assets_have_content_hash_urls_a_long_cache_and_gzip(client):
    html = client.get("/overview").text
    (echarts,) = [a for a in ASSET.findall(html) if "echarts" in a]
    assert re.fullmatch(r"/static/h/[0-9a-f]{12}/vendor/echarts\.min\.js", echarts)
    r = client.get(echarts, headers=GZIP)
    assert r.headers["cache-control"] == LONG_CACHE
    assert r.headers["content-encoding"] == "gzip" and r.headers["vary"] == "Accept-Encoding"
    assert int(r.headers["content-length"]) < 450_000 < len(r.content)  # 1.1 MB sent as ~0.37 MB
    # without gzip: the plain file; the plain URL and a stale hash are revalidated, not cached a year
    plain = client.get("/static/vendor/echarts.min.js", headers={"Accept-Encoding": "identity"})
    assert plain.content == r.content and "content-encoding" not in plain.headers
    assert plain.headers["cache-control"] == "no-cache"
    stale = client.get("/static/h/000000000000/vendor/echarts.min.js")
    assert stale.status_code == 200 and stale.headers["cache-control"] == "no-cache"
    again = client.get(echarts, headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert client.get("/static/h/x/../../app.py").status_code == 404
    assert client.get("/static/nothing.js").status_code == 404


def test_pages_are_sent_compressed(client):
    with client.stream("GET", "/projects", headers=GZIP) as r:
        raw = b"".join(r.iter_raw())
        assert r.headers["content-encoding"] == "gzip"
    assert len(raw) * 3 < len(gzip.decompress(raw))
