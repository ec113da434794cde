"""Print the mutation score over mutmut's cached results (mutants/), optionally for some name globs."""

from __future__ import annotations

import fnmatch
import json
import subprocess
import sys
from collections import Counter


def main(patterns: list[str]) -> int:
    out = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"], capture_output=True, text=True, check=True
    ).stdout
    status: dict[str, str] = {}
    for line in out.splitlines():
        name, sep, verdict = line.strip().rpartition(": ")
        if sep and name:
            status[name] = verdict.strip()
    if patterns:
        status = {n: v for n, v in status.items() if any(fnmatch.fnmatch(n, p) for p in patterns)}
    counts = Counter(status.values())
    tested = {n: v for n, v in status.items() if v not in ("not checked",)}
    killed = sum(1 for v in tested.values() if v in ("killed", "timeout", "caught by type check", "segfault"))
    survivors = sorted(n for n, v in tested.items() if v in ("survived", "no tests"))
    print(f"verdicts: {json.dumps(dict(counts), sort_keys=True)}")
    print(f"mutation score: {killed}/{len(tested)} killed"
          + (f" ({100 * killed / len(tested):.1f}%)" if tested else ""))
    for name in survivors:
        print(f"  {status[name]:>9}  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
