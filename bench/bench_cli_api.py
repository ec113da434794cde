"""The CLI through the API: whole ``brandpunt`` processes next to the ``temporal`` CLI.

    .venv/bin/python -m bench.bench_cli_api [--runs 21]

Starts ``brandpunt dev`` (dev server, worker, API with its development sign-in) in a home of its
own, signs in as a BOM coordinator (``brandpunt login --dev-user``), starts one case, then times,
in alternating rounds so all three see the same machine:

- ``brandpunt lead show CASE`` through the API (``BRANDPUNT_API_URL``): the text the API renders;
- ``brandpunt lead note CASE --text ...`` through the API: a coordinator action (HTTP -> may() ->
  update -> ledger -> the text of what was recorded);
- ``temporal workflow query --workflow-id CASE --type state``: the floor, a process that only asks
  Temporal (no identity, no ledger, no rendering).

Prints the median wall time of each. Issue 13's target: ``lead show`` and an action each at most
0.25 s (median), loading neither ``temporalio`` nor SQLAlchemy (tests/test_api_cli.py checks that).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from devserver import temporal_cli
from tests.test_cli_e2e import BIN, SERIAL, Dev

LEAD = ["--kvk", "13572468", "--hotspot", "brainport-eindhoven", "--domain", "photonics", "--type", "scaleup",
        "--phase", "1", "--contact-name", "Bench", "--contact-email", "bench@example.org"]


def timed(args: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
    took = time.perf_counter() - t
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:3])}...: exit {done.returncode}: {done.stderr[-500:]}")
    return took


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=21, help="rounds (each runs all three once); the first is warm-up")
    a = p.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bench-cli-api-"))
    dev = Dev(home / "dev", "sqlite")
    dev.start()
    try:
        person = {**dev.env, "BRANDPUNT_HOME": str(home / "coordinator"), "BRANDPUNT_API_URL": dev.api_url}
        brandpunt = [str(BIN)]
        timed([*brandpunt, "login", "--dev-user", "bom.coordinator"], person)
        started = subprocess.run([*brandpunt, "lead", "start", "--company", "Bench BV", "--region", "bom", *LEAD],
                                 env=person, capture_output=True, text=True, timeout=60, check=True)
        found = SERIAL.search(started.stdout)
        assert found, started.stdout
        case = found.group(0)
        query = [temporal_cli(), "workflow", "query", "--workflow-id", case, "--type", "state",
                 "--address", dev.address]
        times: dict[str, list[float]] = {"show": [], "note": [], "query": []}
        for i in range(a.runs):
            took = {"show": timed([*brandpunt, "lead", "show", case], person),
                    "note": timed([*brandpunt, "lead", "note", case, "--text", f"round {i}"], person),
                    "query": timed(query, os.environ.copy())}
            if i:  # the first round warms the caches
                for k, v in took.items():
                    times[k].append(v)
    finally:
        dev.stop()
    one, five, _ = os.getloadavg()
    print(f"{a.runs - 1} rounds, alternating; load average {one:.2f} {five:.2f} on {os.cpu_count()} cores")
    print(f"{'command':<58}{'median s':>10}{'max s':>8}")
    rows = (("brandpunt lead show CASE (through the API)", "show"),
            ("brandpunt lead note CASE --text ... (through the API)", "note"),
            ("temporal workflow query --type state (the floor)", "query"))
    for label, key in rows:
        print(f"{label:<58}{statistics.median(times[key]):>10.3f}{max(times[key]):>8.3f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
