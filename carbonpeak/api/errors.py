"""carbonpeak.errors → HTTP answers, in one place."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from carbonpeak.errors import CarbonpeakError, InputError


def error_body(exc: CarbonpeakError) -> dict[str, object]:
    body: dict[str, object] = {
        "error": type(exc).__name__,
        "message": exc.message,
        "message_zh": exc.message_zh,
    }
    if isinstance(exc, InputError):
        body["problems"] = [p.as_dict() for p in exc.problems]
    return body


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(CarbonpeakError)
    async def _handle(request: Request, exc: CarbonpeakError) -> JSONResponse:
        return JSONResponse(status_code=exc.status, content=error_body(exc))
