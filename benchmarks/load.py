"""Figures of issue 18 measured in one run. So far: hostile uploads (each parsed in a fresh process:
seconds and rise of peak resident memory, against the goals ≤ 5 s and ≤ 256 MB, and the located
error it gets). Concurrent logins, reporters' p99 and public pages' req/s are still to be added.

Run: `.venv/bin/python benchmarks/load.py`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HOSTILE = Path(__file__).resolve().parent.parent / "tests" / "collection" / "hostile.py"


def hostile_files() -> None:
    sys.path.insert(0, str(HOSTILE.parent))
    from hostile import CORPUS

    print(
        f"{'hostile upload':32} {'bytes':>9} {'seconds':>8} {'RSS rise MB':>12}  error (goal ≤ 5 s, ≤ 256 MB)"
    )
    for name in sorted(CORPUS):
        run = subprocess.run([sys.executable, str(HOSTILE), name], capture_output=True, text=True, check=True)
        r = json.loads(run.stdout)
        where = ", ".join(f"{p['rule']} at {p['location']}" for p in r["problems"])
        print(f"{name:32} {r['bytes']:>9} {r['seconds']:>8.3f} {r['rss_rise_mb']:>12.1f}  {where}")


if __name__ == "__main__":
    hostile_files()
