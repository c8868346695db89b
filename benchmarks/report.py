"""Gather benchmarks/results/*.json (written by each benchmark) into benchmarks/RESULTS.md: one table,
met / missed per goal. Run by `make bench` after the benchmarks."""

from __future__ import annotations

import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    lines = [
        "# Benchmark results",
        "",
        f"Written by `make bench` ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"Python {platform.python_version()}, {platform.machine()}). "
        "Each side of a comparison is timed interleaved with the other in one run; medians with the "
        "spread (min–max) are in each benchmark's output. The machine is shared: wall times are "
        "noisy, CPU times less so; each benchmark's last row gives the load average it ran under "
        f"(at this writing: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores).",
        "",
        "| benchmark | measure | value | unit | goal | met |",
        "| --- | --- | ---: | --- | --- | --- |",
    ]
    missed = met = 0
    for path in sorted((HERE / "results").glob("*.json")):
        for r in json.loads(path.read_text(encoding="utf-8")):
            verdict = "" if r["met"] is None else ("met" if r["met"] else "**missed**")
            missed += r["met"] is False
            met += r["met"] is True
            detail = f" ({r['detail']})" if r["detail"] else ""
            cells = [
                r["benchmark"],
                r["measure"] + detail,
                f"{r['value']:.4g}",
                r["unit"],
                r["goal"],
                verdict,
            ]
            lines.append("| " + " | ".join(cells) + " |")
    lines += ["", f"Goals met: {met}; missed: {missed}.", ""]
    (HERE / "RESULTS.md").write_text("\n".join(lines), encoding="utf-8")
    sys.stdout.write("\n".join(lines))


if __name__ == "__main__":
    main()
