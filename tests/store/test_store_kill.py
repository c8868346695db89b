"""A process killed in the middle of an import leaves the whole version or none of it.

A real subprocess imports a filled template and stops — before or after COMMIT — at a SQLAlchemy
session event it installs itself (no test hook in the product), writes a marker file, and sleeps;
the test SIGKILLs it and reads the database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from sqlalchemy import func, select

from carbonpeak.services.audit import verify_chain
from carbonpeak.services.rounds import download_template
from carbonpeak.store.models import Submission, SubmissionFile, SubmissionRow

CHILD = textwrap.dedent("""
    import os, pathlib, sys, time
    from sqlalchemy import event, func, select
    from sqlalchemy.orm import Session
    from carbonpeak.services.submissions import import_submission
    from carbonpeak.store.db import Database
    from carbonpeak.store.models import SubmissionRow, User

    url, round_id, data_path, marker, when = sys.argv[1:6]

    flushed = []
    event.listen(Session, "after_flush", lambda *a: flushed.append(1))

    def stop(session, *args):
        if not flushed:  # the commit that ends the reads before parsing stores nothing
            return
        n = -1
        if when == "before":
            n = session.execute(select(func.count()).select_from(SubmissionRow)).scalar_one()
        pathlib.Path(marker).write_text(str(n))
        time.sleep(120)

    event.listen(Session, "before_commit" if when == "before" else "after_commit", stop)
    db = Database(url)
    with db.sessions() as s:
        user = s.execute(select(User).where(User.username == "department")).scalar_one()
        import_submission(s, user, round_id=int(round_id), unit_code="dept_a", filename="a.xlsx",
                          data=pathlib.Path(data_path).read_bytes())
""")


def _counts(db):
    with db.session() as s:
        return tuple(
            s.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (Submission, SubmissionFile, SubmissionRow)
        )


@pytest.mark.parametrize("when", ["before", "after"])
def test_killed_import_leaves_all_or_nothing(loaded, fill, tmp_path, when):
    db, users, rnd = loaded
    with db.session() as s:
        _, xlsx = download_template(s, users["department"], rnd.id, "dept_a")
    data = tmp_path / "a.xlsx"
    data.write_bytes(fill(xlsx, {"pv_capacity": 1234}))
    marker = tmp_path / "marker"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, db.url, str(rnd.id), str(data), str(marker), when],
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
        assert time.monotonic() < deadline, "the child never reached its stop"
        time.sleep(0.05)
    time.sleep(0.1)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(10)
    child.stderr.close()
    assert child.returncode == -signal.SIGKILL

    if when == "before":
        assert int(marker.read_text()) > 0  # the rows were written inside the open transaction
        assert _counts(db) == (0, 0, 0)
    else:
        subs, files, rows = _counts(db)
        assert (subs, files) == (1, 1) and rows > 0
        with db.session() as s:
            assert s.execute(select(Submission.version)).scalar_one() == 1
    with db.session() as s:
        assert verify_chain(s) == []
