"""The layers of docs/architecture.md, checked on the source: no import cycle between modules (a
module-level or a deferred import inside a function both count), and the domain packages import no
service, store or adapter module."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "carbonpeak"
DOMAIN = {
    "accounting",
    "collection",
    "decomposition",
    "evaluation",
    "i18n",
    "indicators",
    "plan",
    "scenarios",
    "statistics",
    "supervision",
    "units",
}
OUTER = {"services", "store", "api", "cli", "web", "reports", "app"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        name = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The carbonpeak modules `name` imports anywhere in its body (TYPE_CHECKING blocks excluded)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in MODULES else base)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(GRAPH[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    return components


def test_no_import_cycles():
    assert _cycles() == []


def test_the_cycle_finder_finds_a_cycle():
    GRAPH["carbonpeak.units"].add("carbonpeak.plan")
    GRAPH["carbonpeak.plan"].add("carbonpeak.units")
    try:
        assert ["carbonpeak.plan", "carbonpeak.units"] in _cycles()
    finally:
        GRAPH["carbonpeak.units"].discard("carbonpeak.plan")
        GRAPH["carbonpeak.plan"].discard("carbonpeak.units")


def test_domain_packages_import_no_service_store_or_adapter():
    wrong = {
        (name, target)
        for name, targets in GRAPH.items()
        if name.split(".")[1:2] and name.split(".")[1] in DOMAIN
        for target in targets
        if target.split(".")[1:2] and target.split(".")[1] in OUTER
    }
    assert wrong == set()
