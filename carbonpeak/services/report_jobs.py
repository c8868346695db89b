"""Reports generated from the office console: one background thread per request, its progress
(stage, seconds) readable while it runs, its file kept in memory until fetched or pushed out.

    start(kind, fmt, year=…, lang=…, database=…, plan_file=…)  -> job id (checks the arguments first)
    status(job_id)                                              -> {state: running | done | failed, …}
    result(job_id)                                              -> (file name, bytes, media type)

The report is services/reports.generate_report with the store's bundle when the year has a
reporting round (services/supervision.bundle_from_store: published reports only), else the
packaged sample bundle (flagged `sample` in the report, as the CLI and API do). At most
MAX_JOBS are kept, the oldest finished first; at most MAX_RUNNING run at once (a busy console is
told so instead of starting more work on a 2-core server).
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import time
from pathlib import Path
from typing import Any

from carbonpeak.errors import InputError, NotFound, TooManyRequests
from carbonpeak.store.db import Database
from carbonpeak.validation import problem

KINDS = ("annual", "dispatch", "assessment")
FORMATS = ("pdf", "docx", "xlsx", "html")
MAX_JOBS = 20
MAX_RUNNING = 2

_lock = threading.Lock()
_ids = itertools.count(1)
_jobs: dict[int, dict[str, Any]] = {}


def _check(kind: str, fmt: str, year: int, lang: str) -> None:
    problems = []
    if kind not in KINDS:
        problems.append(problem("kind", "report.kind", kind, kinds=KINDS))
    if fmt not in FORMATS:
        problems.append(problem("format", "report.format", fmt, formats=FORMATS))
    if not 2000 <= year <= 2100:
        problems.append(problem("year", "report.year", str(year)))
    if lang not in ("zh", "en"):
        problems.append(problem("lang", "report.lang", lang))
    if problems:
        raise InputError("invalid report request", problems, message_zh="报告请求有误")


def start(
    kind: str,
    fmt: str,
    *,
    year: int,
    lang: str,
    database: Database,
    plan_file: Path | str | None = None,
    username: str = "",
) -> int:
    _check(kind, fmt, year, lang)
    with _lock:
        if sum(j["state"] == "running" for j in _jobs.values()) >= MAX_RUNNING:
            raise TooManyRequests(
                "reports are being generated; try again when one has finished",
                message_zh="正在生成其他报告，请待其完成后再试",
            )
        job_id = next(_ids)
        _jobs[job_id] = {
            "id": job_id,
            "kind": kind,
            "format": fmt,
            "year": year,
            "lang": lang,
            "user": username,
            "state": "running",
            "stage": "data",
            "started": time.monotonic(),
            "seconds": 0.0,
            "size": 0,
            "error_zh": None,
            "error_en": None,
            "data": None,
        }
        finished = [i for i, j in _jobs.items() if j["state"] != "running"]
        while len(_jobs) > MAX_JOBS and finished:
            _jobs.pop(finished.pop(0), None)
    thread = threading.Thread(
        target=_run, args=(job_id, kind, fmt, year, lang, database, plan_file), daemon=True
    )
    thread.start()
    return job_id


def _stage(job_id: int, stage: str) -> None:
    with _lock:
        _jobs[job_id]["stage"] = stage


def _run(
    job_id: int, kind: str, fmt: str, year: int, lang: str, database: Database, plan_file: Path | str | None
) -> None:
    from sqlalchemy import select

    from carbonpeak.errors import CarbonpeakError
    from carbonpeak.services.init import stored_plan
    from carbonpeak.services.reports import generate_report
    from carbonpeak.services.supervision import bundle_from_store
    from carbonpeak.store.models import Round

    try:
        with database.session() as session:
            has_round = session.execute(select(Round.id).where(Round.year == year).limit(1)).first()
            bundle = bundle_from_store(session, stored_plan(session), year) if has_round else None
        _stage(job_id, "render")
        data = generate_report(
            kind, fmt, year=year, lang=lang, plan_file=plan_file, database=database, bundle=bundle
        )
    except CarbonpeakError as exc:
        _finish(job_id, None, exc.message_zh or exc.message, exc.message)
    except Exception as exc:  # a failed job must say so, never leave the console waiting
        _finish(job_id, None, f"生成失败：{type(exc).__name__}", f"failed: {type(exc).__name__}: {exc}"[:300])
    else:
        _finish(job_id, data, None, None)


def _finish(job_id: int, data: bytes | None, error_zh: str | None, error_en: str | None) -> None:
    with _lock:
        job = _jobs[job_id]
        job.update(
            state="done" if data is not None else "failed",
            stage="done" if data is not None else "failed",
            seconds=time.monotonic() - job["started"],
            data=data,
            size=len(data or b""),
            error_zh=error_zh,
            error_en=error_en,
            finished_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )


def status(job_id: int) -> dict[str, Any]:
    with _lock:
        job = _jobs.get(job_id)
        if job is None:
            raise NotFound(f"no report job {job_id}", message_zh=f"没有报告任务 {job_id}")
        out = {k: v for k, v in job.items() if k not in ("data", "started")}
        if job["state"] == "running":
            out["seconds"] = time.monotonic() - job["started"]
        out["filename"] = f"{job['kind']}-{job['year']}-{job['lang']}.{job['format']}"
        return out


def result(job_id: int) -> tuple[str, bytes, str]:
    from carbonpeak.services.reports import media_type

    with _lock:
        job = _jobs.get(job_id)
        if job is None or job["data"] is None:
            raise NotFound(f"report job {job_id} has no file", message_zh=f"报告任务 {job_id} 尚无文件")
        name = f"{job['kind']}-{job['year']}-{job['lang']}.{job['format']}"
        return name, job["data"], media_type(job["format"])


def recent() -> list[dict[str, Any]]:
    """Every kept job, newest first."""
    with _lock:
        ids = sorted(_jobs, reverse=True)
    return [status(i) for i in ids]
