"""Auditor tooling: tamper with a ledger in every way and `audit verify` names the right event;
checkpoints catch what chains cannot; `history --as-of` equals the workflow's own state."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from audit.checkpoint import merkle_root
from audit.history import as_of
from cli.main import main as cli
from client import temporal as cases
from domain.chain import GENESIS
from domain.state import fold
from ledger.store import Ledger, iso
from tests import audit_cases as ac
from tests import factories as f

T0 = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
STORIES = {  # case -> story; every case has at least 6 events
    "lead-a": "happy", "lead-b": "back-to-matchmaking", "lead-c": "happy",
    "lead-d": "closed-and-reopened", "lead-e": "happy", "lead-f": "back-to-matchmaking",
}


@pytest.fixture
def ledger(ledger_url, monkeypatch, tmp_path):
    """Six cases in a SQLite file or a fresh PostgreSQL schema (tests/db_fixtures.py), appended
    without a key: the chains alone (signed heads: tests/test_tamper.py)."""
    url = ledger_url
    monkeypatch.setenv("BRANDPUNT_LEDGER_URL", url)
    monkeypatch.setenv("BRANDPUNT_KEYS_DIR", str(tmp_path / "no-keys"))
    led = Ledger.open(url, upgrade=True)
    for case_id, story in STORIES.items():
        led.append(ac.run(case_id, ac.STORIES[story](T0), T0))
    yield led
    led.dispose()


def verify(capsys, *args: str) -> tuple[int, dict]:
    code = cli(["audit", "verify", *args, "--json"])
    return code, json.loads(capsys.readouterr().out)


def findings(out: dict) -> dict[str, tuple[int, str]]:
    return {x["case_id"]: (x["seq"], x["problem"]) for x in out["findings"]}


def sql(ledger: Ledger, statement: str, **params) -> None:
    with ledger._engine.begin() as conn:
        conn.execute(text(statement), params)


def row(ledger: Ledger, case_id: str, seq: int):
    return ledger.events(case_id, upto_seq=seq)[-1]


def canonical(data: dict) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chained(prev: str, payload: str) -> str:
    return hashlib.sha256((prev + payload).encode()).hexdigest()


def shift(ledger: Ledger, case_id: str, from_seq: int, by: int) -> None:
    """Renumber seq >= from_seq by ``by``, event ids too (in two steps: both are unique)."""
    sql(ledger, "UPDATE ledger_events SET seq = seq + 1000, event_id = event_id || '~' WHERE case_id=:c AND seq >= :s",
        c=case_id, s=from_seq)
    sql(ledger, "UPDATE ledger_events SET seq = seq - 1000 + :by, event_id = case_id || '/' || (seq - 1000 + :by)"
        " WHERE case_id=:c AND seq >= 1000", c=case_id, by=by)


def sealed(prev_seal: str, h: str, recorded_at: str) -> str:
    return hashlib.sha256((prev_seal + h + recorded_at).encode()).hexdigest()


def forge(ledger: Ledger, case_id: str, seq: int, like: int, reason: str) -> None:
    """Insert an event at ``seq`` (free), a copy of event ``like`` with another reason, properly chained
    and sealed (the seal needs no key either)."""
    before = row(ledger, case_id, seq - 1)
    prev = before.hash
    data = json.loads(row(ledger, case_id, like).payload) | {"seq": seq, "reason": reason}
    payload = canonical(data)
    at = iso(datetime.fromisoformat(data["at"]))
    h = chained(prev, payload)
    sql(ledger, "INSERT INTO ledger_events (case_id, seq, event_id, type, at, actor, organisation, payload,"
        " prev_hash, hash, recorded_at, seal) VALUES (:c, :s, :eid, :type, :at, :actor, :org, :p, :prev, :h, :at,"
        " :seal)", c=case_id, s=seq, eid=f"{case_id}/{seq}", type=data["type"], at=at,
        actor=data["actor"], org=data["organisation"], p=payload, prev=prev, h=h, seal=sealed(before.seal, h, at))


def rehash(ledger: Ledger, case_id: str, edit: Callable[[int, dict], dict] = lambda seq, d: d) -> None:
    """Rewrite a whole chain (payloads through ``edit``) with every hash and seal recomputed, and the
    projection's head_hash to match: a perfect forgery as far as hashes go."""
    prev = seal = GENESIS
    for r in ledger.events(case_id):
        payload = canonical(edit(r.seq, json.loads(r.payload)))
        h = chained(prev, payload)
        seal = sealed(seal, h, r.recorded_at_text)
        sql(ledger, "UPDATE ledger_events SET payload=:p, prev_hash=:prev, hash=:h, seal=:seal WHERE id=:id",
            p=payload, prev=prev, h=h, seal=seal, id=r.id)
        prev = h
    sql(ledger, "UPDATE cases SET head_hash=:h WHERE case_id=:c", h=prev, c=case_id)


