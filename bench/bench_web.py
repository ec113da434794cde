"""Server time of the web app's pages over 10,000 cases and one case of 1,000 events (issue 15).

    .venv/bin/python -m bench.bench_web [--cases 10000] [--events 1000] [--runs 50]

One dev server and a worker in this process, a SQLite ledger of ``--cases`` cases appended through
``Ledger.append`` (the projection the worker writes), spread over the twelve home regions so each
ROM owns its share (a tenth in needs articulation, a share shared with another ROM), and one case
of ``--events`` events (notes). The app is reached in-process (httpx's ASGI transport), so what is
timed is the server's time per request: a signed-in coordinator's inbox, the case list with a
search, the case list of everything an auditor reads, the board, the case page of the 1,000-event
case, and an action's round trip (a note by the form, answered with the case swapped in) next to
the same note through the JSON API, alternating. Prints median and p95 per page and the ratio of the
action to the API's (targets: every page p95 <= 150 ms, the action <= 1.3x the API).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

import settings
from api.app import create_app
from client.local import LocalCases
from devserver import SQLITE_PRAGMAS, temporal_cli
from domain.commands import Command
from domain.decide import Context, decide
from domain.state import fold
from domain.vocab import Region
from keys import Keyring, Signer
from ledger.store import Ledger
from tests import factories as f
from worker import build_worker
from workflows.search_attributes import ALL_KEYS

BASE = "http://bench"
REGION_HOTSPOT = {"bom": "brainport-eindhoven", "oost-nl": "twente", "innovationquarter": "zuidvleugel",
                  "horizon-flevoland": "almere"}


def p95(xs: list[float]) -> float:
    return sorted(xs)[max(0, round(0.95 * len(xs)) - 1)]


def build(ledger: Ledger, n: int, now: datetime) -> None:
    """``n`` cases over the regions, detected over the last two years, through ``Ledger.append``."""
    regions = [r.value for r in Region]
    for i in range(n):
        region = regions[i % len(regions)]
        case_id = f"BP-2025-{i + 1:05d}"
        at = now - timedelta(days=730) + timedelta(minutes=105 * i)
        lead = {**f.LEAD, "company": f"Bench {i:05d} Fotonica BV", "kvk": f"{30_000_000 + i}", "home_region": region,
                "hotspot": REGION_HOTSPOT.get(region), "phase": 1 + i % 3, "coordinator": f"c{i % 20}@rom.example"}
        commands: list[Command] = [f.start(**lead)]
        if i % 10 == 0:
            commands.append(f.command("articulate-needs", needs=f.NEEDS))
        if i % 25 == 0:
            commands.append(f.command("share", share_with="bom" if region != "bom" else "oost-nl",
                                      purpose="bench", until="2099-01-01"))
        state = None
        for k, command in enumerate(commands):
            new = decide(state, command, Context(case_id, at + timedelta(hours=k)))
            ledger.append(new)
            state = fold(new, state)


def long_case(ledger: Ledger, case_id: str, events: int, now: datetime) -> None:
    state = None
    at = now - timedelta(days=300)
    for k in range(events):
        command = f.start(company="Duizend Stappen BV", kvk="39999999") if k == 0 else f.command(
            "note", text=f"meeting {k}: the grid operator asked for the load profile again")
        new = decide(state, command, Context(case_id, at + timedelta(hours=k)))
        ledger.append(new)
        state = fold(new, state)


async def signed_in(app: object, user: str) -> tuple[httpx.AsyncClient, str]:
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)  # type: ignore[arg-type]  # an ASGI app
    assert (await http.post("/auth/dev", data={"user": user})).status_code == 303
    page = (await http.get("/app/cases?stage=closed")).text
    return http, re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]  # the page has one


async def timed(label: str, runs: int, call: Callable[[], Awaitable[httpx.Response]],
                check: Callable[[httpx.Response], object]) -> tuple[str, list[float]]:
    times = []
    for i in range(runs + 3):  # three warm-ups
        t = time.perf_counter()
        response = await call()
        elapsed = time.perf_counter() - t
        check(response)
        if i >= 3:
            times.append(elapsed)
    return label, times


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", type=int, default=10_000)
    p.add_argument("--events", type=int, default=1_000)
    p.add_argument("--runs", type=int, default=50)
    a = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-web-"))
    url = f"sqlite:///{tmp / 'ledger.db'}"
    ledger = Ledger.open(url, upgrade=True)
    ledger.seed_hotspots()
    now = datetime.now(UTC)
    t = time.perf_counter()
    build(ledger, a.cases, now)
    long_case(ledger, "BP-2026-99999", a.events, now)
    print(f"built {a.cases:,} cases and one of {a.events:,} events in {time.perf_counter() - t:.0f} s")
    env = await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter, search_attributes=ALL_KEYS,
        dev_server_existing_path=temporal_cli(), dev_server_database_filename=str(tmp / "temporal.db"),
        dev_server_extra_args=SQLITE_PRAGMAS)
    async with env:
        config = settings.load({"BRANDPUNT_HOME": str(tmp), "BRANDPUNT_LEDGER_URL": url, "BRANDPUNT_TASK_QUEUE": "bench",
                                "BRANDPUNT_DEV_LOGIN": "1", "BRANDPUNT_SESSION_SECRET": "bench-" + "x" * 40})
        ring = Keyring(config.keys_dir)
        ring.init(["command"])
        app = create_app(config, LocalCases(config, client=env.client, ledger=ledger, via="api"), ledger=ledger,
                         dev_login=True)
        results: list[tuple[str, list[float]]] = []
        async with build_worker(env.client, ledger, "bench", signer=Signer.generate(),
                                command_keys=ring.public_keys("command")):
            bom, csrf = await signed_in(app, "bom.coordinator")
            auditor, a_csrf = await signed_in(app, "auditor")
            ok = lambda r: r.raise_for_status()  # noqa: E731
            results.append(await timed("inbox (BOM's coordinator)", a.runs, lambda: bom.get("/app"), ok))
            results.append(await timed("case list, search 'bench 0004' (BOM)", a.runs, lambda: bom.post(
                "/app/cases", data={"q": "bench 0004", "csrf": csrf}), ok))
            results.append(await timed("case list, all BOM may read, page 1", a.runs, lambda: bom.get("/app/cases"), ok))
            results.append(await timed(f"case list, all {a.cases + 1:,} (auditor), page 1", a.runs,
                                       lambda: auditor.get("/app/cases"), ok))
            results.append(await timed("case list, search (auditor, all cases)", a.runs, lambda: auditor.post(
                "/app/cases", data={"q": "fotonica", "csrf": a_csrf}), ok))
            results.append(await timed("pipeline board (BOM)", a.runs, lambda: bom.get("/app/board"), ok))
            results.append(await timed(f"case page, {a.events:,} events", a.runs,
                                       lambda: bom.get("/app/cases/BP-2026-99999"), ok))
            case_id = (await bom.post("/api/cases", json={"lead": {**f.LEAD, "company": "Actie BV", "kvk": None}},
                                      headers={"X-CSRF-Token": csrf})).json()["state"]["case_id"]
            web, api = [], []
            for i in range(a.runs + 3):
                t0 = time.perf_counter()
                r = await bom.post(f"/app/cases/{case_id}/actions/note", data={"text": f"web {i}", "csrf": csrf},
                                   headers={"HX-Request": "true"})
                t1 = time.perf_counter()
                r.raise_for_status()
                s = await bom.post(f"/api/cases/{case_id}/commands", json={"type": "note", "text": f"api {i}"},
                                   headers={"X-CSRF-Token": csrf})
                t2 = time.perf_counter()
                s.raise_for_status()
                if i >= 3:
                    web.append(t1 - t0)
                    api.append(t2 - t1)
            results += [("action round trip: a note by the form (case swapped in)", web),
                        ("the same note through the JSON API", api)]
            await env.client.get_workflow_handle(case_id).terminate("benchmark over")
            await bom.aclose()
            await auditor.aclose()
    ledger.dispose()
    print(f"{'page (server time, in-process)':<58}{'median ms':>10}{'p95 ms':>9}")
    for label, xs in results:
        verdict = "" if "JSON API" in label or "round trip" in label else ("  ok" if p95(xs) <= 0.150 else "  OVER 150")
        print(f"{label:<58}{statistics.median(xs) * 1000:>10.1f}{p95(xs) * 1000:>9.1f}{verdict}")
    print(f"action / API (median): {statistics.median(web) / statistics.median(api):.2f}x (target <= 1.3x)")


if __name__ == "__main__":
    import os
    import sys

    asyncio.run(main())
    sys.stdout.flush()
    os._exit(0)
