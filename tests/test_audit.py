"""Auditor tooling: tamper with a ledger in every way and `audit verify` names the right event."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from audit.history import as_of
from cli import cases
from cli.main import main as cli
from domain.decide import Context, decide
from domain.state import fold
from ledger.store import Ledger
from tests import factories as f

T0 = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)


def build_case(case_id: str, n: int = 6) -> list:
    state, events = None, []
    commands = [f.start(phase=1), f.command("articulate-needs", needs=f.NEEDS)]
    commands += [f.command("change-phase", phase=2 + i % 2) for i in range(n - 2)]
    for i, cmd in enumerate(commands):
        new = decide(state, cmd, Context(case_id, T0 + timedelta(hours=i)))
        state = fold(new, state)
        events += new
    return events


@pytest.fixture
def ledger(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    monkeypatch.setenv("BRANDPUNT_LEDGER_URL", url)
    led = Ledger.open(url, upgrade=True)
    for name in "abcdef":
        led.append(build_case(f"lead-{name}"))
    yield led
    led.dispose()


def verify(capsys, *args: str) -> tuple[int, dict]:
    code = cli(["audit", "verify", *args, "--json"])
    return code, json.loads(capsys.readouterr().out)


def sql(ledger: Ledger, statement: str, **params) -> None:
    with ledger.engine.begin() as conn:
        conn.execute(text(statement), params)


def payload(ledger: Ledger, case_id: str, seq: int) -> dict:
    return json.loads(ledger.events(case_id, upto_seq=seq)[-1].payload)


def canonical(data: dict) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def test_untouched_ledger_verifies(ledger, capsys):
    code, out = verify(capsys, "--all")
    assert code == 0 and out["ok"] and out["cases"] == 6 and out["events"] == 36
    assert verify(capsys, "lead-a")[0] == 0


def test_each_kind_of_tampering_is_named(ledger, capsys):
    # modify: a reason rewritten in place (still canonical JSON)
    p = payload(ledger, "lead-a", 3) | {"reason": "nothing to see"}
    sql(ledger, "UPDATE ledger_events SET payload=:p WHERE case_id='lead-a' AND seq=3", p=canonical(p))
    # delete: one event removed
    sql(ledger, "DELETE FROM ledger_events WHERE case_id='lead-b' AND seq=2")
    # insert: later events shifted up, a forged event chained in at seq 3
    sql(ledger, "UPDATE ledger_events SET seq = seq + 100 WHERE case_id='lead-c' AND seq >= 3")
    sql(ledger, "UPDATE ledger_events SET seq = seq - 99 WHERE case_id='lead-c' AND seq >= 103")
    prev = ledger.events("lead-c", upto_seq=2)[-1].hash
    forged = payload(ledger, "lead-c", 2) | {"seq": 3, "reason": "forged"}
    import hashlib

    fp = canonical(forged)
    sql(ledger, "INSERT INTO ledger_events (case_id, seq, event_id, type, at, actor, organisation, payload,"
        " prev_hash, hash, recorded_at) VALUES ('lead-c', 3, 'lead-c/3x', :type, :at, :actor, NULL, :p,"
        " :prev, :h, :at)", type=forged["type"], at=forged["at"], actor=forged["actor"], p=fp, prev=prev,
        h=hashlib.sha256((prev + fp).encode()).hexdigest())
    # reorder: events 4 and 5 swapped
    r4, r5 = ledger.events("lead-d")[3], ledger.events("lead-d")[4]
    for row, seq in ((r4, 5), (r5, 4)):
        sql(ledger, "UPDATE ledger_events SET seq=:s WHERE id=:id", s=seq + 1000, id=row.id)
    sql(ledger, "UPDATE ledger_events SET seq = seq - 1000 WHERE case_id='lead-d' AND seq > 1000")

    code, out = verify(capsys, "--all")
    assert code == 1 and not out["ok"]
    found = {x["case_id"]: (x["seq"], x["problem"]) for x in out["findings"]}
    assert found["lead-a"][0] == 3 and "modified" in found["lead-a"][1]
    assert found["lead-b"][0] == 2 and "missing" in found["lead-b"][1]
    assert found["lead-c"][0] == 4  # the forged seq 3 is chained; the next event no longer fits
    assert found["lead-d"][0] == 4 and "reordered" in found["lead-d"][1]
    assert set(found) == {"lead-a", "lead-b", "lead-c", "lead-d"}
    assert verify(capsys, "lead-e")[0] == 0


def test_checkpoint_catches_a_deleted_case_and_a_truncated_chain(ledger, capsys, tmp_path):
    assert cli(["audit", "checkpoint", "--json"]) == 0
    saved = tmp_path / "checkpoint.json"
    saved.write_text(capsys.readouterr().out)
    root = json.loads(saved.read_text())["root"]
    assert verify(capsys, "--all", "--against", str(saved))[0] == 0
    assert verify(capsys, "--all", "--against", root)[0] == 0
    sql(ledger, "DELETE FROM ledger_events WHERE case_id='lead-e'")
    sql(ledger, "DELETE FROM ledger_events WHERE case_id='lead-f' AND seq >= 5")
    assert verify(capsys, "--all")[0] == 0  # every remaining chain is intact...
    code, out = verify(capsys, "--all", "--against", str(saved))
    assert code == 1  # ...but the checkpoint knows what was there
    found = {x["case_id"]: (x["seq"], x["problem"]) for x in out["findings"]}
    assert "deleted" in found["lead-e"][1]
    assert found["lead-f"][0] == 5 and "truncated" in found["lead-f"][1]
    code, out = verify(capsys, "--all", "--against", root)
    assert code == 1 and out["against_root_matches"] is False


def test_bad_input_exits_2(ledger, capsys):
    assert cli(["audit", "verify"]) == 2
    assert cli(["audit", "verify", "--all", "--against", "nonsense"]) == 2
    assert cli(["audit", "history", "lead-a", "--as-of", "yesterday"]) == 2
    assert cli(["audit", "history", "lead-zzz"]) == 2


def test_dossier_verifies_with_its_own_standalone_script(ledger, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TEMPORAL_ADDRESS", "127.0.0.1:1")  # no server: the dossier says so, still written
    out = tmp_path / "dossier"
    assert cli(["audit", "dossier", "lead-a", "--out", str(out)]) == 0
    script = (out / "VERIFY.txt").read_text().split("checks the whole file:\n\n", 1)[1].split("\n\n")[0]
    code = "\n".join(line[4:] for line in script.splitlines())
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", code, str(out / "events.json")], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("OK 6 events"), done.stderr
    assert "Photon Forge BV" in (out / "timeline.html").read_text()
    rows = json.loads((out / "events.json").read_text())
    rows[2]["payload"] = rows[2]["payload"].replace("test-coordinator", "someone")
    (out / "events.json").write_text(json.dumps(rows))
    done = subprocess.run([sys.executable, "-c", code, str(out / "events.json")], capture_output=True, text=True)
    assert done.returncode != 0 and "seq 3" in done.stderr


async def test_history_as_of_equals_the_workflow_state_at_every_stage(ts_worker):
    env, queue, ledger = ts_worker
    case_id = f"lead-asof-{uuid.uuid4().hex[:8]}"
    r = await cases.start(env.client, queue, f.start(phase=1), case_id)
    taken = [(r.events[-1].at, await cases.state(env.client, case_id))]
    for cmd in f.happy_path(r.state.detected_at.date()):
        r = await cases.execute(env.client, case_id, cmd)
        taken.append((r.events[-1].at, await cases.state(env.client, case_id)))
    stages = [state.stage.value for _, state in taken]
    assert stages[0] == "detection" and stages[-1] == "closed" and "consultation" in stages
    for at, state in taken:
        rows, rebuilt = as_of(ledger, case_id, at)
        assert rebuilt == state
    assert as_of(ledger, case_id, taken[0][0] - timedelta(seconds=1)) == ([], None)