# --- one way of tampering each; all applied to lead-c -------------------------------------------

def modify_payload(led: Ledger) -> None:
    data = json.loads(row(led, "lead-c", 3).payload) | {"reason": "nothing to see"}
    sql(led, "UPDATE ledger_events SET payload=:p WHERE case_id='lead-c' AND seq=3", p=canonical(data))


def modify_actor_column(led: Ledger) -> None:
    sql(led, "UPDATE ledger_events SET actor='someone-else' WHERE case_id='lead-c' AND seq=3")


def modify_at_column(led: Ledger) -> None:
    at = iso(row(led, "lead-c", 4).at + timedelta(days=1))
    sql(led, "UPDATE ledger_events SET at=:at WHERE case_id='lead-c' AND seq=4", at=at)


def non_canonical_payload(led: Ledger) -> None:
    spaced = json.dumps(json.loads(row(led, "lead-c", 3).payload), sort_keys=True)
    sql(led, "UPDATE ledger_events SET payload=:p WHERE case_id='lead-c' AND seq=3", p=spaced)


def delete_row(led: Ledger) -> None:
    sql(led, "DELETE FROM ledger_events WHERE case_id='lead-c' AND seq=2")


def delete_row_and_renumber(led: Ledger) -> None:
    sql(led, "DELETE FROM ledger_events WHERE case_id='lead-c' AND seq=3")
    shift(led, "lead-c", 4, -1)


def insert_row(led: Ledger) -> None:
    shift(led, "lead-c", 3, +1)
    forge(led, "lead-c", 3, like=2, reason="forged")


def insert_row_and_fix_seqs(led: Ledger) -> None:
    insert_row(led)
    for r in led.events("lead-c")[3:]:  # the shifted events get their payload seq "corrected" too
        data = json.loads(r.payload) | {"seq": r.seq}
        sql(led, "UPDATE ledger_events SET payload=:p WHERE id=:id", p=canonical(data), id=r.id)


def reorder_by_seq(led: Ledger) -> None:
    r4, r5 = row(led, "lead-c", 4), row(led, "lead-c", 5)
    for r, seq in ((r4, 5), (r5, 4)):
        sql(led, "UPDATE ledger_events SET seq=:s, event_id=:e WHERE id=:id", s=seq + 1000, e=f"x{seq}", id=r.id)
    shift(led, "lead-c", 1000, -1000)


def reorder_by_payload(led: Ledger) -> None:
    r4, r5 = row(led, "lead-c", 4), row(led, "lead-c", 5)
    for r, other in ((r4, r5), (r5, r4)):
        sql(led, "UPDATE ledger_events SET payload=:p, type=:t, at=:at, hash=:h WHERE id=:id",
            p=other.payload, t=other.type, at=iso(other.at), h=other.hash, id=r.id)


TAMPERINGS = [
    (modify_payload, 3, "modified"),
    (modify_actor_column, 3, "column actor"),
    (modify_at_column, 4, "column at"),
    (non_canonical_payload, 3, "canonical"),
    (delete_row, 2, "seq 2 is missing"),
    (delete_row_and_renumber, 3, "holds the event of seq 4"),
    (insert_row, 3, "seq 3 was inserted"),
    (insert_row_and_fix_seqs, 3, "seq 3 was inserted"),
    (reorder_by_seq, 4, "reordered"),
    (reorder_by_payload, 4, "reordered"),
]


def test_untouched_ledger_verifies(ledger, capsys):
    code, out = verify(capsys, "--all")
    assert code == 0 and out["ok"] and out["cases"] == 6 and out["events"] == ledger.count_events()
    assert verify(capsys, "--all", "--fast")[0] == 0
    assert verify(capsys, "lead-a")[0] == 0
    assert cli(["audit", "verify", "--all"]) == 0
    assert capsys.readouterr().out.startswith("OK: 6 case(s)")


