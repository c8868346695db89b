"""`Idempotency-Key` on every mutating API call: an ASGI middleware, the one implementation.

A POST, PUT, PATCH or DELETE under /api that carries `Idempotency-Key` (1–200 visible ASCII
characters) from a signed-in user (bearer token, or session cookie with its CSRF token) is run at
most once per user and key (carbonpeak/services/idempotency.py keeps the keys in the database):

- the same key with the same request (method, path, query and body) answers the first answer again,
  status and body, with `Idempotency-Replayed: true`, and changes nothing;
- the same key with another request is refused, 409, naming the key;
- a retry while the first is still running is 409 "still being carried out"; a retry after the
  server stopped between committing the write and answering is 409 "carried out, answer lost".

"The same body": JSON compared as data (key order and spacing do not matter), forms and multipart
uploads by their fields and each file's name and bytes (not the multipart boundary, which a client
draws anew for every try), anything else byte for byte. Not keyed: /api/auth/… (log-in and token
answers carry a secret, which is never stored) and requests with no signed-in user (anonymous runs
change nothing). The body of a keyed request is read whole first: at most `max_upload_bytes` + 1 MiB.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from anyio import to_thread
from starlette.datastructures import UploadFile
from starlette.requests import Request

from carbonpeak.errors import CarbonpeakError, InputError
from carbonpeak.validation import problem

if TYPE_CHECKING:
    from fastapi import FastAPI
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "Idempotency-Key"
MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NOT_KEYED = "/api/auth/"
MAX_KEY = 200
BODY_MARGIN = 1 << 20
KEY_PATTERN = r"^[!-~]{1,200}$"
NOT_STORED_HEADERS = frozenset({"set-cookie", "date", "server"})


def install_idempotency(app: FastAPI) -> None:
    """Add the middleware, and document the header (and its answers) on every keyed operation."""
    app.add_middleware(Idempotency)
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        schema = plain()
        document_header(schema)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def document_header(schema: dict[str, Any]) -> None:
    parameter = {
        "name": HEADER,
        "in": "header",
        "required": False,
        "description": "a retry with the same key and the same request answers the first answer again "
        "(Idempotency-Replayed: true) and changes nothing; the same key with another request is 409",
        "schema": {"type": "string", "pattern": KEY_PATTERN, "maxLength": MAX_KEY},
    }
    for path, item in schema.get("paths", {}).items():
        if not path.startswith("/api/") or path.startswith(NOT_KEYED):
            continue
        for method, operation in item.items():
            if method.upper() not in MUTATING:
                continue
            params = operation.setdefault("parameters", [])
            if not any(p.get("name") == HEADER for p in params):
                params.append(parameter)
            invalid = operation.setdefault("responses", {}).setdefault(
                "422", {"description": "Validation Error", "content": {"application/json": {"schema": {}}}}
            )
            body = invalid.setdefault("content", {}).setdefault("application/json", {})
            current = body.get("schema", {})
            error_out = {"$ref": "#/components/schemas/ErrorOut"}
            if current and "anyOf" not in current:
                body["schema"] = {"anyOf": [current, error_out]}
            elif not current:
                body["schema"] = error_out


class Idempotency:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or scope["method"] not in MUTATING
            or not path.startswith("/api/")
            or path.startswith(NOT_KEYED)
        ):
            await self.app(scope, receive, send)
            return
        raw_key = dict(scope["headers"]).get(HEADER.lower().encode())
        if raw_key is None:
            await self.app(scope, receive, send)
            return
        from carbonpeak.api.deps import get_database
        from carbonpeak.services import idempotency as svc

        request = Request(scope)
        try:
            key = _valid_key(raw_key)
            limit = request.app.state.settings.max_upload_bytes + BODY_MARGIN
            body = await _read_body(receive, limit)
        except CarbonpeakError as exc:
            await _answer_error(exc, scope, receive, send)
            return
        replay = _replaying(body)
        db = get_database(request)
        user_id = await to_thread.run_sync(_user_id, request, db)
        if user_id is None:  # the handler answers 401 / 403
            await self.app(scope, replay, send)
            return
        digest = await _request_digest(scope, body)
        try:
            outcome = await to_thread.run_sync(svc.claim, db, user_id, key, scope["method"], path, digest)
        except CarbonpeakError as exc:
            await _answer_error(exc, scope, receive, send)
            return
        if isinstance(outcome, svc.Stored):
            headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in outcome.headers]
            headers.append((b"idempotency-replayed", b"true"))
            await send({"type": "http.response.start", "status": outcome.status, "headers": headers})
            await send({"type": "http.response.body", "body": outcome.body})
            return

        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(message)

        try:
            with svc.applying(outcome):
                await self.app(scope, replay, keep)
        except BaseException:
            await to_thread.run_sync(svc.release, db, outcome)
            raise
        start = next((m for m in messages if m["type"] == "http.response.start"), None)
        if start is None:
            await to_thread.run_sync(svc.release, db, outcome)
            return
        answer = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        stored_headers = [
            (k.decode("latin-1"), v.decode("latin-1"))
            for k, v in start.get("headers", [])
            if k.decode("latin-1").lower() not in NOT_STORED_HEADERS
        ]
        # stored before it is sent: an answer the client saw is one a retry gets again
        await to_thread.run_sync(svc.finish, db, outcome, start["status"], stored_headers, answer)
        for message in messages:
            await send(message)


def _valid_key(raw: bytes) -> str:
    try:
        key = raw.decode("ascii")
    except UnicodeDecodeError:
        key = ""
    if not (1 <= len(key) <= MAX_KEY and all("!" <= c <= "~" for c in key)):
        raise InputError(
            "invalid Idempotency-Key",
            [problem(HEADER, "idempotency.key", raw[:40].decode("ascii", "replace"), most=MAX_KEY)],
            message_zh="幂等键无效",
        )
    return key


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise InputError(
                "request too large for an Idempotency-Key",
                [problem("request", "idempotency.body_size", most=limit)],
                message_zh="请求过大",
            )
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _user_id(request: Request, db: Any) -> int | None:
    """The signed-in user of the request (a valid CSRF token with a session cookie), else None."""
    from carbonpeak.auth import CSRF_HEADER, SESSION_COOKIE, check_csrf
    from carbonpeak.services.users import user_for_token

    header = request.headers.get("authorization", "")
    cookie = request.cookies.get(SESSION_COOKIE)
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
    elif cookie and check_csrf(
        request.app.state.settings.resolved_secret_key(), cookie, request.headers.get(CSRF_HEADER)
    ):
        token = cookie
    else:
        return None
    try:
        with db.session(read_only=True) as s:
            user_id: int = user_for_token(s, token).id
            s.commit()
            return user_id
    except CarbonpeakError:
        return None


async def _request_digest(scope: Scope, body: bytes) -> str:
    """SHA-256 of the request as data: method, path, query, and the body as described above."""
    query = sorted(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
    content_type = dict(scope["headers"]).get(b"content-type", b"").decode("latin-1").lower()
    content: Any
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        content = await _form_items(scope, body)
    else:
        try:
            content = {"json": json.loads(body)} if body else None
        except (ValueError, UnicodeDecodeError):
            content = None
        if content is None and body:
            content = {"sha256": hashlib.sha256(body).hexdigest()}
    text = json.dumps([scope["method"], scope["path"], query, content], sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


async def _form_items(scope: Scope, body: bytes) -> Any:
    request = Request(scope, _replaying(body))
    try:
        form = await request.form()
    except Exception:  # a malformed form: compared byte for byte; the handler says what is wrong
        return {"sha256": hashlib.sha256(body).hexdigest()}
    items: list[list[str]] = []
    try:
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                data = await value.read()
                items.append([name, value.filename or "", hashlib.sha256(data).hexdigest()])
            else:
                items.append([name, str(value)])
    finally:
        await form.close()
    return {"form": sorted(items)}


async def _answer_error(exc: CarbonpeakError, scope: Scope, receive: Receive, send: Send) -> None:
    from fastapi.responses import JSONResponse

    from carbonpeak.api.errors import error_body

    await JSONResponse(error_body(exc), status_code=exc.status)(scope, receive, send)
