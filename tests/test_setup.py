"""The README's commands on a truly fresh machine: a fresh clone, no uv, an empty HOME (so an empty
package cache), `PATH=/usr/bin:/bin` (Debian's python3, where PEP 668 refuses `pip install`).
`make env` must succeed there, and `make run` must serve the first page.

Run as a script, it prints the seconds from `make run` to the first page in a fresh clone, with a cold
cache (a new HOME) and then a warm one (the same HOME, a second fresh clone):
`.venv/bin/python tests/test_setup.py`.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIRST_PAGE_TIMEOUT = 600  # seconds; a cold `make run` takes about a minute here


def fresh_clone(into: Path) -> Path:
    """A clone of this repository's committed HEAD (what a new user gets from git)."""
    clone = into / "carbonpeak"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    return clone


def bare_env(home: Path) -> dict[str, str]:
    """What `env -i HOME=… PATH=/usr/bin:/bin` leaves."""
    return {"HOME": str(home), "PATH": "/usr/bin:/bin"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def first_page_seconds(clone: Path, home: Path, log: Path) -> float:
    """Seconds from starting `make run PORT=…` in `clone` to the first page answering 200."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    start = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.Popen(
            ["make", "run", f"PORT={port}"],
            cwd=clone,
            env=bare_env(home),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # make, uv and the server: one group, stopped together below
        )
        try:
            while time.monotonic() - start < FIRST_PAGE_TIMEOUT:
                if proc.poll() is not None:
                    raise AssertionError(f"make run ended with {proc.returncode}:\n{log.read_text()}")
                try:
                    with urllib.request.urlopen(url, timeout=30) as r:
                        if r.status == 200 and "碳达峰" in r.read().decode("utf-8"):
                            return time.monotonic() - start
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    pass
                time.sleep(0.25)
            raise AssertionError(f"no first page in {FIRST_PAGE_TIMEOUT} s:\n{log.read_text()}")
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.mark.slow
def test_make_env_then_make_run_in_a_fresh_clone_with_nothing_installed(tmp_path: Path) -> None:
    clone = fresh_clone(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    env = subprocess.run(
        ["make", "env"], cwd=clone, env=bare_env(home), capture_output=True, text=True, timeout=900
    )
    assert env.returncode == 0, env.stdout + env.stderr
    python = (clone / ".venv" / "bin" / "python").resolve()
    assert python.is_relative_to("/usr") and (clone / ".tools" / "bin" / "uv").exists()
    assert not (clone / ".venv" / "bin" / "pytest").exists()  # the runtime dependencies only
    tools = (clone / ".tools" / "pyvenv.cfg").stat().st_mtime_ns
    again = subprocess.run(["make", "env"], cwd=clone, env=bare_env(home), capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert (clone / ".tools" / "pyvenv.cfg").stat().st_mtime_ns == tools  # uv is not installed twice
    seconds = first_page_seconds(clone, home, tmp_path / "make-run.log")
    log = (tmp_path / "make-run.log").read_text()
    assert "carbonpeak: serving on" in log and "Traceback" not in log
    assert (clone / "var" / "carbonpeak.db").is_file()  # the checkout's own data folder
    print(f"make run to the first page (fresh clone, warm cache): {seconds:.1f} s")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        for label in ("cold", "warm"):
            work = Path(tmp) / label
            work.mkdir()
            seconds = first_page_seconds(fresh_clone(work), home, work / "make-run.log")
            print(f"{label} cache: make run to the first page in {seconds:.1f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
