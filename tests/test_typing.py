"""The type check's own rules: every ``# type: ignore`` says which error and why, and the strict
part of the configuration is what ``mypy --strict`` means.

``test.sh`` runs mypy itself (before the pytest passes); these tests keep its escape hatches honest.
"""

from __future__ import annotations

import io
import re
import subprocess
import tokenize
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

IGNORE = re.compile(r"#\s*type:\s*ignore\b(?P<rest>.*)")
WITH_REASON = re.compile(r"^\[[a-z0-9-]+(,\s*[a-z0-9-]+)*\]\s+#\s*\S.*\S")
"""``[code, code]  # why``: the error codes, then a comment of at least two characters."""


def bare_ignores(source: str) -> list[tuple[int, str]]:
    """(line, comment) of each ``# type: ignore`` comment without a code and a reason after it.

    Only real comments count (tokenize), so a string that mentions the pattern is no finding."""
    found = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type != tokenize.COMMENT:
            continue
        m = IGNORE.search(tok.string)
        if m and not WITH_REASON.match(m.group("rest")):
            found.append((tok.start[0], tok.string))
    return found


def project_files() -> list[Path]:
    """The Python files git tracks (the virtualenv, caches and mutation copies are not the project)."""
    out = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True)
    return [ROOT / line for line in out.stdout.splitlines()]


def test_every_type_ignore_in_the_project_names_its_error_and_says_why() -> None:
    files = project_files()
    assert len(files) > 100, "git ls-files found too few files: is this the checkout?"
    found = [f"{p.relative_to(ROOT)}:{line}: {comment}"
             for p in files for line, comment in bare_ignores(p.read_text(encoding="utf-8"))]
    assert found == [], "write `# type: ignore[code]  # why` (or fix the type):\n" + "\n".join(found)


def test_the_scan_finds_each_kind_of_bare_ignore_and_passes_explained_ones() -> None:
    source = "\n".join([
        "a = f()  # type: ignore",  # 1: no code
        "b = f()  # type: ignore[arg-type]",  # 2: no reason
        "c = f()  # type: ignore[arg-type]  #",  # 3: an empty reason
        "d = f()  # type:ignore[misc]  # x",  # 4: a one-character reason
        "e = f()  # type: ignore[arg-type]  # the converter takes any type hint",  # explained
        "g = f()  # type: ignore[arg-type, misc]  # both: the stub is wrong",  # explained, two codes
        "h = '# type: ignore'",  # a string, not a comment
        "i = f()  # noqa: E501  # type: ignore[index]",  # 8: after another comment, no reason
    ])
    assert [line for line, _ in bare_ignores(source)] == [1, 2, 3, 4, 8]


def test_the_strict_packages_get_every_flag_of_mypy_strict() -> None:
    """``strict = true`` in an override would apply to every module (seen with mypy 2.4), so the
    override lists the flags; this keeps the list equal to what ``--strict`` enables."""
    from mypy.main import define_options

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    strict = [o for o in config["overrides"] if "domain.*" in o["module"]]
    assert len(strict) == 1 and set(strict[0]["module"]) == {"domain.*", "workflows.*", "client.*"}
    _, _, assignments = define_options()
    assert len(assignments) > 10, assignments
    missing = [f"{flag} = {str(value).lower()}" for flag, value in assignments
               if strict[0].get(flag, config.get(flag)) != value]
    assert missing == [], "add to the strict override in pyproject.toml: " + ", ".join(missing)
    assert "strict" not in strict[0]
