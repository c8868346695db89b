"""The application factory: `create_app(settings)` builds the FastAPI app; nothing connects at import.

It mounts the JSON API (carbonpeak.api, under /api; its OpenAPI document at /api/openapi.json) and
the web pages (carbonpeak.web), keys every mutating API call by its `Idempotency-Key`
(carbonpeak.api.idempotency), maps carbonpeak.errors to HTTP answers in one place
(carbonpeak.api.errors), and adds the site-wide answers of carbonpeak.web.site: the 404 page, HEAD,
the API's documentation at /api/docs from vendored files (works offline).
"""

from __future__ import annotations

from fastapi import FastAPI

from carbonpeak.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    from carbonpeak.api import build_api_router
    from carbonpeak.api.errors import install_error_handlers
    from carbonpeak.web.site import OPENAPI_PATH, install_site

    settings = settings or Settings()
    app = FastAPI(
        title="carbonpeak",
        description="城市碳达峰工作方案管理平台 API / carbon-peak work-plan platform API",
        version="0.1.0",
        docs_url=None,  # served by carbonpeak.web.site from vendored files, not a CDN
        openapi_url=OPENAPI_PATH,
        redoc_url=None,
    )
    app.state.settings = settings
    from carbonpeak.services.limits import LoginThrottle

    app.state.login_throttle = LoginThrottle()  # per process: failed log-ins by account and address
    install_error_handlers(app)
    from carbonpeak.api.idempotency import install_idempotency

    install_idempotency(app)  # inside the site's middleware: a replayed answer gets the security headers
    install_site(app)
    app.include_router(build_api_router(), prefix="/api")
    from carbonpeak.web import install_web

    install_web(app, settings)
    from carbonpeak.logs import AccessLog

    app.add_middleware(AccessLog)  # a plain ASGI middleware, outermost of the user middleware
    return app
