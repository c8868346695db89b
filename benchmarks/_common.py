"""What every benchmark shares: both sides timed interleaved in one run, and one results file each.

interleaved({name: fn}, repeat)   runs the sides in turn (the order rotating each round), so a
                                  slow moment of a shared machine hits every side alike;
                                  Timing per side: median and spread (min–max) of wall and CPU
record(bench, rows)               writes benchmarks/results/<bench>.json, which
                                  benchmarks/report.py gathers into benchmarks/RESULTS.md
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Timing:
    wall: list[float]  # seconds, one per round
    cpu: list[float]  # seconds of this process's CPU (all threads), one per round

    @property
    def wall_median(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    def text(self, scale: float = 1e3, unit: str = "ms") -> str:
        def one(label: str, xs: list[float]) -> str:
            mid, lo, hi = statistics.median(xs) * scale, min(xs) * scale, max(xs) * scale
            return f"{label} {mid:9.3f} {unit} ({lo:.3f}–{hi:.3f})"

        return f"{one('wall', self.wall)}   {one('cpu', self.cpu)}"


def interleaved(sides: dict[str, Callable[[], object]], repeat: int) -> dict[str, Timing]:
    """Each side `repeat` times, interleaved (round r starts with side r mod n)."""
    names = list(sides)
    wall: dict[str, list[float]] = {n: [] for n in names}
    cpu: dict[str, list[float]] = {n: [] for n in names}
    for r in range(repeat):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            w0, c0 = time.perf_counter(), time.process_time()
            sides[name]()
            cpu[name].append(time.process_time() - c0)
            wall[name].append(time.perf_counter() - w0)
    return {n: Timing(wall[n], cpu[n]) for n in names}


@dataclass(frozen=True)
class Row:
    """One line of benchmarks/RESULTS.md: a measure, its value, and the goal it is held to."""

    benchmark: str
    measure: str
    value: float
    unit: str
    goal: str = ""  # e.g. "< 2 s CPU"; empty: shown for information
    met: bool | None = None
    detail: str = ""


def record(bench: str, rows: list[Row]) -> None:
    """Write `rows` (with the machine's load at the end of the run: the machine is shared, and a
    wall time is only as good as the load it was measured under) and print them."""
    load1, load5, _ = os.getloadavg()
    rows = [
        *rows,
        Row(
            bench,
            "load average (1 min) at the end of the run",
            load1,
            "",
            detail=f"5 min {load5:.1f}; {os.cpu_count()} cores shared with other work",
        ),
    ]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{bench}.json").write_text(
        json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=1), encoding="utf-8"
    )
    for r in rows:
        verdict = "" if r.met is None else ("met" if r.met else "MISSED")
        print(f"  {r.measure:58} {r.value:12.4g} {r.unit:8} {r.goal:16} {verdict} {r.detail}")
