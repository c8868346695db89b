"""Fixtures of the collection tests (helpers in collection_helpers.py)."""

from __future__ import annotations

import pytest
from collection_helpers import full_spec

from carbonpeak.collection import TemplateSpec, build_template


@pytest.fixture(scope="session")
def spec() -> TemplateSpec:
    return full_spec()


@pytest.fixture(scope="session")
def template(spec: TemplateSpec) -> bytes:
    return build_template(spec)
