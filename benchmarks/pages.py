"""Server time of every page (HTML and JSON twin) on the packaged data, in-process through the app factory.

Prints, per page, the first (cold: loads and computes the data) and the median of the following
requests (warm: the engines' answers are cached per data-file version), in milliseconds, measured
in this one run. Run: `.venv/bin/python benchmarks/pages.py [--repeat N]`.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from carbonpeak.app import create_app
from carbonpeak.services.plan import current_plan
from carbonpeak.settings import Settings


def pages() -> list[str]:
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
        "/login",
    ]
    return [p for path in paths for p in (path, _json(path))]


def _json(path: str) -> str:
    base, _, query = path.partition("?")
    return base + ".json" + (f"?{query}" if query else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="warm requests per page")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        client = TestClient(create_app(Settings(data_dir=Path(tmp), secret_key="bench")))
        print(f"{'page':42} {'status':>6} {'cold ms':>9} {'warm ms (median)':>17}")
        total_cold = total_warm = 0.0
        for path in pages():
            t0 = time.perf_counter()
            status = client.get(path).status_code
            cold = (time.perf_counter() - t0) * 1000
            warm_runs = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                client.get(path)
                warm_runs.append((time.perf_counter() - t0) * 1000)
            warm = statistics.median(warm_runs)
            total_cold += cold
            total_warm += warm
            print(f"{path:42} {status:>6} {cold:9.1f} {warm:17.1f}")
        print(f"{'all pages':42} {'':>6} {total_cold:9.1f} {total_warm:17.1f}")


if __name__ == "__main__":
    main()