@pytest.mark.parametrize("tamper, seq, words", TAMPERINGS, ids=[t[0].__name__ for t in TAMPERINGS])
def test_each_kind_of_tampering_names_the_case_and_seq(ledger, capsys, tamper, seq, words):
    tamper(ledger)
    for mode in ((), ("--fast",)):
        code, out = verify(capsys, "--all", *mode)
        assert code == 1 and not out["ok"]
        assert len(out["findings"]) == 1, out["findings"]
        assert out["findings"][0]["case_id"] == "lead-c"
        assert out["findings"][0]["seq"] == seq, out["findings"][0]
        assert words in out["findings"][0]["problem"], out["findings"][0]
    assert cli(["audit", "verify", "lead-c"]) == 1
    assert f"BAD lead-c seq {seq}: " in capsys.readouterr().out
    assert verify(capsys, "lead-b")[0] == 0


def test_four_tamperings_in_four_cases_are_all_named(ledger, capsys):
    modify_payload(ledger)  # lead-c seq 3
    sql(ledger, "DELETE FROM ledger_events WHERE case_id='lead-b' AND seq=4")
    shift(ledger, "lead-d", 3, +1)
    forge(ledger, "lead-d", 3, like=2, reason="forged")
    r4, r5 = row(ledger, "lead-e", 4), row(ledger, "lead-e", 5)
    for r, seq in ((r4, 5), (r5, 4)):
        sql(ledger, "UPDATE ledger_events SET seq=:s, event_id=:e WHERE id=:id", s=seq + 1000, e=f"x{seq}", id=r.id)
    shift(ledger, "lead-e", 1000, -1000)
    code, out = verify(capsys, "--all")
    assert code == 1
    assert {c: s for c, (s, _) in findings(out).items()} == {"lead-b": 4, "lead-c": 3, "lead-d": 3, "lead-e": 4}


def test_strict_default_also_checks_the_event_schema(ledger, capsys):
    # canonical JSON with every hash recomputed, but not a valid event: --fast cannot see it
    rehash(ledger, "lead-a", lambda seq, d: d | {"bribe": "yes"} if seq == 2 else d)
    assert verify(capsys, "--all", "--fast")[0] == 0
    code, out = verify(capsys, "--all")
    assert code == 1 and findings(out)["lead-a"][0] == 2 and "not a valid event" in findings(out)["lead-a"][1]


def test_checkpoint_catches_deleted_case_truncated_and_rewritten_chain(ledger, capsys, tmp_path):
    assert cli(["audit", "checkpoint", "--json"]) == 0
    saved = tmp_path / "checkpoint.json"
    saved.write_text(capsys.readouterr().out)
    cp = json.loads(saved.read_text())
    assert cli(["audit", "checkpoint"]) == 0
    assert capsys.readouterr().out.strip() == cp["root"]
    assert verify(capsys, "--all", "--against", str(saved))[0] == 0
    assert verify(capsys, "--all", "--against", cp["root"])[0] == 0

    sql(ledger, "DELETE FROM ledger_events WHERE case_id='lead-e'")
    sql(ledger, "DELETE FROM ledger_events WHERE case_id='lead-f' AND seq >= 5")
    rehash(ledger, "lead-d", lambda seq, d: d | {"reason": "rewritten"} if seq == 2 else d)
    assert verify(capsys, "--all", "--fast")[0] == 1  # the projection no longer matches the chains...
    ledger.rebuild_projection()  # ...unless the attacker rebuilds it too
    assert verify(capsys, "--all", "--fast")[0] == 0  # every remaining chain is intact...
    code, out = verify(capsys, "--all", "--against", str(saved))
    assert code == 1  # ...but the checkpoint knows what was there
    found = findings(out)
    assert set(found) == {"lead-d", "lead-e", "lead-f"}
    assert "whole case" in found["lead-e"][1] and "deleted" in found["lead-e"][1]
    assert found["lead-f"][0] == 5 and "truncated" in found["lead-f"][1]
    assert "rewritten" in found["lead-d"][1]
    code, out = verify(capsys, "--all", "--against", cp["root"])
    assert code == 1 and out["against_root_matches"] is False
    assert cli(["audit", "verify", "--all", "--against", cp["root"]]) == 1
    assert "root differs" in capsys.readouterr().out


def test_checkpoint_allows_growth_but_the_bare_root_moves(ledger, capsys, tmp_path):
    assert cli(["audit", "checkpoint", "--json"]) == 0
    saved = tmp_path / "checkpoint.json"
    saved.write_text(capsys.readouterr().out)
    root = json.loads(saved.read_text())["root"]
    ledger.append(ac.run("lead-g", ac.happy(T0), T0))
    state = ledger.case_state("lead-b")
    from domain.decide import Context, decide

    ledger.append(decide(state, f.command("change-phase", phase=4), Context("lead-b", T0 + timedelta(days=30))))
    assert verify(capsys, "--all", "--against", str(saved))[0] == 0
    assert verify(capsys, "--all", "--against", root)[0] == 1


