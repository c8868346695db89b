"""Benchmark: every public page (HTML and its JSON twin) as users get it — a real `carbonpeak serve`
(uvicorn) process on the demo database (`init` + `demo load` into a temporary data folder, what
`make run` serves), 16 clients at once.

Per page: requests per second, p50 and p99 latency (ms) and the server's CPU per request (from
/proc/<pid>/stat), the pages visited in rounds so a slow moment of the shared machine hits every
page alike. The client runs in this process and shares the machine's cores: 16 keep-alive
HTTP/1.1 connections on plain asyncio streams (a few hundred µs of CPU per request; httpx's
client cost several ms, which on 2 cores came off the server's share).
Goals (issue 24): every public page >= 100 req/s and p99 < 500 ms at concurrency 16.
Run: `.venv/bin/python benchmarks/pages.py [--requests N] [--rounds R] [--concurrency C]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Row, record

BIN = Path(sys.executable).parent / "carbonpeak"


def pages() -> list[str]:
    from carbonpeak.services.plan import current_plan

    target = current_plan().targets[0].code
    paths = [
        "/overview",
        "/inventory",
        "/inventory?group=industry",
        "/indicators",
        f"/indicators/{target}",
        "/projection",
        "/decomposition",
        "/tasks",
        "/projects",
        "/projects?category=storage",
        "/tasks/P1.T1",
        "/projects/C1.8.4",
        "/login",
    ]
    return [p for path in paths for p in (path, _json(path))]


def _json(path: str) -> str:
    base, _, query = path.partition("?")
    return base + ".json" + (f"?{query}" if query else "")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Connection:
    """One keep-alive HTTP/1.1 connection: GET a path, read status, headers and a Content-Length body."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    async def get(self, path: str) -> int:
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        length = next(int(h.split(":", 1)[1]) for h in lines if h.lower().startswith("content-length:"))
        await self.reader.readexactly(length)
        return int(lines[0].split()[1])

    def close(self) -> None:
        self.writer.close()


async def burst(conns: list[Connection], path: str, n: int) -> tuple[list[float], float]:
    """`n` requests of `path` spread over the connections: (latencies in s, wall seconds)."""
    latencies: list[float] = []
    todo = iter(range(n))

    async def worker(conn: Connection) -> None:
        for _ in todo:
            t0 = time.perf_counter()
            status = await conn.get(path)
            latencies.append(time.perf_counter() - t0)
            if status != 200:
                raise SystemExit(f"{path}: HTTP {status}")

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in conns))
    return latencies, time.perf_counter() - t0


async def measure(port: int, pid: int, paths: list[str], n: int, rounds: int, c: int) -> list[Row]:
    lat: dict[str, list[float]] = {p: [] for p in paths}
    wall: dict[str, float] = dict.fromkeys(paths, 0.0)
    cpu: dict[str, float] = dict.fromkeys(paths, 0.0)
    conns = [await Connection.open(port) for _ in range(c)]
    try:
        for p in paths:  # first request: the engines compute and cache for the snapshot
            if await conns[0].get(p) != 200:
                raise SystemExit(f"{p}: not 200")
        for r in range(rounds):
            for p in paths[r % len(paths) :] + paths[: r % len(paths)]:
                c0 = cpu_seconds(pid)
                got, w = await burst(conns, p, n)
                cpu[p] += cpu_seconds(pid) - c0
                lat[p] += got
                wall[p] += w
    finally:
        for conn in conns:
            conn.close()
    rows = []
    print(f"{'page':36} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'server CPU ms/req':>18}")
    for p in paths:
        total = len(lat[p])
        rate = total / wall[p]
        q = statistics.quantiles(lat[p], n=100)
        p50, p99 = statistics.median(lat[p]) * 1e3, q[98] * 1e3
        per = cpu[p] / total * 1e3
        print(f"{p:36} {rate:8.1f} {p50:8.1f} {p99:8.1f} {per:18.2f}")
        detail = f"p50 {p50:.0f} ms, server CPU {per:.1f} ms/req"
        rows.append(Row("pages", f"{p} (c={c}): req/s", rate, "req/s", ">= 100 req/s", rate >= 100, detail))
        rows.append(Row("pages", f"{p} (c={c}): p99", p99, "ms", "< 500 ms", p99 < 500))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=64, help="requests per page per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CARBONPEAK_DATA_DIR": tmp, "CARBONPEAK_SECRET_KEY": "bench"}
        for step in (["init"], ["demo", "load"]):
            subprocess.run([str(BIN), *step], env=env, check=True, stdout=subprocess.DEVNULL)
        port = free_port()
        server = subprocess.Popen(
            [str(BIN), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    httpx.get(base + "/login", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            rows = asyncio.run(
                measure(port, server.pid, pages(), args.requests, args.rounds, args.concurrency)
            )
        finally:
            server.terminate()
            server.wait(10)
    worst = min(r.value for r in rows if r.unit == "req/s")
    slowest = max(r.value for r in rows if r.unit == "ms")
    print(f"every page: >= {worst:.1f} req/s, p99 <= {slowest:.0f} ms")
    record("pages", rows)


if __name__ == "__main__":
    main()
