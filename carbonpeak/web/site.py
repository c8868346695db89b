"""Answers for the whole site, beside the pages: the 404 page, HEAD, the API's own documentation.

- A path that matches no route answers the site's 404 page (HTML, in the visitor's language), or the
  API's JSON error for /api/… and a JSON twin (`.json`, `?format=json`).
- HEAD is answered for every GET route: the GET answer's status and headers, without its body.
- /api/docs is Swagger UI from static/vendor/ (swagger-ui-dist 5.35.0 from npm) on /api/openapi.json:
  nothing comes from a CDN, it works offline; the validator badge (a call to an outside server) is off.
- GET, HEAD and OPTIONS requests only read (ReadOnlyRequests: store.db.reading()).
- Answers of 1 kB or more are gzip-compressed for clients that accept it (GZipMiddleware).
- Security headers on every answer (pages, JSON, API, static files): SECURITY_HEADERS and the
  Content-Security-Policy CSP — scripts only from this site (no inline script; the ECharts options are
  JSON data blocks, which CSP does not run), inline styles allowed (the templates' width bars and
  ECharts' own element styles), no framing. /api/docs' one inline script is allowed by its SHA-256.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from carbonpeak.errors import NotFound

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

DOCS_PATH = "/api/docs"
OPENAPI_PATH = "/api/openapi.json"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def install_site(app: FastAPI) -> None:
    """Add the 404 answer, HEAD and the offline API documentation to `app`."""

    @app.exception_handler(StarletteHTTPException)
    async def _not_found(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code != 404:
            return await http_exception_handler(request, exc)
        return not_found(request)

    @app.get(DOCS_PATH, include_in_schema=False)
    def api_docs() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url=OPENAPI_PATH,
            title="carbonpeak API",
            swagger_js_url="/static/vendor/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
            swagger_ui_parameters={"validatorUrl": None},
        )
        page.headers["Content-Security-Policy"] = csp_allowing_inline_scripts(bytes(page.body))
        return page

    from starlette.middleware.gzip import GZipMiddleware

    # answers of 1 kB or more gzip-compressed for clients that accept it (static files come
    # compressed already, web/assets.py); inside HeadAsGet, so HEAD has GET's headers
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    app.add_middleware(ReadOnlyRequests)
    app.add_middleware(HeadAsGet)
    app.add_middleware(SecurityHeaders)


def csp_allowing_inline_scripts(html: bytes) -> str:
    """CSP with the SHA-256 of each inline <script> of `html` added to script-src (Swagger UI's start-up)."""
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
        for body in re.findall(rb"<script>(.*?)</script>", html, flags=re.S)
    ]
    return CSP.replace("script-src 'self'", " ".join(["script-src 'self'", *hashes]))


class ReadOnlyRequests:
    """ASGI middleware: GET, HEAD and OPTIONS requests run inside store.db.reading() — their SQLite
    transactions take no write lock, and a write in one is refused as a bug."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        from carbonpeak.store.db import reading

        with reading():
            await self.app(scope, receive, send)


class SecurityHeaders:
    """ASGI middleware: SECURITY_HEADERS and CSP on every answer that does not set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = [
            (k.lower().encode(), v.encode())
            for k, v in {**SECURITY_HEADERS, "Content-Security-Policy": CSP}.items()
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)


def not_found(request: Request) -> Response:
    """The site's 404: the API's JSON error under /api and for JSON twins, the error page otherwise."""
    path = request.url.path
    err = NotFound(f"no page or record at {path}", message_zh=f"{path} 处没有页面或记录")
    if path.startswith("/api") or path.endswith(".json") or request.query_params.get("format") == "json":
        return JSONResponse(err.body(), status_code=404)
    from carbonpeak.web.context import html_error
    from carbonpeak.web.routes import templates
    from carbonpeak.web.session import web_context

    return html_error(web_context(request), templates, 404, "web.error.not_found")


class HeadAsGet:
    """ASGI middleware: a HEAD request runs as GET and its body is dropped (RFC 9110 §9.3.2)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)
