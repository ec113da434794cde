"""Only ``ledger/`` speaks SQL (issue 12): nothing else imports SQLAlchemy or a database driver,
names the ledger's tables, or touches an engine.

The scan reads the syntax tree of every ``.py`` outside ``ledger/`` and ``tests/`` (the tests tamper
with the database behind the ledger's back on purpose): the CLI, the auditor, the activities, the
worker, the reports and the benchmarks. The benchmarks build their big ledgers with the ledger's
own helper (``ledger.bulk``), which nothing else may use. What the rest of the code needs of the
database is a method of ``Ledger`` (or a function of ``ledger.heads`` / ``ledger.ops`` taking it).
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from pathlib import Path

from tests.allow_list import allow_listed

ROOT = Path(__file__).resolve().parent.parent
OWN = {"ledger", "tests"}
"""Top-level folders not scanned: the ledger itself, and the tests."""

DATABASE_MODULES = ("sqlalchemy", "alembic", "psycopg", "psycopg2", "sqlite3")
LEDGER_INTERNALS = {
    "ledger.schema": "the ledger's tables: SQL belongs in ledger/",
    "ledger.paging": "keyset paging: read rows through Ledger.stored_rows / iter_all_rows",
    "ledger.migrate": "schema migrations: Ledger.upgrade / check_schema",
}
BENCH_ONLY = {"ledger.bulk": "bulk loading writes rows unchecked: benchmarks only"}
ENGINE_ATTRIBUTES = {"engine", "_engine"}

# (file relative to the root, rule) -> why it is still there.
ALLOWED: dict[tuple[str, str], str] = {
    ("settings.py", "import sqlalchemy"): "safe_url parses a URL with sqlalchemy.make_url to hide its password; "
                                          "it opens no connection",
}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    rule: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule}"


def _modules(node: ast.Import | ast.ImportFrom) -> list[str]:
    """The dotted modules an import statement reaches (``from ledger import schema`` reaches ledger.schema)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level or not node.module:
        return []  # a relative import stays inside its own package
    return [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]


def scan_source(source: str, path: str = "<snippet>") -> list[Finding]:
    findings: list[Finding] = []
    in_bench = path.startswith("bench/")
    for node in ast.walk(ast.parse(source, path)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            rules = set()
            for module in _modules(node):
                root = module.split(".")[0]
                if root in DATABASE_MODULES:
                    rules.add(f"import {root}")
                for internal in (*LEDGER_INTERNALS, *(() if in_bench else BENCH_ONLY)):
                    if module == internal or module.startswith(internal + "."):
                        rules.add(f"import {internal}")
            findings += [Finding(path, node.lineno, rule) for rule in sorted(rules)]
        elif isinstance(node, ast.Attribute) and node.attr in ENGINE_ATTRIBUTES:
            findings.append(Finding(path, node.lineno, f".{node.attr}"))
    return findings


SKIPPED_DIRS = {"mutants", "build", "dist", "__pycache__"}


def _scanned(root: Path) -> list[Path]:
    """Every .py below ``root`` but in ``OWN`` folders, hidden ones (.venv, .git) and build output."""
    files = []
    for folder, dirs, names in os.walk(root):
        top = Path(folder) == root
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS
                         and not d.endswith(".egg-info") and not (top and d in OWN))
        files += [Path(folder) / n for n in sorted(names) if n.endswith(".py")]
    return files


def scan_tree(root: Path = ROOT) -> tuple[list[Finding], set[tuple[str, str]], int]:
    """Findings not allow-listed, the allow-list entries that matched nothing (stale), files scanned."""
    files = _scanned(root)
    return (*allow_listed(root, files, scan_source, ALLOWED), len(files))


def test_only_the_ledger_speaks_sql():
    findings, _, scanned = scan_tree()
    assert scanned > 50  # the CLI, audit, activities, reports, bench, worker...: not an empty walk
    assert not findings, "SQL or an engine outside ledger/ (add a Ledger method instead):\n" + "\n".join(
        map(str, findings))


def test_every_allow_list_entry_is_still_needed():
    _, stale, _ = scan_tree()
    assert not stale, f"remove from ALLOWED: {sorted(stale)}"


BAD = '''
import sqlalchemy.exc
from sqlalchemy import text, select
import psycopg
from ledger.schema import ledger_events
from ledger import schema, paging
from ledger.bulk import load

def count(ledger):
    with ledger.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM ledger_events")).scalar()

def peek(ledger):
    return ledger._engine
'''


def test_the_scan_catches_each_kind_of_violation():
    found = {(f.line, f.rule) for f in scan_source(BAD, "audit/bad.py")}
    assert found == {
        (2, "import sqlalchemy"), (3, "import sqlalchemy"), (4, "import psycopg"), (5, "import ledger.schema"),
        (6, "import ledger.schema"), (6, "import ledger.paging"), (7, "import ledger.bulk"),
        (10, ".engine"), (14, "._engine"),
    }


def test_benchmarks_may_bulk_load_and_use_the_ledgers_api():
    bench = "from ledger import bulk\nfrom ledger.store import Ledger\n\ndef build(ledger):\n" \
            "    bulk.load(ledger, events=[])\n    return ledger.count_events()\n"
    assert scan_source(bench, "bench/bench_x.py") == []
    assert [f.rule for f in scan_source(bench, "reports/x.py")] == ["import ledger.bulk"]


def test_a_violation_in_the_tree_fails_the_scan(tmp_path):
    """The tree scan reports a file outside ledger/ and leaves ledger/ and tests/ alone."""
    for folder, name, text in (("audit", "peek.py", "def rows(ledger):\n    return ledger.engine\n"),
                               ("ledger", "store.py", "from sqlalchemy import select\n"),
                               ("tests", "test_x.py", "from sqlalchemy import text\n")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / name).write_text(text)
    findings, _, scanned = scan_tree(tmp_path)
    assert scanned == 1
    assert [(f.path, f.line, f.rule) for f in findings] == [("audit/peek.py", 2, ".engine")]
