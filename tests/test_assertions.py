"""A scan of the test suite for assertions that pass whatever the code under test does.

Each pattern here once hid a bug (issue 18). The scan reads the tests' syntax trees; the mutation
run (tests/mutation/run.sh) is the other half of the check: it shows which assertions never fail.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from pathlib import Path

TESTS = sorted(Path(__file__).parent.glob("test_*.py"))


def _is_raises(item: ast.withitem) -> bool:
    call = item.context_expr
    return isinstance(call, ast.Call) and ast.unparse(call.func) in ("pytest.raises", "raises")


def _assigned(node: ast.AST) -> set[str]:
    out: set[str] = set()
    for sub in ast.walk(node):
        targets: Sequence[ast.expr | None] = []
        if isinstance(sub, ast.Assign):
            targets = sub.targets
        elif isinstance(sub, (ast.AugAssign, ast.AnnAssign, ast.NamedExpr)):
            targets = [sub.target]
        elif isinstance(sub, (ast.For, ast.AsyncFor, ast.withitem)):
            targets = [sub.target if isinstance(sub, (ast.For, ast.AsyncFor)) else sub.optional_vars]
        for t in targets:
            if t is not None:
                out |= {ast.unparse(x) for x in ast.walk(t) if isinstance(x, (ast.Name, ast.Attribute))}
    return out


def _iterated(expr: ast.expr) -> str | None:
    """``all(... for x in NAME)`` and ``set(NAME) <= S``: the collection that may be empty."""
    if isinstance(expr, ast.Call) and ast.unparse(expr.func) == "all" and expr.args:
        arg = expr.args[0]
        if isinstance(arg, (ast.GeneratorExp, ast.ListComp)):
            return ast.unparse(arg.generators[0].iter)
        return ast.unparse(arg)
    if isinstance(expr, ast.Compare) and len(expr.ops) == 1 and isinstance(expr.ops[0], (ast.LtE, ast.Lt)):
        left = expr.left
        if isinstance(left, ast.Call) and ast.unparse(left.func) in ("set", "frozenset") and left.args:
            return ast.unparse(left.args[0])
        if isinstance(expr.comparators[0], ast.Set):
            return ast.unparse(left)
    return None


def _findings(path: Path) -> Iterator[str]:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    allowed = {i for i, line in enumerate(source.splitlines(), start=1) if "# may be empty" in line}
    for node in ast.walk(tree):
        where = f"{path.name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Assert):
            test = node.test
            if isinstance(test, ast.Constant) and test.value:
                yield f"{where}: assert on a constant"
            if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or) and any(
                    isinstance(v, ast.Constant) and v.value for v in test.values):
                yield f"{where}: `or <true constant>` makes the assert pass"
        if isinstance(node, (ast.With, ast.AsyncWith)) and any(_is_raises(i) for i in node.items):
            for stmt in node.body[1:]:
                for sub in ast.walk(stmt):
                    if isinstance(sub, ast.Assert):
                        yield f"{path.name}:{sub.lineno}: assert inside pytest.raises after the raising call never runs"
        if isinstance(node, ast.ExceptHandler) and node.type is not None:
            names = {ast.unparse(t) for t in (node.type.elts if isinstance(node.type, ast.Tuple) else [node.type])}
            quiet = all(isinstance(b, (ast.Pass, ast.Continue)) or
                        (isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant)) for b in node.body)
            if "AssertionError" in names or (quiet and names & {"BaseException", "Exception"}):
                yield f"{where}: except {', '.join(sorted(names))} swallows failed assertions"
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield from (f for f in _in_function(path, node) if int(f.split(":")[1]) not in allowed)


def _in_function(path: Path, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[str]:
    """Linear checks over a function body: aliases compared after nothing rebound them, and
    all()/subset asserts over a collection nothing asserted to be non-empty."""
    aliases: dict[str, str] = {}  # alias -> what it was taken from
    checked: set[str] = set()  # names some earlier assert looked at directly
    for stmt in fn.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.value, (ast.Name, ast.Attribute)):
            aliases[ast.unparse(stmt.targets[0])] = ast.unparse(stmt.value)
            continue
        for name in _assigned(stmt):
            for alias, source in list(aliases.items()):
                if name in (alias, source):
                    del aliases[alias]
        for sub in ast.walk(stmt):
            if not isinstance(sub, ast.Assert):
                continue
            test = sub.test
            if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Is, ast.Eq)):
                pair = {ast.unparse(test.left), ast.unparse(test.comparators[0])}
                if any({alias, source} == pair for alias, source in aliases.items()):
                    yield f"{path.name}:{sub.lineno}: compares a value with its own alias: nothing rebound it"
            for part in (test.values if isinstance(test, ast.BoolOp) else [test]):
                collection = _iterated(part)
                if collection is not None and collection not in checked and not _literal(collection):
                    yield (f"{path.name}:{sub.lineno}: all()/subset over {collection!r} passes when it is empty: "
                           "assert it non-empty first")
                checked |= {ast.unparse(x) for x in ast.walk(part) if part is not None and collection is None
                            and isinstance(x, (ast.Name, ast.Attribute, ast.Subscript, ast.Call))}


def _literal(text: str) -> bool:
    """A literal that is non-empty as written: a constant, or a display with an element not starred."""
    node = ast.parse(text, mode="eval").body
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)) and any(not isinstance(e, ast.Starred) for e in node.elts):
        return True
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return False
    return bool(value)


def test_no_assertion_in_the_suite_passes_regardless_of_the_code():
    assert len(TESTS) > 10
    found = [f for path in TESTS for f in _findings(path)]
    assert found == []


def test_the_scan_finds_each_pattern(tmp_path):
    bad = tmp_path / "test_bad.py"
    bad.write_text(
        "import pytest\n"
        "def test_a(state):\n"
        "    before = state\n"
        "    with pytest.raises(ValueError):\n"
        "        run(state)\n"
        "        assert False\n"
        "    assert state is before\n"
        "    assert x or True\n"
        "    runs = months()\n"
        "    assert set(runs) <= {6, 12}\n"
        "    assert all(r > 0 for r in runs)\n"
        "    try:\n"
        "        assert f()\n"
        "    except AssertionError:\n"
        "        pass\n"
        "    assert all(r for r in [*runs, 1])\n"
        "    assert all(r for r in runs)  # may be empty: intended\n"
        "def test_b():\n"
        "    runs = months()\n"
        "    assert runs\n"
        "    assert set(runs) <= {6, 12}\n",
        encoding="utf-8",
    )
    found = list(_findings(bad))
    assert sorted(int(f.split(": ", 1)[0].split(":")[1]) for f in found) == [6, 7, 8, 10, 11, 14], found
