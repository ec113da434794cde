"""Lint (AST scan): workflow and domain code stays deterministic and holds no shared mutable state.

``workflows/`` and ``domain/`` are passed through the workflow sandbox (workflows/sandbox.py): they
are imported once and shared by every workflow instance, and the sandbox's import-time restrictions
(``datetime.now`` behind a proxy and so on) no longer see into them. This scan takes over: no
clock, no randomness, no I/O, no threads, no environment, no ``global`` and no module-level
mutable value unless allow-listed below with the reason it is legitimate. See docs/notes/sandbox.md.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.allow_list import allow_listed

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("workflows", "domain")

# Importing any of these (or a child) is a finding: randomness, I/O, processes, threads, the ledger.
FORBIDDEN_MODULES = {
    "random": "randomness: use workflow.random()",
    "secrets": "randomness: use workflow.random()",
    "socket": "I/O: network",
    "ssl": "I/O: network",
    "requests": "I/O: network",
    "httpx": "I/O: network",
    "aiohttp": "I/O: network",
    "urllib": "I/O: network",
    "http": "I/O: network",
    "smtplib": "I/O: network",
    "sqlalchemy": "I/O: database (the ledger is written by an activity)",
    "psycopg": "I/O: database",
    "sqlite3": "I/O: database",
    "ledger": "I/O: the ledger is written by the record_events activity",
    "subprocess": "I/O: processes",
    "multiprocessing": "threads/processes",
    "threading": "threads: workflow code runs on the SDK's deterministic event loop",
    "_thread": "threads",
    "concurrent": "threads: concurrent.futures",
    "shutil": "I/O: files",
    "tempfile": "I/O: files",
    "glob": "I/O: files",
}

# Using one of these dotted names (after resolving import aliases) is a finding.
FORBIDDEN_NAMES = {
    "datetime.datetime.now": "clock: use workflow.now()",
    "datetime.datetime.utcnow": "clock: use workflow.now()",
    "datetime.datetime.today": "clock: use workflow.now()",
    "datetime.date.today": "clock: use workflow.now().date()",
    "time.time": "clock: use workflow.now()",
    "time.time_ns": "clock: use workflow.now()",
    "time.monotonic": "clock: use workflow.now()",
    "time.monotonic_ns": "clock: use workflow.now()",
    "time.perf_counter": "clock",
    "time.perf_counter_ns": "clock",
    "time.process_time": "clock",
    "time.localtime": "clock",
    "time.gmtime": "clock",
    "time.ctime": "clock",
    "time.sleep": "blocks the event loop: use workflow.sleep()",
    "uuid.uuid1": "randomness/clock: use workflow.uuid4()",
    "uuid.uuid4": "randomness: use workflow.uuid4()",
    "os.urandom": "randomness",
    "os.getrandom": "randomness",
    "os.environ": "environment: pass settings in the workflow input",
    "os.environb": "environment",
    "os.getenv": "environment",
    "os.putenv": "environment",
    "os.system": "I/O: processes",
    "os.popen": "I/O: processes",
    "os.listdir": "I/O: files",
    "os.scandir": "I/O: files",
    "os.remove": "I/O: files",
    "os.getpid": "process state",
    "asyncio.to_thread": "threads",
    "asyncio.get_event_loop().run_in_executor": "threads",
    "pathlib.Path.read_text": "I/O: files",
    "pathlib.Path.read_bytes": "I/O: files",
    "pathlib.Path.write_text": "I/O: files",
    "pathlib.Path.write_bytes": "I/O: files",
    "pathlib.Path.open": "I/O: files",
    "pathlib.Path.exists": "I/O: files",
}

# Builtins that are findings when called (unless shadowed by an import).
FORBIDDEN_BUILTINS = {
    "open": "I/O: files",
    "input": "I/O: terminal",
    "print": "I/O: use workflow.logger",
    "breakpoint": "debugger",
    "exec": "dynamic code",
    "eval": "dynamic code",
    "__import__": "dynamic import",
}

# Attribute names that are findings whatever they are called on.
FORBIDDEN_ATTRIBUTES = {"run_in_executor": "threads"}

MUTABLE_FACTORIES = {"dict", "list", "set", "bytearray", "defaultdict", "OrderedDict", "Counter", "deque"}

# (file relative to the root, rule) -> why it is legitimate.
ALLOWED: dict[tuple[str, str], str] = {
    ("domain/impact.py", "module-level mutable TARGETS"): "constant table of programme targets, only read",
    ("domain/impact.py", "module-level mutable LABELS"): "constant table of metric labels, only read",
    ("domain/impact_facts.py", "module-level mutable _STAGE_OF"): "constant lookup table, only read",
    ("domain/matchmaking.py", "module-level mutable _SCORERS"): "constant dispatch table, only read",
    ("domain/vocab.py", "module-level mutable HOTSPOT_REGION"): "constant lookup table, only read",
    ("workflows/sandbox.py", "import temporalio.worker"): "builds the runner; not run in workflow code",
}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    rule: str
    why: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule} ({self.why})"


def _aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> dotted name it stands for, from every import in the module."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    names[a.asname] = a.name
                else:
                    top = a.name.split(".")[0]
                    names[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                names[a.asname or a.name] = f"{node.module}.{a.name}"
    return names


def _dotted(node: ast.AST, aliases: dict[str, str]) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Call):  # e.g. asyncio.get_event_loop().run_in_executor
        inner = _dotted(node.func, aliases)
        if inner is None:
            return None
        return ".".join([inner + "()", *reversed(parts)])
    if not isinstance(node, ast.Name) or node.id not in aliases:
        return None
    return ".".join([aliases[node.id], *reversed(parts)])


def _module_forbidden(module: str) -> str | None:
    for name, why in FORBIDDEN_MODULES.items():
        if module == name or module.startswith(name + "."):
            return why
    return None


def scan_source(source: str, path: str = "<snippet>") -> list[Finding]:
    """Every finding in one module's source (before the allow-list)."""
    tree = ast.parse(source, filename=path)
    aliases = _aliases(tree)
    found: list[Finding] = []

    def add(node: ast.AST, rule: str, why: str) -> None:
        found.append(Finding(path, getattr(node, "lineno", 0), rule, why))

    for node in _nodes(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if why := _module_forbidden(a.name):
                    add(node, f"import {a.name}", why)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if why := _module_forbidden(node.module):
                add(node, f"import {node.module}", why)
            for a in node.names:
                full = f"{node.module}.{a.name}"
                if full in FORBIDDEN_NAMES:
                    add(node, f"import {full}", FORBIDDEN_NAMES[full])
            if node.module.startswith("temporalio.worker"):
                add(node, "import temporalio.worker", "worker machinery in workflow code")
        elif isinstance(node, ast.Attribute):
            dotted = _dotted(node, aliases)
            if dotted in FORBIDDEN_NAMES:
                add(node, dotted, FORBIDDEN_NAMES[dotted])
            elif dotted and dotted.endswith("run_in_executor") and "()" in dotted:
                add(node, dotted, "threads")
            elif node.attr in FORBIDDEN_ATTRIBUTES:
                add(node, f".{node.attr}", FORBIDDEN_ATTRIBUTES[node.attr])
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            if name in FORBIDDEN_BUILTINS and name not in aliases:
                add(node, f"{name}()", FORBIDDEN_BUILTINS[name])
        elif isinstance(node, ast.Global):
            add(node, f"global {', '.join(node.names)}", "module state shared by every workflow instance")

    # Module-level mutable values: shared by every workflow instance once passed through.
    for stmt in tree.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        if value is None or not _mutable(value):
            continue
        for t in targets:
            if isinstance(t, ast.Name) and t.id != "__all__":  # the export list
                add(stmt, f"module-level mutable {t.id}", "shared by every workflow instance: use a tuple, "
                    "frozenset or MappingProxyType, or allow-list it as a table that is only read")
    return found


def _is_main_guard(stmt: ast.stmt) -> bool:
    """``if __name__ == "__main__":`` at module level: a script's entry point, never run on import,
    so never in a worker (e.g. ``python -m workflows.search_attributes`` writing the setup script)."""
    t = stmt.test if isinstance(stmt, ast.If) else None
    return (
        isinstance(t, ast.Compare) and isinstance(t.left, ast.Name) and t.left.id == "__name__"
        and len(t.comparators) == 1 and isinstance(t.comparators[0], ast.Constant)
        and t.comparators[0].value == "__main__"
    )


def _nodes(tree: ast.Module) -> list[ast.AST]:
    """Every node of the module but those under a top-level ``__main__`` guard."""
    return [node for stmt in tree.body if not _is_main_guard(stmt) for node in ast.walk(stmt)]


def _mutable(value: ast.expr) -> bool:
    if isinstance(value, (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)):
        return True
    if isinstance(value, ast.Call):
        f = value.func
        name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
        return name in MUTABLE_FACTORIES
    return False


def scan_tree(root: Path = ROOT) -> tuple[list[Finding], set[tuple[str, str]]]:
    """Findings not allow-listed, and the allow-list entries that matched nothing (stale)."""
    paths = [path for package in SCANNED for path in sorted((root / package).rglob("*.py"))]
    return allow_listed(root, paths, scan_source, ALLOWED)


def test_workflow_and_domain_code_has_no_nondeterminism_io_threads_or_shared_state():
    findings, _ = scan_tree()
    assert not findings, "\n".join(map(str, findings))


def test_every_allow_list_entry_is_still_needed():
    _, stale = scan_tree()
    assert not stale, f"remove from ALLOWED: {sorted(stale)}"


BAD = '''
import random
import datetime as dt
import threading
from datetime import date, datetime
from time import monotonic
import time, uuid, os, asyncio
import sqlalchemy.orm
from urllib.request import urlopen
from secrets import token_hex
from concurrent.futures import ThreadPoolExecutor

SEEN = {}
CACHE: list[int] = []

def decide():
    global SEEN
    a = datetime.now()
    b = dt.datetime.utcnow()
    c = date.today()
    d = time.time() + monotonic()
    e = uuid.uuid4()
    f = os.environ["HOME"] + os.urandom(4).hex() + os.getenv("X", "")
    g = open("/etc/hostname").read()
    asyncio.get_event_loop().run_in_executor(None, print)
    return random.random()
'''

EXPECTED = {
    "import random", "import threading", "import sqlalchemy.orm", "import urllib.request", "import secrets",
    "import concurrent.futures", "import time.monotonic",
    "module-level mutable SEEN", "module-level mutable CACHE", "global SEEN",
    "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.date.today", "time.time",
    "uuid.uuid4", "os.environ", "os.urandom", "os.getenv", "open()", "asyncio.get_event_loop().run_in_executor",
}

GOOD = '''
from datetime import UTC, datetime, time, timedelta
from temporalio import workflow
import uuid

LIMITS = (1, 2, 3)
KINDS = frozenset({"a", "b"})

async def run(at: datetime) -> None:
    now = workflow.now()
    opens = time(9, 0)                      # datetime.time, not the time module
    key = workflow.uuid4()
    parsed = uuid.UUID("12345678123456781234567812345678")
    late = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=1) < now
    await workflow.sleep(timedelta(seconds=1))
    draw = workflow.random().random()

if __name__ == "__main__":                  # a script's entry point: never run in a worker
    print(open("setup.sh", "w").write("#!/bin/sh"))
'''


def test_the_rule_catches_each_kind_of_violation_in_a_bad_snippet():
    rules = {f.rule for f in scan_source(BAD)}
    assert EXPECTED <= rules, f"missed: {sorted(EXPECTED - rules)}"


def test_the_rule_passes_deterministic_code():
    assert scan_source(GOOD) == []


@pytest.mark.parametrize("line, rule", [
    ("import datetime\nx = datetime.datetime.now()", "datetime.datetime.now"),
    ("from datetime import datetime as D\nx = D.today()", "datetime.datetime.today"),
    ("import time as t\nx = t.monotonic()", "time.monotonic"),
    ("from uuid import uuid4\nx = uuid4()", "import uuid.uuid4"),
    ("import os\nx = os.environ.get('A')", "os.environ"),
    ("from os import environ", "import os.environ"),
    ("import random as r", "import random"),
    ("x = open('f')", "open()"),
])
def test_the_rule_sees_through_aliases(line, rule):
    assert rule in {f.rule for f in scan_source(line)}


def test_a_violation_in_the_tree_fails_the_scan(tmp_path):
    """The tree scan (not only the snippet scanner) reports a file that breaks the rule."""
    (tmp_path / "workflows").mkdir()
    (tmp_path / "domain").mkdir()
    (tmp_path / "domain" / "clock.py").write_text("import time\n\ndef stamp():\n    return time.time()\n")
    findings, _ = scan_tree(tmp_path)
    assert [(f.path, f.line, f.rule) for f in findings] == [("domain/clock.py", 4, "time.time")]
