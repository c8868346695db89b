"""Page models built once per snapshot: a page whose figures all come from the plan file, the
store's current snapshot (dataset.cache_key: data set and approved reports) and the packaged
supervision bundle is the same model until one of them changes, so it is built once and shared
(the models are language-neutral; rendering does not change them).

    per_snapshot(kind, settings, db, args, build)   build() on a miss, else the stored model
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import TypeVar

from carbonpeak.services import dataset
from carbonpeak.services import supervision as supervision_service
from carbonpeak.settings import Settings
from carbonpeak.store.db import Database

T = TypeVar("T")
_SIZE = 64  # models kept (pages × filter values); all dropped when full
_PAGES: dict[tuple[Hashable, ...], object] = {}
_LOCK = threading.Lock()


def _stamp(path: str | Path) -> int:
    try:
        return Path(path).stat().st_mtime_ns
    except OSError:
        return -1


def per_snapshot(
    kind: str, settings: Settings, db: Database | None, args: tuple[Hashable, ...], build: Callable[[], T]
) -> T:
    """The page `kind` for `args` (its filters), built by `build` once per plan file version, store
    snapshot and supervision bundle version."""
    key = (
        kind,
        str(settings.plan_file),
        _stamp(settings.plan_file),
        _stamp(supervision_service.DEFAULT_BUNDLE),
        id(db) if db is not None else None,
        dataset.cache_key(db),
        *args,
    )
    with _LOCK:
        found = _PAGES.get(key)
    if found is None:
        found = build()
        with _LOCK:
            if len(_PAGES) >= _SIZE:
                _PAGES.clear()
            _PAGES[key] = found
    return found  # type: ignore[return-value]