def test_checkpoint_rule_is_recomputable_with_the_stdlib(ledger, capsys):
    assert cli(["audit", "checkpoint", "--json"]) == 0
    cp = json.loads(capsys.readouterr().out)
    heads = {r.case_id: r for r in (ledger.events(c)[-1] for c in ledger.case_ids())}
    assert {c: (v["last_seq"], v["head_hash"]) for c, v in cp["cases"].items()} == {
        c: (r.seq, r.hash) for c, r in heads.items()}
    level = [hashlib.sha256(f"{c}\n{v['last_seq']}\n{v['head_hash']}".encode()).hexdigest()
             for c, v in sorted(cp["cases"].items())]
    while len(level) > 1:
        level = [hashlib.sha256("".join(level[i:i + 2]).encode()).hexdigest() if i + 1 < len(level) else level[i]
                 for i in range(0, len(level), 2)]
    assert level[0] == cp["root"] == merkle_root(
        [hashlib.sha256(f"{c}\n{v['last_seq']}\n{v['head_hash']}".encode()).hexdigest()
         for c, v in sorted(cp["cases"].items())])


def test_altered_checkpoint_file_is_refused(ledger, capsys, tmp_path):
    assert cli(["audit", "checkpoint", "--json"]) == 0
    cp = json.loads(capsys.readouterr().out)
    cp["cases"]["lead-e"]["last_seq"] -= 1
    (tmp_path / "cp.json").write_text(json.dumps(cp))
    assert cli(["audit", "verify", "--all", "--against", str(tmp_path / "cp.json")]) == 2
    assert "altered" in capsys.readouterr().err


def test_bad_input_exits_2(ledger, capsys):
    assert cli(["audit", "verify"]) == 2
    assert cli(["audit", "verify", "lead-a", "--all"]) == 2
    assert cli(["audit", "verify", "lead-zzz"]) == 2
    assert cli(["audit", "verify", "--all", "--against", "nonsense"]) == 2
    assert cli(["audit", "verify", "lead-a", "--against", "0" * 64]) == 2
    assert cli(["audit", "history", "lead-a", "--as-of", "yesterday"]) == 2
    assert cli(["audit", "history", "lead-zzz"]) == 2
    assert cli(["audit", "history", "Not A Case"]) == 2


