"""The allow-list step shared by the AST scans (test_workflow_lint.py, test_layers_sql.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar


class _Finding(Protocol):
    @property
    def rule(self) -> str: ...


F = TypeVar("F", bound=_Finding)


def allow_listed(
    root: Path, paths: Iterable[Path], scan_source: Callable[[str, str], Sequence[F]], allowed: dict[tuple[str, str], Any]
) -> tuple[list[F], set[tuple[str, str]]]:
    """Findings of ``scan_source`` over ``paths`` not allow-listed as (file relative to ``root``, rule),
    and the allow-list entries that matched nothing (stale: the reason is gone, so is the entry)."""
    findings: list[F] = []
    used: set[tuple[str, str]] = set()
    for path in paths:
        rel = path.relative_to(root).as_posix()
        for finding in scan_source(path.read_text(encoding="utf-8"), rel):
            key = (rel, finding.rule)
            if key in allowed:
                used.add(key)
            else:
                findings.append(finding)
    return findings, set(allowed) - used
