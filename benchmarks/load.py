"""Figures of issue 18 measured in one run, each printed with its goal and `met` or `MISSED`:

1. hostile uploads (each parsed in a fresh process): seconds and rise of peak resident memory,
   against ≤ 5 s and ≤ 256 MB, and the located error each gets;
2. against a real server — `carbonpeak serve` (uvicorn, one process) started by this script on a
   fresh demo database (`init` + `demo load` in a temporary folder), argon2 at its production cost:
   - 64 concurrent failed log-ins: the count of 5xx answers (goal 0);
   - public page reads at concurrency 32: req/s and p99 per page (goal ≥ 100 req/s, p99 < 1 s);
   - 16 concurrent reporters, each uploading a filled template and submitting it: p99 of
     upload + submit (goal < 2 s).

The load client runs on the same machine as the server (threads of this process), so both share
the CPU: on a 2-core machine shared with other work the figures are noisy — the load average is
printed before and after; repeat a run before trusting a difference. Each page's first answer (cold
caches) is timed apart; the goal is the steady state after it. The reporters run twice: without
`Idempotency-Key`, then with one on the upload and the submit, as a client that retries safely does
— the goal is held to the second, the first shows what the keys cost. At the end: one line per
figure of the issue, `met` or `MISSED`, naming the pages that missed; the rows go to
benchmarks/results/load.json (benchmarks/RESULTS.md via `make bench`).
Run: `.venv/bin/python benchmarks/load.py [--skip-hostile] [--seconds S]`.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Row, record

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "collection" / "hostile.py"
PUBLIC_PAGES = [
    "/overview",
    "/inventory",
    "/indicators",
    "/projection",
    "/decomposition",
    "/tasks",
    "/projects",
    "/overview.json",
    "/api/projection/scenarios",
    "/api/health",
]
REPORTERS = 16
FAILED_LOGINS = 64
PAGE_CONCURRENCY = 32


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def hostile_files(rows: list[Row]) -> None:
    sys.path.insert(0, str(HOSTILE.parent))
    from hostile import CORPUS

    print(
        f"{'hostile upload':32} {'bytes':>9} {'seconds':>8} {'RSS rise MB':>12}  goal ≤ 5 s, ≤ 256 MB; error"
    )
    worst_s, worst_mb, unlocated = 0.0, 0.0, []
    for name in sorted(CORPUS):
        run = subprocess.run([sys.executable, str(HOSTILE), name], capture_output=True, text=True, check=True)
        r = json.loads(run.stdout)
        where = ", ".join(f"{p['rule']} at {p['location']}" for p in r["problems"])
        ok = r["seconds"] <= 5 and r["rss_rise_mb"] <= 256 and bool(r["problems"])
        figures = f"{r['bytes']:>9} {r['seconds']:>8.3f} {r['rss_rise_mb']:>12.1f}"
        print(f"{name:32} {figures}  {verdict(ok)}; {where}")
        worst_s, worst_mb = max(worst_s, r["seconds"]), max(worst_mb, r["rss_rise_mb"])
        if not r["problems"]:
            unlocated.append(name)
    detail = f"{len(CORPUS)} files" + (f"; no located error: {', '.join(unlocated)}" if unlocated else "")
    rows.append(Row("load", "hostile upload: slowest parse", worst_s, "s", "<= 5 s", worst_s <= 5, detail))
    rows.append(
        Row("load", "hostile upload: largest RSS rise", worst_mb, "MB", "<= 256 MB", worst_mb <= 256, detail)
    )


# -- the served platform ----------------------------------------------------------------------------


def prepare(folder: Path) -> dict[str, object]:
    """A demo database in `folder` with REPORTERS reporting users (one per unit of the newest demo
    round) and, for each, the file of its unit's latest demo version to upload again."""
    from sqlalchemy import select

    from carbonpeak.plan.load import load_plan
    from carbonpeak.services.demo import load_demo
    from carbonpeak.services.init import init_database
    from carbonpeak.services.users import create_user, issue_token
    from carbonpeak.settings import DEFAULT_PLAN_FILE, Settings
    from carbonpeak.store.db import Database
    from carbonpeak.store.models import Round, Submission, SubmissionFile

    settings = Settings(data_dir=folder)
    db = Database.from_settings(settings)
    try:
        plan = load_plan(DEFAULT_PLAN_FILE)
        init_database(db, plan, source_file=str(DEFAULT_PLAN_FILE))
        load_demo(db, plan)
        reporters = []
        with db.session() as s:
            rnd = s.execute(select(Round).order_by(Round.year.desc()).limit(1)).scalar_one()
            subs = s.execute(
                select(Submission).where(Submission.round_id == rnd.id).order_by(Submission.unit_code)
            ).scalars()
            latest = {sub.unit_code: sub for sub in subs}
            units = sorted(latest)[:REPORTERS]
            for i in range(REPORTERS):
                unit = units[i % len(units)]
                user = create_user(
                    s, username=f"load-{i}", password="load-test-pw-1", role="department", unit_code=unit
                )
                content = s.get(SubmissionFile, latest[unit].id)
                assert content is not None
                reporters.append(
                    {"token": issue_token(s, user), "unit": unit, "file": content.content, "round": rnd.id}
                )
        return {"reporters": reporters}
    finally:
        db.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(folder: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CARBONPEAK_DATA_DIR": str(folder)}
    env.pop("CARBONPEAK_DATABASE_URL", None)
    # the server's log (an access line per request) goes to a file: a pipe nobody reads fills after
    # 64 KiB and then blocks the server's event loop on its next log line
    log = (folder / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "carbonpeak", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    log.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"the server did not start: {(folder / 'server.log').read_text(errors='replace')}")


def p99(seconds: list[float]) -> float:
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def failed_logins(base: str, rows: list[Row]) -> None:
    barrier = threading.Barrier(FAILED_LOGINS)

    def attempt(i: int) -> tuple[int, float]:
        barrier.wait()
        started = time.perf_counter()
        body = {
            "username": ["demo-office", "demo-department", "demo-viewer", "nobody"][i % 4],
            "password": "x" * 12,
        }
        r = httpx.post(f"{base}/api/auth/token", json=body, timeout=120)
        return r.status_code, time.perf_counter() - started

    with ThreadPoolExecutor(FAILED_LOGINS) as pool:
        results = list(pool.map(attempt, range(FAILED_LOGINS)))
    codes = [c for c, _ in results]
    server_errors = sum(c >= 500 for c in codes)
    counts = ", ".join(f"{c}: {codes.count(c)}" for c in sorted(set(codes)))
    print(
        f"{FAILED_LOGINS} concurrent failed log-ins: {server_errors} × 5xx ({counts}; "
        f"p99 {p99([t for _, t in results]):.2f} s)  goal 0 × 5xx: {verdict(server_errors == 0)}"
    )
    rows.append(
        Row(
            "load",
            f"{FAILED_LOGINS} concurrent failed log-ins: 5xx answers",
            server_errors,
            "answers",
            "0",
            server_errors == 0,
            counts,
        )
    )


def page_reads(base: str, seconds: float, rows: list[Row]) -> None:
    print(
        f"{'public page, concurrency ' + str(PAGE_CONCURRENCY):40} {'first s':>7} {'req/s':>7} {'p99 s':>7} "
        f"{'errors':>6}  goal ≥ 100 req/s, p99 < 1 s"
    )
    for path in PUBLIC_PAGES:
        started = time.perf_counter()  # the first answer (cold caches) apart: the goal is the steady state
        httpx.get(f"{base}{path}", timeout=300)
        first = time.perf_counter() - started
        times, errors, elapsed = load_page(base, path, seconds)
        rate = len(times) / elapsed
        ok = rate >= 100 and p99(times) < 1 and errors == 0
        print(f"{path:40} {first:>7.2f} {rate:>7.1f} {p99(times):>7.2f} {errors:>6}  {verdict(ok)}")
        what = f"{path} (c={PAGE_CONCURRENCY})"
        rows.append(
            Row(
                "load",
                f"{what}: req/s",
                rate,
                "req/s",
                ">= 100 req/s",
                rate >= 100 and not errors,
                f"first answer {first:.2f} s",
            )
        )
        rows.append(Row("load", f"{what}: p99", p99(times), "s", "< 1 s", p99(times) < 1))


def load_page(base: str, path: str, seconds: float) -> tuple[list[float], int, float]:
    """(seconds of every answer, answers ≥ 400, seconds elapsed) of PAGE_CONCURRENCY clients reading
    `path` again and again for `seconds`."""
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            while time.monotonic() < stop:
                started = time.perf_counter()
                r = client.get(path)
                took = time.perf_counter() - started
                with lock:
                    times.append(took)
                    errors[0] += r.status_code >= 400

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(PAGE_CONCURRENCY)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times, errors[0], time.monotonic() - started


def reporters(base: str, work: dict[str, object], rows: list[Row]) -> None:
    """16 reporters at once, twice: without Idempotency-Key (the floor), then with one on the upload
    and the submit (what a client that retries safely sends; the goal is held to this run)."""
    plain = report_round(base, work, keyed=False)
    keyed = report_round(base, work, keyed=True)
    for label, (worst, failures) in (("without Idempotency-Key", plain), ("with Idempotency-Key", keyed)):
        ok = worst < 2 and not failures
        print(
            f"{REPORTERS} concurrent reporters, upload + submit, {label}: p99 {worst:.2f} s, "
            f"{len(failures)} failed {failures[:3]}  goal p99 < 2 s: {verdict(ok)}"
        )
    rows.append(
        Row(
            "load",
            f"{REPORTERS} concurrent reporters, upload + submit: p99",
            keyed[0],
            "s",
            "< 2 s",
            keyed[0] < 2 and not keyed[1],
            f"with Idempotency-Key; {plain[0]:.2f} s without; {len(keyed[1])} failed",
        )
    )


def report_round(base: str, work: dict[str, object], *, keyed: bool) -> tuple[float, list[tuple[int, int]]]:
    people: list[dict[str, object]] = work["reporters"]  # type: ignore[assignment]
    barrier = threading.Barrier(len(people))

    def report(person: dict[str, object]) -> tuple[float, int, int]:
        headers = {"Authorization": f"Bearer {person['token']}"}
        key = uuid.uuid4().hex
        content = revised(person["file"], f"load test {key}")  # type: ignore[arg-type]
        up_key = {"Idempotency-Key": f"up-{key}"} if keyed else {}
        submit_key = {"Idempotency-Key": f"submit-{key}"} if keyed else {}
        with httpx.Client(base_url=base, timeout=120, headers=headers) as client:
            barrier.wait()
            started = time.perf_counter()
            up = client.post(
                f"/api/rounds/{person['round']}/submissions",
                headers=up_key,
                files={"file": (f"load-{person['unit']}.xlsx", content)},
            )
            if up.status_code != 201:
                return time.perf_counter() - started, up.status_code, 0
            done = client.post(
                f"/api/submissions/{up.json()['id']}/submit",
                headers=submit_key,
                json={"comment": "load test"},
            )
            return time.perf_counter() - started, up.status_code, done.status_code

    with ThreadPoolExecutor(len(people)) as pool:
        results = list(pool.map(report, people))
    failures = [(u, d) for _, u, d in results if (u, d) != (201, 200)]
    return p99([t for t, _, _ in results]), failures


def revised(xlsx: bytes, note: str) -> bytes:
    """The unit's file with `note` as the 说明 of its first task row: a new version of the data (an
    identical file makes no new version: its upload answers with the version already stored)."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx))
    sheet = book["任务进展"]
    for row in sheet.iter_rows(min_row=4):
        if row[0].value is not None:
            row[8].value = note
            break
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def served(seconds: float, rows: list[Row]) -> None:
    with tempfile.TemporaryDirectory(prefix="carbonpeak-load-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        work = prepare(folder)
        print(f"demo database prepared in {time.perf_counter() - started:.0f} s ({folder})")
        port = free_port()
        proc = start_server(folder, port)
        base = f"http://127.0.0.1:{port}"
        try:
            failed_logins(base, rows)
            page_reads(base, seconds, rows)
            reporters(base, work, rows)
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def summary(rows: list[Row]) -> None:
    """One line per figure of issue 18 ("Figures to reach"), met or MISSED, with the numbers."""

    def pick(prefix: str) -> list[Row]:
        return [r for r in rows if r.measure.startswith(prefix)]

    print("\nFigures to reach (issue 18):")
    hostile = pick("hostile upload")
    if hostile:
        slow, big = hostile
        print(
            f"  hostile files ≤ 256 MB and ≤ 5 s each: slowest {slow.value:.2f} s, largest rise "
            f"{big.value:.0f} MB ({slow.detail}): {verdict(bool(slow.met and big.met))}"
        )
    for r in pick(f"{FAILED_LOGINS} concurrent failed"):
        print(
            f"  0 × 5xx under {FAILED_LOGINS} concurrent failed log-ins: {r.value:.0f} × 5xx: "
            f"{verdict(bool(r.met))}"
        )
    pages = [r for r in rows if r.measure.startswith("/")]
    if pages:
        missed = sorted({r.measure.split(" (c=")[0] for r in pages if not r.met})
        slowest = min((r for r in pages if r.unit == "req/s"), key=lambda r: r.value)
        worst = max((r for r in pages if r.unit == "s"), key=lambda r: r.value)
        slow_page, worst_page = slowest.measure.split(" (c=")[0], worst.measure.split(" (c=")[0]
        print(
            f"  every public page ≥ 100 req/s at concurrency {PAGE_CONCURRENCY}, p99 < 1 s: lowest "
            f"{slowest.value:.1f} req/s ({slow_page}), highest p99 {worst.value:.2f} s ({worst_page}): "
            f"{verdict(not missed)}" + (f"; missed by {', '.join(missed)}" if missed else "")
        )
    for r in pick(f"{REPORTERS} concurrent reporters"):
        print(
            f"  {REPORTERS} concurrent reporters' upload + submit p99 < 2 s: {r.value:.2f} s "
            f"({r.detail}): {verdict(bool(r.met))}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-hostile", action="store_true", help="only the served figures")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds of load per public page")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}; load client and server share them (figures are noisy)")
    print(f"before: {load_average()}")
    results: list[Row] = []
    if not args.skip_hostile:
        hostile_files(results)
    served(args.seconds, results)
    print(f"after: {load_average()}")
    summary(results)
    record("load", results)