def test_history_cli_rebuilds_the_case_as_of_a_moment(ledger, capsys):
    rows = ledger.events("lead-b")
    at = rows[5].at  # after the negative consultation: back in matchmaking
    assert cli(["audit", "history", "lead-b", "--as-of", at.isoformat(), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [e["seq"] for e in out["events"]] == [1, 2, 3, 4, 5, 6] and out["chain"] == "intact"
    assert out["state"] == fold(r.event for r in rows[:6]).model_dump(mode="json")
    assert out["state"]["stage"] == "matchmaking"
    assert cli(["audit", "history", "lead-b", "--as-of", (rows[0].at - timedelta(hours=1)).isoformat()]) == 0
    assert "did not exist yet" in capsys.readouterr().out
    assert cli(["audit", "history", "lead-b"]) == 0
    assert "stage consultation" in capsys.readouterr().out


def test_history_of_a_tampered_case_says_so(ledger, capsys):
    modify_payload(ledger)
    assert cli(["audit", "history", "lead-c"]) == 1
    captured = capsys.readouterr()
    assert "BAD lead-c seq 3" in captured.err
    assert as_of(ledger, "lead-c").state.last_seq == 2


def test_dossier_verifies_with_its_own_standalone_script(ledger, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TEMPORAL_ADDRESS", "127.0.0.1:1")  # no server: the dossier says so, still written
    out = tmp_path / "dossier"
    assert cli(["audit", "dossier", "lead-a", "--out", str(out)]) == 0
    assert "no Temporal history" in capsys.readouterr().err
    script = (out / "VERIFY.txt").read_text().split("checks the whole file:\n\n", 1)[1].split("\n\n")[0]
    code = "\n".join(line[4:] for line in script.splitlines())
    assert len(code.splitlines()) <= 16

    def standalone() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-I", "-c", code, str(out / "events.json")],
                              capture_output=True, text=True, cwd=tmp_path)

    done = standalone()
    n = len(ledger.events("lead-a"))
    assert done.returncode == 0 and done.stdout.startswith(f"OK {n} events"), done.stderr
    assert done.stdout.split()[-1] == ledger.events("lead-a")[-1].hash
    page = (out / "timeline.html").read_text()
    assert "Photon Forge BV" in page and "intact" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)  # self-contained
    rows = json.loads((out / "events.json").read_text())
    rows[2]["payload"] = rows[2]["payload"].replace("test-coordinator", "someone")
    (out / "events.json").write_text(json.dumps(rows))
    done = standalone()
    assert done.returncode != 0 and "seq 3" in done.stderr


def test_dossier_of_a_tampered_case_shows_the_break(ledger, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TEMPORAL_ADDRESS", "127.0.0.1:1")
    delete_row(ledger)
    assert cli(["audit", "dossier", "lead-c", "--out", str(tmp_path / "d")]) == 1
    assert "Chain broken" in (tmp_path / "d" / "timeline.html").read_text()


def test_a_command_without_an_actor_is_refused(monkeypatch, capsys):
    monkeypatch.delenv("BRANDPUNT_ACTOR", raising=False)
    monkeypatch.setenv("TEMPORAL_ADDRESS", "127.0.0.1:1")  # never reached: the actor check comes first
    assert cli(["lead", "change-phase", "lead-x", "--phase", "3"]) == 2
    err = capsys.readouterr().err
    assert "actor" in err and "BRANDPUNT_ACTOR" in err
    assert cli(["lead", "change-phase", "lead-x", "--phase", "3", "--actor", "auditor"]) == 1  # past it
    assert "cannot reach Temporal" in capsys.readouterr().err


# --- history --as-of against the workflow's own state query, on the time-skipping server --------

async def test_history_as_of_equals_the_workflow_state_at_every_stage(ts_worker):
    """After every command and every pause, take (workflow time, state query); then rebuild each
    moment from the ledger alone and compare."""
    env, queue, ledger = ts_worker
    taken: list[tuple[str, datetime, object]] = []

    async def take(case_id: str, at: datetime) -> None:
        taken.append((case_id, at, await cases.state(env.client, case_id)))

    async def pause(case_id: str, days: float) -> None:
        await env.sleep(timedelta(days=days))  # timers (reminders) fire meanwhile
        await take(case_id, await env.get_current_time())

    async def story(commands: list, pauses: float = 0.25, **lead) -> str:
        case_id = f"lead-asof-{uuid.uuid4().hex[:8]}"
        r = await cases.start(env.client, queue, commands[0], case_id)
        await take(case_id, r.events[-1].at)
        for cmd in commands[1:]:
            await pause(case_id, pauses)
            r = await cases.execute(env.client, case_id, cmd)
            await take(case_id, r.events[-1].at)
        return case_id

    today = (await env.get_current_time()).date()
    await story([f.start(phase=1), *f.happy_path(today)])
    await story(ac.back_to_matchmaking(datetime.combine(today, datetime.min.time(), UTC)))
    await story(ac.closed_and_reopened(datetime.combine(today, datetime.min.time(), UTC)))
    # past phase 2: the articulation reminder at once, its follow-up on day 30
    reminded = await story([f.start(phase=3), f.command("articulate-needs", needs=f.NEEDS)], pauses=50)

    stages = {state.stage.value for _, _, state in taken}
    assert stages >= {"detection", "needs_articulation", "matchmaking", "consultation", "realisation", "closed"}
    assert any(state.reminder_keys for c, _, state in taken if c == reminded)
    assert any(state.reopened for _, _, state in taken)
    for case_id, at, state in taken:
        got = as_of(ledger, case_id, at)
        assert got.finding is None
        assert got.state == state, (case_id, at)
    first = min(at for c, at, _ in taken if c == reminded)
    assert as_of(ledger, reminded, first - timedelta(microseconds=1)).state is None


async def test_replay_and_dossier_of_a_live_case_across_continue_as_new(ts_worker, tmp_path):
    """Every run of a case is fetched (walking back along continue-as-new), replays with the
    current code, and lands in the dossier; the dossier's history files replay too."""
    from temporalio.client import WorkflowHistory

    from audit import dossier
    from audit.replay import fetch_histories, replay
    from workflows.case_io import CaseConfig

    env, queue, ledger = ts_worker
    case_id = f"lead-dossier-{uuid.uuid4().hex[:8]}"
    await cases.start(env.client, queue, f.start(phase=1), case_id, config=CaseConfig(max_history_events=100))
    for i in range(25):
        await cases.execute(env.client, case_id, f.command("change-phase", phase=2 + i % 2))
    histories = await fetch_histories(env.client, case_id)
    assert len(histories) >= 3 and {h.workflow_id for h in histories} == {case_id}
    outcomes = await replay(histories)
    assert len(outcomes) == len(histories) and all(o.ok for o in outcomes), [o.error for o in outcomes]

    files, finding = dossier.write(tmp_path, case_id, ledger.events(case_id), histories)
    assert finding is None
    written = [WorkflowHistory.from_json(case_id, p.read_text()) for p in files if p.name.startswith("history-")]
    assert [h.run_id for h in written] == [h.run_id for h in histories]
    replayed = await replay(written)
    assert len(replayed) == len(written) and all(o.ok for o in replayed)
    events = json.loads((tmp_path / "events.json").read_text())
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1)) and len(events) >= 26


