"""Gather benchmarks/results/*.json (written by each benchmark) into benchmarks/RESULTS.md: one table,
met / missed per goal. Run by `make bench` after the benchmarks; run after one benchmark alone, it
keeps the rows of the others from the RESULTS.md it replaces (their JSON is absent in a fresh
checkout: benchmarks/results/ is not committed)."""

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
    fresh = {path.stem: path for path in (HERE / "results").glob("*.json")}
    for name in sorted(set(fresh) | set(earlier := earlier_rows())):
        if name not in fresh:
            for line in earlier[name]:
                missed += line.endswith("| **missed** |")
                met += line.endswith("| met |")
                lines.append(line)
            continue
        for r in json.loads(fresh[name].read_text(encoding="utf-8")):
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


def earlier_rows() -> dict[str, list[str]]:
    """The table rows of the present RESULTS.md by benchmark (the first cell)."""
    out: dict[str, list[str]] = {}
    path = HERE / "RESULTS.md"
    if not path.is_file():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = line.split(" | ")
        if line.startswith("| ") and len(cells) >= 6 and not line.startswith(("| benchmark ", "| --- ")):
            out.setdefault(cells[0].removeprefix("| "), []).append(line)
    return out


if __name__ == "__main__":
    main()
