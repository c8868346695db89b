"""Logging: stdlib `logging` under the `carbonpeak` logger, one line per record, optionally JSON.

- `configure(level, json_lines)` is called once per process by the entry points (`carbonpeak serve`
  and the CLI); library code only calls `logging.getLogger(__name__)`.
- `AccessLog` (an ASGI middleware) writes one line per request: method, path, status, duration,
  user and request id. An exception nobody handled becomes one error line with the request and the
  traceback, and the client gets a 500 naming the request id (in zh and en), nothing more.
- Secrets never reach a line: query strings are dropped from logged paths, and `redact` masks the
  values of keys that look like passwords, tokens or keys in anything a caller passes as `extra`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import secrets
import sys
import time
from collections.abc import Awaitable, Callable, MutableMapping
from enum import StrEnum
from typing import Any

LOGGER = "carbonpeak"
ACCESS = "carbonpeak.access"


class Level(StrEnum):
    debug = "debug"
    info = "info"
    warning = "warning"
    error = "error"


LEVELS = tuple(level.value for level in Level)

_SECRET_KEY = re.compile(r"pass(word)?|token|secret|key|cookie|authorization|csrf", re.IGNORECASE)
# the attributes every LogRecord has; anything else on a record came from `extra=`
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def redact(fields: dict[str, Any]) -> dict[str, Any]:
    """`fields` with the value of every secret-looking key replaced by '***'."""
    return {k: "***" if _SECRET_KEY.search(k) else v for k, v in fields.items()}


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return redact({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})


class TextFormatter(logging.Formatter):
    """`2026-12-01T06:44:03Z INFO carbonpeak.access GET /tasks 200 12.3ms user=- rid=…`, then the
    traceback (indented) when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        when = dt.datetime.fromtimestamp(record.created, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        extras = " ".join(f"{k}={v}" for k, v in _extras(record).items())
        line = f"{when} {record.levelname} {record.name} {record.getMessage()}" + (
            f" {extras}" if extras else ""
        )
        if record.exc_info:
            line += "\n" + "\n".join(
                "  " + part for part in self.formatException(record.exc_info).splitlines()
            )
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the record's extras, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_extras(record),
        }
        if record.exc_info:
            body["traceback"] = self.formatException(record.exc_info)
        return json.dumps(body, ensure_ascii=False, default=str)


def configure(level: str = "info", json_lines: bool = False, stream: Any = None) -> None:
    """Send the `carbonpeak` loggers to `stream` (stderr) at `level`; calling it again replaces the
    handler, so the last call wins (tests, `serve --log-level`)."""
    if level.lower() not in LEVELS:
        raise ValueError(f"log level {level!r} is not one of {', '.join(LEVELS)}")
    logger = logging.getLogger(LOGGER)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    logger.propagate = False


class AccessLog:
    """ASGI middleware: one access line per HTTP request; an unhandled exception is logged once with
    its traceback and answered with a 500 that names the request id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.access = logging.getLogger(ACCESS)
        self.errors = logging.getLogger(f"{LOGGER}.errors")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = secrets.token_hex(6)
        started = time.perf_counter()
        status: list[int] = []  # the response's status, once it has started

        async def send_and_note(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
                message.setdefault("headers", []).append((b"x-request-id", rid.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        except Exception:
            self.errors.exception(
                "server error %s %s", scope.get("method"), scope.get("path"), extra=self._fields(scope, rid)
            )
            if not status:
                await _server_error(scope, send_and_note, rid)
        finally:
            fields = self._fields(scope, rid)
            fields["ms"] = round((time.perf_counter() - started) * 1000, 1)
            code = status[0] if status else 500
            self.access.info("%s %s %s", scope.get("method"), scope.get("path"), code, extra=fields)

    @staticmethod
    def _fields(scope: Scope, rid: str) -> dict[str, Any]:
        client = scope.get("client") or ("-", 0)
        user = (scope.get("state") or {}).get("user") or "-"
        return {"user": user, "client": client[0], "rid": rid}


async def _server_error(scope: Scope, send: Send, rid: str) -> None:
    path = str(scope.get("path", ""))
    if path.startswith("/api"):
        body = json.dumps(
            {
                "error": "ServerError",
                "message": f"internal error (request {rid})",
                "message_zh": f"服务器内部错误（请求编号 {rid}）",
                "request_id": rid,
            },
            ensure_ascii=False,
        ).encode()
        kind = b"application/json"
    else:
        body = f"服务器内部错误 / internal server error (request {rid})".encode()
        kind = b"text/plain; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
