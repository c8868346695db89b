"""Static files with content-hash URLs, a long cache and gzip.

    asset_url("js/app.js")  ->  /static/h/<first 12 hex of the file's SHA-256>/js/app.js

A URL carrying the file's current hash is answered with `Cache-Control: public, max-age=31536000,
immutable` (a changed file gets a new URL, so a browser never keeps a stale one); the plain
`/static/<path>` (and a hash that is no longer current) with `no-cache` and an ETag, so it is
revalidated. Text files (js, css, svg, json, map, txt, html) are gzip-compressed once per file version
(level 9, kept in memory) and sent compressed to a client that accepts gzip, with `Vary:
Accept-Encoding`; ECharts' 1.1 MB becomes about 0.37 MB on the wire.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import threading
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.types import Receive, Scope, Send

STATIC_DIR = Path(__file__).resolve().parent / "static"  # carbonpeak/web/static
LONG_CACHE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
COMPRESSIBLE = {".js", ".css", ".svg", ".json", ".map", ".txt", ".html"}
HASH_PREFIX = "h"


@dataclass(frozen=True)
class _File:
    stamp: tuple[int, int]  # (mtime_ns, size) of the version read
    digest: str
    body: bytes
    gzipped: bytes | None
    media_type: str
    last_modified: str


class Assets:
    """An ASGI app serving the files under `root` (mounted at /static)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._files: dict[str, _File] = {}
        self._lock = threading.Lock()

    def _load(self, rel: str) -> _File | None:
        path = (self.root / rel).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            return None
        st = path.stat()
        stamp = (st.st_mtime_ns, st.st_size)
        with self._lock:
            found = self._files.get(rel)
        if found is not None and found.stamp == stamp:
            return found
        body = path.read_bytes()
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if media_type.startswith("text/") or media_type in ("application/javascript", "image/svg+xml"):
            media_type += "; charset=utf-8"
        zipped = gzip.compress(body, 9, mtime=0) if path.suffix in COMPRESSIBLE else None
        found = _File(
            stamp=stamp,
            digest=hashlib.sha256(body).hexdigest()[:12],
            body=body,
            gzipped=zipped if zipped is not None and len(zipped) < len(body) else None,
            media_type=media_type,
            last_modified=formatdate(st.st_mtime, usegmt=True),
        )
        with self._lock:
            self._files[rel] = found
        return found

    def url(self, rel: str) -> str:
        """The content-hash URL of `rel` (the plain URL when the file does not exist)."""
        found = self._load(rel)
        return f"/static/{HASH_PREFIX}/{found.digest}/{rel}" if found else f"/static/{rel}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        root_path: str = scope.get("root_path", "")
        if root_path and path.startswith(root_path):  # Starlette's Mount keeps the full path
            path = path[len(root_path) :]
        parts = path.lstrip("/").split("/")
        asked_digest = None
        if len(parts) > 2 and parts[0] == HASH_PREFIX:
            asked_digest, parts = parts[1], parts[2:]
        rel = "/".join(parts)
        found = self._load(rel) if rel and ".." not in parts and scope["method"] in ("GET", "HEAD") else None
        if found is None:
            await _plain(send, 404, b"Not Found")
            return
        headers = {k.decode().lower(): v.decode() for k, v in scope.get("headers", [])}
        etag = f'"{found.digest}"'
        cache = LONG_CACHE if asked_digest == found.digest else REVALIDATE
        common = [
            (b"cache-control", cache.encode()),
            (b"etag", etag.encode()),
            (b"last-modified", found.last_modified.encode()),
            (b"vary", b"Accept-Encoding"),
        ]
        if headers.get("if-none-match") == etag:
            await send({"type": "http.response.start", "status": 304, "headers": common})
            await send({"type": "http.response.body", "body": b""})
            return
        body = found.body
        extra: list[tuple[bytes, bytes]] = []
        if found.gzipped is not None and "gzip" in headers.get("accept-encoding", ""):
            body = found.gzipped
            extra.append((b"content-encoding", b"gzip"))
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", found.media_type.encode()),
                    (b"content-length", str(len(body)).encode()),
                    *common,
                    *extra,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body if scope["method"] == "GET" else b""})


async def _plain(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


_ASSETS: dict[Path, Assets] = {}


def assets(root: Path) -> Assets:
    """The one Assets app of `root` (its hashes and compressed copies are shared by all requests)."""
    found = _ASSETS.get(root)
    if found is None:
        found = _ASSETS[root] = Assets(root)
    return found


__all__ = ["LONG_CACHE", "STATIC_DIR", "Assets", "asset_url", "assets"]


def asset_url(rel: str) -> str:
    """The content-hash URL of a file under carbonpeak/web/static."""
    return assets(STATIC_DIR).url(rel)
