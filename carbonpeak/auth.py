"""Passwords, API tokens, web sessions and CSRF tokens.

- Passwords: argon2id (argon2-cffi defaults). `hash_password`, `verify_password` (at most
  ARGON2_SLOTS at once, which bounds the memory a burst of log-ins takes).
- API tokens and web sessions are both random secrets (`cp_…`) stored only as their SHA-256 in
  `api_tokens` (kind `api` or `session`); services/users.py issues, resolves and revokes them.
  An API client sends `Authorization: Bearer <token>`; a browser holds the session secret in the
  cookie `SESSION_COOKIE` (HttpOnly, SameSite=Lax, and Secure per `cookie_is_secure`), set by
  `set_session_cookie` for the API and the log-in page alike.
- CSRF (for the web engineer): a request authenticated by the session cookie that changes state
  (POST, PUT, PATCH, DELETE) must carry `csrf_token(secret_key, session_token)` in the header
  `CSRF_HEADER` or the form field `CSRF_FIELD`; check it with `check_csrf`. Bearer-token requests
  need none (a browser never adds that header by itself).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

SESSION_COOKIE = "carbonpeak_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOKEN_PREFIX = "cp_"

_hasher = PasswordHasher()
ARGON2_SLOTS = max(2, os.cpu_count() or 2)
_slots = threading.BoundedSemaphore(ARGON2_SLOTS)

if TYPE_CHECKING:
    from starlette.responses import Response


def cookie_is_secure(setting: str, scheme: str) -> bool:
    """Whether the session cookie carries `Secure`: CARBONPEAK_SECURE_COOKIES `true`/`false`, or for
    `auto` whether the request came over HTTPS (`scheme`, after uvicorn's proxy headers)."""
    if setting == "auto":
        return scheme in ("https", "wss")
    return setting == "true"


def set_session_cookie(response: Response, token: str, *, max_age: int, secure: bool) -> None:
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", max_age=max_age, secure=secure)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether `password` matches; at most ARGON2_SLOTS checks run at once (each takes 64 MiB and
    tens of ms of CPU at argon2-cffi's defaults: 64 concurrent log-ins would otherwise ask for 4 GiB)."""
    with _slots:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def new_token() -> str:
    """A fresh secret for an API token or a web session (shown once, stored as its hash)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def csrf_token(secret_key: str, session_token: str) -> str:
    """The CSRF token bound to one web session (HMAC-SHA-256 of the session secret)."""
    return hmac.new(secret_key.encode(), b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()


def check_csrf(secret_key: str, session_token: str, presented: str | None) -> bool:
    if not presented:
        return False
    return hmac.compare_digest(csrf_token(secret_key, session_token), presented)
