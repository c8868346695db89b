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

import atexit
import datetime as dt
import json
import logging
import logging.handlers
import queue
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


QUEUE_SIZE = 10_000  # records waiting for a slow destination before new ones are dropped (counted)


class _Queued(logging.handlers.QueueHandler):
    """Hands a record to the writer thread without waiting: a full queue drops the record and counts
    it, so neither a slow log destination nor a flood of lines can stall the server or fill memory."""

    def __init__(self, queue: queue.Queue[logging.LogRecord]) -> None:
        super().__init__(queue)
        self.dropped = 0

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        # the writer is a thread of this process: the record goes as it is (formatted there), with
        # its message fixed now and its traceback kept for the formatter
        record.msg, record.args = record.getMessage(), None
        return record

    def enqueue(self, record: logging.LogRecord) -> None:
        try:
            self.queue.put_nowait(record)
        except queue.Full:
            self.dropped += 1


class _Writer(logging.Handler):
    """The writer thread's handler: writes each record, and first says how many were dropped."""

    def __init__(self, target: logging.Handler, queued: _Queued) -> None:
        super().__init__()
        self.target, self.queued = target, queued

    def emit(self, record: logging.LogRecord) -> None:
        dropped, self.queued.dropped = self.queued.dropped, 0
        if dropped:
            note = logging.LogRecord(LOGGER, logging.WARNING, __file__, 0, "", None, None)
            note.msg = f"{dropped} log lines dropped: the log's destination did not keep up"
            self.target.handle(note)
        self.target.handle(record)


class _Listener(logging.handlers.QueueListener):
    def enqueue_sentinel(self) -> None:
        self.queue.put(self._sentinel, timeout=10)  # type: ignore[attr-defined]  # waits for room: stop() after a flood


_listener: _Listener | None = None


def _stop_listener() -> None:
    global _listener
    if _listener is not None:
        _listener.stop()  # writes what is queued, then ends the thread
        _listener = None


def configure(
    level: str = "info", json_lines: bool = False, stream: Any = None, *, background: bool = False
) -> None:
    """Send the `carbonpeak` loggers to `stream` (stderr) at `level`; calling it again replaces the
    handler, so the last call wins (tests, `serve --log-level`). `background` (the server): lines are
    written by a thread of their own, so a request never waits on the log's destination (a pipe
    nobody reads stalled every request once full); at most QUEUE_SIZE lines wait, later ones are
    dropped and counted in a warning line."""
    global _listener
    if level.lower() not in LEVELS:
        raise ValueError(f"log level {level!r} is not one of {', '.join(LEVELS)}")
    logger = logging.getLogger(LOGGER)
    for old in list(logger.handlers):
        logger.removeHandler(old)
    _stop_listener()
    handler: logging.Handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    if background:
        queued = _Queued(queue.Queue(QUEUE_SIZE))
        _listener = _Listener(queued.queue, _Writer(handler, queued))
        _listener.start()
        atexit.register(_stop_listener)
        handler = queued
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
