"""The shipped scenarios loaded on the platform's data set (the demo balance's inventory), cached."""

from __future__ import annotations

from functools import cache

from carbonpeak.scenarios.history import InventoryHistory
from carbonpeak.scenarios.model import Scenario
from carbonpeak.services.projection import inventory_history, load_with_inventory


@cache
def history() -> InventoryHistory:
    return inventory_history()


@cache
def shipped(name: str) -> Scenario:
    return load_with_inventory(name, history())
