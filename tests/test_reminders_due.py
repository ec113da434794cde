"""`brandpunt reminders due`: the coordinator's inbox, computed from the ledger with the workflows' plan."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from cli.main import main
from domain.commands import Command
from domain.decide import Context, decide
from domain.state import fold
from ledger.store import Ledger
from tests import factories as f

NOW = datetime.now(UTC)
"""Set again when the test starts: a value from collection time, minutes earlier, made the
labels a day off when the run crossed midnight UTC."""


def record(ledger: Ledger, case_id: str, steps: list[tuple[timedelta, Command]]) -> None:
    """Decide each command at NOW + offset with the real stage machine and append its events."""
    state = None
    for offset, command in steps:
        events = decide(state, command, Context(case_id, NOW + offset))
        ledger.append(events)
        state = fold(events, state)


def test_inbox_lists_the_latest_due_step_per_reason_and_nothing_else(ledger_url, monkeypatch, capsys):
    global NOW
    NOW = datetime.now(UTC)  # the inbox's labels are computed now: the cases' times must be of now too
    ledger = Ledger.open(ledger_url, upgrade=True)
    due = (NOW + timedelta(days=3)).date().isoformat()
    record(ledger, "lead-silent-phase-2", [(timedelta(days=-50), f.start(phase=2))])
    record(ledger, "lead-silent-phase-3", [(timedelta(days=-100), f.start(phase=3))])
    record(ledger, "lead-early-phase-1", [(timedelta(days=-10), f.start(phase=1))])
    record(ledger, "lead-consulting", [
        (timedelta(days=-5), f.start(phase=3)),
        (timedelta(days=-5), f.command("articulate-needs", needs=f.NEEDS)),
        (timedelta(days=-4), f.command("propose-matches", proposals=[])),
        (timedelta(days=-4), f.command("choose-location", hotspot="twente")),
        (timedelta(days=-1), f.command("request-consultation", party="grid_operator", subject="4 MVA", due=due)),
    ])
    record(ledger, "lead-slow-articulation", [  # 60 days of service time in needs articulation
        (timedelta(days=-57), f.start(phase=3)),
        (timedelta(days=-57), f.command("articulate-needs", needs=f.NEEDS)),
    ])
    record(ledger, "lead-withdrawn", [
        (timedelta(days=-90), f.start(phase=2)),
        (timedelta(days=-89), f.command("close", outcome="withdrawn")),
    ])
    ledger.dispose()
    monkeypatch.setenv("BRANDPUNT_LEDGER_URL", ledger_url)

    assert main(["reminders", "due", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    # stage keys carry the time the stage was entered (stage:<stage>:<ISO time>:overdue): cut it off
    got = {(r["case_id"], r["key"].split(":20")[0], r["overdue"], r["escalation"], r["recipient"]) for r in rows}
    coordinator = f.LEAD["coordinator"]
    assert got == {
        # 50 days in phase 2: its end (by the phase's age) is a year away, nothing is owed yet; 100
        # days in phase 3 without articulation: past remind and follow-up, the window is at risk
        # (90 days past the end of phase 2): the escalation stands
        ("lead-silent-phase-3", "articulation", True, True, "coordinating-rom"),
        # the grid consultation is due in 3 days: its 7-days-before reminder is due now (one line per
        # reason: the overdue step on the due date is not listed beside it), and it is not overdue
        ("lead-consulting", "consultation:C1:due-soon", False, False, coordinator),
        # nothing due yet, but the stage's service time runs out in 3 days, inside the 14-day window
        ("lead-slow-articulation", "stage:needs_articulation", False, False, coordinator),
    }
    assert rows and all(not r["sent"] for r in rows)  # built straight in the ledger: no case sent anything
    labels = {r["case_id"]: r["label"] for r in rows}
    assert labels["lead-consulting"] == "due in 3 days"  # the answer's due date, not the reminder's
    assert labels["lead-silent-phase-3"] == f"overdue since {(NOW - timedelta(days=10)).date():%Y-%m-%d}"
    assert labels["lead-slow-articulation"].startswith("reminder in ")

    assert main(["reminders", "due", "--within", "2"]) == 0
    text = capsys.readouterr().out.splitlines()
    assert text[-1].startswith("2 reminder(s) due or due within 2 days")
    assert sorted(line.split("  ")[0].strip() for line in text[:-1]) == [
        "due in 3 days", labels["lead-silent-phase-3"]]
    assert not any("lead-slow-articulation" in line for line in text)
