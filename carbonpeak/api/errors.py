"""carbonpeak.errors → HTTP answers, in one place. Also: a database's DataError (a value the column
cannot hold, such as a NUL character, which PostgreSQL refuses in text) is bad input, 422 — not 500."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.exc import DataError, OperationalError, ProgrammingError

from carbonpeak.errors import CarbonpeakError, InputError, NotInitialised, TooManyRequests
from carbonpeak.store.db import is_missing_table
from carbonpeak.validation import problem


def error_body(exc: CarbonpeakError) -> dict[str, object]:
    return exc.body()


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(CarbonpeakError)
    async def _handle(request: Request, exc: CarbonpeakError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
        return JSONResponse(status_code=exc.status, content=error_body(exc), headers=headers)

    async def _missing_tables(request: Request, exc: Exception) -> Response:
        if not is_missing_table(exc):
            raise exc
        err = NotInitialised()
        if request.url.path.startswith("/api"):
            return JSONResponse(status_code=err.status, content=error_body(err))
        text = f"<!doctype html><meta charset=utf-8><title>503</title><p>{err.message_zh}<p>{err.message}"
        return HTMLResponse(text, status_code=err.status)

    async def _data_error(request: Request, exc: Exception) -> Response:
        err = InputError(
            "a value of the request cannot be stored or searched for",
            [problem("request", "input.data")],
            message_zh="请求中的值无效",
        )
        return JSONResponse(status_code=err.status, content=error_body(err))

    app.add_exception_handler(DataError, _data_error)
    # SQLite's driver raises a bare OverflowError when binding an integer beyond 64 bits (an id or a
    # year of 2**63 in a path): the same input error as PostgreSQL's DataError
    app.add_exception_handler(OverflowError, _data_error)
    app.add_exception_handler(OperationalError, _missing_tables)
    app.add_exception_handler(ProgrammingError, _missing_tables)
