"""YAML read through libyaml when PyYAML was built with it (the C loader gives the same objects as the
pure-Python one, about eight times faster); the pure-Python loader otherwise."""

from __future__ import annotations

from typing import Any

import yaml

SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str | bytes) -> Any:
    """The document in `text` as Python objects (yaml.safe_load, on the C loader when available)."""
    return yaml.load(text, Loader=SafeLoader)
