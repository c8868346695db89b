"""Benchmark: the CLI as a user runs it — real `carbonpeak` processes, CPU (user + system, from the
child's rusage) and wall time, each command repeated with the commands interleaved.

Beside the commands: the interpreter alone (`python -c pass`, the floor) and building the app with
every command module imported (what each command paid before it imported only its own module).
`indicators --format json` runs on a data folder where a first run stored the projection behind
P(peak) (<data_dir>/projections/), as on any machine after the first run.
Goals (issue 24): `--help` < 0.3 s CPU, `plan show` < 0.5 s, `indicators --format json` < 1 s.
Run: `.venv/bin/python benchmarks/cli.py [--repeat N]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Row, record

BIN = Path(sys.executable).parent / "carbonpeak"
COMMANDS: dict[str, tuple[list[str], float | None]] = {
    "python -c pass (floor)": ([sys.executable, "-c", "pass"], None),
    "every command module imported (before)": (
        [sys.executable, "-c", "import carbonpeak.cli as c; c.build_app()"],
        None,
    ),
    "carbonpeak --help": ([str(BIN), "--help"], 0.3),
    "carbonpeak plan show": ([str(BIN), "plan", "show"], 0.5),
    "carbonpeak indicators --format json": ([str(BIN), "indicators", "--format", "json"], 1.0),
}


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(CPU seconds of the child, wall seconds)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return usage.ru_utime + usage.ru_stime, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CARBONPEAK_DATA_DIR": tmp, "COLUMNS": "120"}
        run(COMMANDS["carbonpeak indicators --format json"][0], env)  # stores the projection once
        cpu: dict[str, list[float]] = {k: [] for k in COMMANDS}
        wall: dict[str, list[float]] = {k: [] for k in COMMANDS}
        names = list(COMMANDS)
        for r in range(args.repeat):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                c, w = run(COMMANDS[name][0], env)
                cpu[name].append(c)
                wall[name].append(w)
    rows = []
    print(f"{args.repeat} runs each, interleaved; median (min–max)")
    for name, (_, goal) in COMMANDS.items():
        c = statistics.median(cpu[name])
        print(
            f"  {name:42} cpu {c:6.3f} s ({min(cpu[name]):.3f}–{max(cpu[name]):.3f})"
            f"   wall {statistics.median(wall[name]):6.3f} s ({min(wall[name]):.3f}–{max(wall[name]):.3f})"
        )
        rows.append(
            Row(
                "cli",
                f"{name}: CPU",
                c,
                "s",
                f"< {goal} s CPU" if goal else "",
                None if goal is None else c < goal,
                f"wall {statistics.median(wall[name]):.2f} s",
            )
        )
    record("cli", rows)


if __name__ == "__main__":
    main()
