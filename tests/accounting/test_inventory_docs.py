"""Every column of every inventory data file is described in docs/methods/inventory.md."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from carbonpeak.accounting.factors import DATA_DIR

DOC = Path(__file__).resolve().parents[2] / "docs" / "methods" / "inventory.md"


@pytest.mark.parametrize("path", sorted(DATA_DIR.glob("*.csv")), ids=lambda p: p.name)
def test_every_column_is_documented(path):
    text = DOC.read_text(encoding="utf-8")
    assert f"`{path.name}`" in text or f"`data/{path.name}`" in text
    with path.open(encoding="utf-8") as f:
        header = next(csv.reader(f))
    missing = [c for c in header if f"`{c}`" not in text and f"`{c}/" not in text and f"/{c}`" not in text]
    assert not missing, f"{path.name}: columns not described in {DOC.name}: {missing}"


def test_public_surface_is_pinned():
    import carbonpeak.accounting as accounting

    assert sorted(accounting.__all__) == sorted(
        [
            "Balance",
            "Inventory",
            "Lineage",
            "MonteCarlo",
            "approach1",
            "approach2",
            "ceads_view",
            "energy_mix",
            "factors",
            "intensity",
            "inventory",
            "lineage",
            "parse_csv",
            "read_balance",
            "total_energy",
        ]
    )
    assert all(hasattr(accounting, name) for name in accounting.__all__)
