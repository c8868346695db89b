"""The layers of docs/architecture.md hold in the code: no module cycle, domain packages import no
service, adapter or store, and every module imports on its own.

Imports are read from the source with ast, every one of them: at module level and inside functions
(a lazy import is still a dependency); only those under `if TYPE_CHECKING:` are left out (they never
run). `from package import name` counts as importing `package.name` when that is a module.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "carbonpeak"


def _modules() -> dict[str, Path]:
    """Every importable module of carbonpeak (each folder on its path a package), but `__main__`."""
    out: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        if path.name == "__main__.py" or any(
            not (ROOT / Path(*rel.parts[:i]) / "__init__.py").is_file() for i in range(1, len(rel.parts))
        ):
            continue
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported_names(module: str, path: Path) -> Iterator[str]:
    """Every name `module` imports (absolute, relative ones resolved), outside TYPE_CHECKING blocks."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]

    def walk(node: ast.AST) -> Iterator[str]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                for other in child.orelse:
                    yield from walk_one(other)
                continue
            yield from walk_one(child)

    def walk_one(node: ast.AST) -> Iterator[str]:
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package[: len(package) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            for a in node.names:
                yield f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
        yield from walk(node)

    yield from walk(ast.parse(path.read_text(encoding="utf-8")))


def import_graph() -> dict[str, set[str]]:
    """carbonpeak module → the carbonpeak modules it imports (a name inside a module counts as it)."""
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        targets = set()
        for name in _imported_names(module, path):
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
        graph[module] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            nxt = next(targets, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, ())))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_cycle():
    graph = import_graph()
    found = cycles(graph)
    described = ["\n".join(f"  {m} -> {', '.join(sorted(graph[m] & set(c)))}" for m in c) for c in found]
    assert not found, "import cycles (counting lazy imports):\n" + "\n\n".join(described)


def _layers() -> dict[str, str]:
    """package → layer, from the package table of docs/architecture.md."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## Packages", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^\| `(\w+)` \| (\w+) \|", section, flags=re.MULTILINE))


def test_domain_packages_import_no_service_adapter_or_store():
    layers = _layers()
    domain = {p for p, layer in layers.items() if layer in ("domain", "data")}
    assert {"accounting", "scenarios", "statistics", "enterprise", "metering", "budget"} <= domain
    above = [f"carbonpeak.{p}" for p, layer in layers.items() if layer not in ("domain", "data")]
    above.append("carbonpeak.app")
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        if module.partition(".")[2].partition(".")[0] in domain
        for target in targets
        if any(target == a or target.startswith(a + ".") for a in above)
    )
    assert wrong == []


# Each module in turn, with every carbonpeak module forgotten before it: an import that works only
# because another module happened to be imported first (a cycle, a missing import) fails here.
_IMPORT_EACH = """
import importlib, json, sys, traceback
failed = {}
for name in json.loads(sys.argv[1]):
    for loaded in [m for m in sys.modules if m == "carbonpeak" or m.startswith("carbonpeak.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except BaseException:
        failed[name] = traceback.format_exc(limit=-3)
print(json.dumps(failed))
"""


def test_every_module_imports_on_its_own():
    names = sorted(MODULES)
    assert "carbonpeak.services.dataset" in names and "carbonpeak.app" in names
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_EACH, json.dumps(names)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    failed = json.loads(done.stdout.strip().splitlines()[-1])
    assert failed == {}, "\n".join(f"{name}:\n{trace}" for name, trace in failed.items())
