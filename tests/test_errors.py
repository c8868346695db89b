"""The one error hierarchy: every exception class of the package is defined in carbonpeak/errors.py,
derives from CarbonpeakError and stands in the module's tree (the tree docs/architecture.md points to)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import carbonpeak
from carbonpeak import errors

PACKAGE = Path(carbonpeak.__file__).parent
EXCEPTION_BASES = {"Exception", "RuntimeError", "ValueError", "KeyError", "TypeError", "LookupError"}
# signals caught inside their own package, never raised to a caller: private names (`_Stop`) and
# collection's CellFault (rules.py raises it per cell, parse.py turns it into a located Problem)
INTERNAL_SIGNALS = {"CellFault"}


def _exception_classes_outside_errors() -> list[str]:
    """Classes outside errors.py whose bases name a builtin exception or a class of errors.py."""
    ours = {name for name, obj in vars(errors).items() if inspect.isclass(obj) and issubclass(obj, Exception)}
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases}
            internal = node.name.startswith("_") or node.name in INTERNAL_SIGNALS
            if bases & (EXCEPTION_BASES | ours) and not internal:
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}")
    return found


def test_every_exception_class_is_defined_in_errors_py():
    assert _exception_classes_outside_errors() == []


def test_every_error_class_derives_from_carbonpeak_error_and_stands_in_the_tree():
    tree = errors.__doc__ or ""
    classes = [
        obj
        for obj in vars(errors).values()
        if inspect.isclass(obj) and issubclass(obj, Exception) and obj.__module__ == errors.__name__
    ]
    assert len(classes) >= 10
    for cls in classes:
        assert issubclass(cls, errors.CarbonpeakError), cls
        assert f" {cls.__name__} " in tree, f"{cls.__name__} missing from the tree in errors.py"
        assert cls.__name__ in errors.__all__
