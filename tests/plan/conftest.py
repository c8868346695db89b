"""Fixtures of the plan tests: the packaged Jinan plan, the seed text it was transcribed from, normalised."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from carbonpeak.plan.load import load_plan
from carbonpeak.plan.schema import Plan

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "plans"
SEED = FIXTURES / "jinan-2023-source.md"  # verbatim copy of the published text (see docs/methods/plan.md)

# Page-break artefacts of the seed repaired in the data (docs/methods/plan.md, "Repairs"). A sentence
# split across a blank line needs no entry: whitespace is removed before comparing.
REPAIRS = {"市住房城乡建设\n\n建设局": "市住房城乡建设局"}
_HALF_TO_FULL = str.maketrans({"(": "（", ")": "）", ",": "，", ":": "：", ";": "；"})


def normalise(text: str) -> str:
    """Text as compared with the seed: repairs applied, no bold, full-width punctuation, no spaces."""
    for old, new in REPAIRS.items():
        text = text.replace(old, new)
    text = text.replace("**", "").translate(_HALF_TO_FULL)
    return "".join(text.split())


@pytest.fixture(scope="session")
def jinan() -> Plan:
    return load_plan()


@pytest.fixture(scope="session")
def seed() -> str:
    return normalise(SEED.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def norm() -> Callable[[str], str]:
    return normalise