def test_the_dossier_timeline_says_what_changed_and_keeps_notes_inert(tmp_path):
    """Partial updates and corrections show old → new, notes their kind and text (escaped), a demo
    case and an imported lead say so."""
    from audit.dossier import timeline
    from domain.decide import Context, decide

    led = Ledger.open(f"sqlite:///{tmp_path}/d.db", upgrade=True)
    state, events = None, []
    commands = [f.command("start", lead={**f.LEAD, "phase": 1}, demo=True, source="import:pipeline.csv#row 3"),
                f.command("update", changes={"company": "Photon Forge NV", "kvk": None}),
                f.command("note", text="<script>alert(1)</script> met the CFO", kind="meeting")]
    for i, cmd in enumerate(commands):
        new = decide(state, cmd, Context("lead-dossier", T0 + timedelta(hours=i)))
        state, events = fold(new, state), events + new
    led.append(events)
    page = timeline("lead-dossier", led.events("lead-dossier"))
    led.dispose()
    assert "demo case · import:pipeline.csv#row 3" in page
    assert "company: Photon Forge BV → Photon Forge NV; kvk: 12345678 → –" in page
    assert "meeting: &lt;script&gt;alert(1)&lt;/script&gt; met the CFO" in page and "<script>" not in page


def test_the_dossier_timeline_tells_issue_14_s_facts(tmp_path):
    """A lead signalled by a triple-helix organisation, outside any hotspot; an expected end of phase
    2, a referral (escaped), and a realisation's counterfactual and site."""
    from audit.dossier import timeline
    from domain.decide import Context, decide
    from domain.models import MatchProposal
    from domain.vocab import HotspotId, Region

    led = Ledger.open(f"sqlite:///{tmp_path}/d.db", upgrade=True)
    state, events = None, []
    proposal = MatchProposal(hotspot=HotspotId.TWENTE, region=Region.OOST_NL, score=0.9, viable=True, reasons=["x"])
    commands = [
        f.command("start", lead={**f.LEAD, "hotspot": None, "site": "Helmond"}, signalled_by="brainport-development"),
        f.command("expect-phase2-end", expected_end="2026-12-01"),
        f.command("refer", to="ez-programme", name="Innovatiekrediet", subject="<b>credit</b> for the pilot line"),
        f.command("articulate-needs", needs=f.NEEDS),
        f.command("propose-matches", proposals=[proposal.model_dump(mode="json")]),
        f.command("choose-location", region="bom", municipality="Eindhoven"),
        f.command("request-consultation", party="municipality", subject="zoning", due="2026-12-01"),
        f.command("answer-consultation", consultation_id="C1", verdict="positive", answer="ok"),
        f.command("start-realisation"),
        f.command("realise", investment_eur=5_000_000, jobs=20, counterfactual="would_not_have_been_invested"),
    ]
    for i, cmd in enumerate(commands):
        new = decide(state, cmd, Context("lead-dossier", T0 + timedelta(hours=i), programme_facts=True))
        state, events = fold(new, state), events + new
    led.append(events)
    page = timeline("lead-dossier", led.events("lead-dossier"))
    led.dispose()
    assert "phase 2 · signalled by brainport-development · outside any hotspot" in page
    assert "end of venture phase 2 expected 2026-12-01" in page
    assert "referred to ez-programme (Innovatiekrediet): &lt;b&gt;credit&lt;/b&gt; for the pilot line" in page
    assert "<b>credit" not in page
    assert "5,000,000 · 20 jobs · would_not_have_been_invested · elsewhere in its region" in page
