"""Site-wide answers (carbonpeak/web/site.py): the 404 page, HEAD, the API's documentation offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from carbonpeak.app import create_app
from carbonpeak.settings import Settings
from carbonpeak.web.assets import STATIC_DIR


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    return TestClient(create_app(Settings(data_dir=tmp_path_factory.mktemp("site"))))


@pytest.mark.parametrize(
    ("lang", "text"), [("zh", "未找到该页面"), ("en", "The page or record was not found")]
)
def test_unknown_page_answers_the_sites_own_404_page(client: TestClient, lang: str, text: str) -> None:
    r = client.get(f"/no-such-page?lang={lang}", headers={"accept": "text/html"})
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert text in r.text
    assert 'class="site-nav"' in r.text and 'href="/overview"' in r.text  # the site's frame, a way back


@pytest.mark.parametrize("path", ["/api/no-such-thing", "/no-such-page.json", "/no-such-page?format=json"])
def test_unknown_api_path_or_twin_answers_json(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    body = r.json()
    assert body["error"] == "NotFound"
    assert "no-such" in body["message"] and "没有页面或记录" in body["message_zh"]


def test_other_http_errors_keep_their_status(client: TestClient) -> None:
    assert client.post("/overview").status_code == 405


@pytest.mark.parametrize(
    ("path", "status"), [("/", 307), ("/tasks", 200), ("/api/health", 200), ("/nope", 404)]
)
def test_head_answers_as_get_without_a_body(client: TestClient, path: str, status: int) -> None:
    got = client.get(path, follow_redirects=False)
    head = client.head(path, follow_redirects=False)
    assert head.status_code == got.status_code == status
    assert head.content == b""
    assert head.headers.get("content-type") == got.headers.get("content-type")
    assert head.headers.get("content-length") == got.headers.get("content-length")


def test_api_docs_use_only_vendored_files(client: TestClient) -> None:
    r = client.get("/api/docs")
    assert r.status_code == 200
    html = r.text
    assert "http://" not in html and "https://" not in html  # no CDN, no outside favicon
    assert "'/api/openapi.json'" in html and '"validatorUrl": null' in html
    for asset in (
        "/static/vendor/swagger-ui-bundle.js",
        "/static/vendor/swagger-ui.css",
        "/static/favicon.svg",
    ):
        assert asset in html
        served = client.get(asset)
        assert served.status_code == 200, asset
        assert served.content == (STATIC_DIR / asset.removeprefix("/static/")).read_bytes()
    assert client.get("/api/openapi.json").json()["info"]["title"] == "carbonpeak"


def test_the_openapi_path_is_the_one_docs_cli_names() -> None:
    cli_md = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text(encoding="utf-8")
    assert "`/api/openapi.json`" in cli_md and "`/api/docs`" in cli_md


@pytest.mark.browser
def test_api_docs_render_in_chromium_with_every_outside_request_refused(browser, live_server: str) -> None:
    context = browser.new_context()
    outside: list[str] = []

    def _only_local(route) -> None:
        if route.request.url.startswith(live_server):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", _only_local)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: "Content Security Policy" in m.text and errors.append(m.text))
    try:
        page.goto(live_server + "/api/docs", wait_until="networkidle")
        page.locator(".swagger-ui .info .title").wait_for(timeout=15_000)
        assert "carbonpeak" in page.locator(".swagger-ui .info .title").inner_text()
        assert page.locator(".opblock").count() > 10  # the operations of /api/openapi.json
    finally:
        context.close()
    assert outside == [] and errors == []


@pytest.mark.parametrize(
    "path", ["/overview", "/overview.json", "/api/health", "/api/openapi.json", "/static/js/app.js", "/nope"]
)
def test_every_answer_carries_the_security_headers(client: TestClient, path: str) -> None:
    from carbonpeak.web.site import CSP, SECURITY_HEADERS

    r = client.get(path)
    for name, value in SECURITY_HEADERS.items():
        assert r.headers[name] == value, (path, name)
    assert r.headers["content-security-policy"] == CSP
    assert "script-src 'self';" in CSP and "frame-ancestors 'none'" in CSP and "unsafe-eval" not in CSP


def test_api_docs_csp_allows_exactly_its_own_inline_script(client: TestClient) -> None:
    import base64
    import hashlib
    import re

    r = client.get("/api/docs")
    (inline,) = re.findall(r"<script>(.*?)</script>", r.text, flags=re.S)
    digest = base64.b64encode(hashlib.sha256(inline.encode()).digest()).decode()
    policy = r.headers["content-security-policy"]
    assert f"script-src 'self' 'sha256-{digest}';" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
