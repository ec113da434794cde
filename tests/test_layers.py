"""The import graph: no module imports one above it, and there is no cycle.

Every import counts, also the ones inside functions (a lazy import is still an arrow). The layers,
lowest first, are :data:`LAYERS`; a package may import its own layer and those below. ``tests/``
and ``bench/`` sit above everything and are not scanned.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LAYERS: list[tuple[str, ...]] = [
    ("domain",),  # pure: models, stage machine, events, fold, bounds, hash rule
    ("settings",),  # the deployment's settings, read from the environment
    ("observability", "keys"),
    ("ledger",),  # owns all SQL
    ("reports",),  # renders report models
    ("activities",),  # all I/O a workflow asks for
    ("workflows",),  # decide only
    ("audit",),  # verifies the ledger, replays histories
    ("client",),  # the one interface people's programs use
    ("worker", "devserver", "demo"),  # hosts and programs over the client library
    ("cli", "api"),  # the command line and the HTTP API: translate between people and the client library
    ("starter",),  # the console script
]
LAYER = {name: i for i, names in enumerate(LAYERS) for name in names}


def modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        top = rel.parts[0] if len(rel.parts) > 1 else rel.stem
        if top not in LAYER:
            continue
        name = ".".join(rel.with_suffix("").parts).removesuffix(".__init__")
        found[name] = path
    return found


def imports(mods: dict[str, Path]) -> dict[str, set[str]]:
    """Project module -> the project modules it imports (anywhere in its body)."""
    out: dict[str, set[str]] = defaultdict(set)
    for name, path in mods.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                # ``from pkg import mod`` depends on pkg.mod; ``from pkg.mod import name`` on pkg.mod
                targets = [
                    f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in mods else node.module
                    for a in node.names
                ]
            out[name].update(t for t in targets if t in mods and t != name)
    return out


def top(module: str) -> str:
    return module.split(".")[0]


def test_every_project_package_has_a_layer() -> None:
    tops = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()} | {
        p.stem for p in ROOT.glob("*.py")
    }
    assert tops - {"tests", "bench"} == set(LAYER), "give every new top-level package or module a layer"


def test_no_module_imports_one_above_it() -> None:
    graph = imports(modules())
    upward = sorted(
        f"{a} -> {b}" for a, bs in graph.items() for b in bs if LAYER[top(b)] > LAYER[top(a)]
    )
    assert graph, "the scan found no imports: it is looking in the wrong place"
    assert upward == []


def test_no_import_cycles() -> None:
    """Tarjan's strongly connected components over the module graph: every component is one module."""
    graph = imports(modules())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
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
                cycles.append(sorted(component))

    for v in sorted(modules()):
        if v not in index:
            visit(v)
    assert cycles == []


def test_cli_holds_only_the_command_line() -> None:
    """Nothing outside ``cli/`` (but the console script) imports it: the CLI is a leaf."""
    graph = imports(modules())
    users = sorted(a for a, bs in graph.items() for b in bs if top(b) == "cli" and top(a) not in ("cli", "starter"))
    assert users == []
