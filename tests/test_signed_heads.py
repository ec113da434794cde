"""Tamper evidence beyond the hash chains (issue 11, point 6), on SQLite and PostgreSQL.

An attacker with database access but without the worker's key: a forged, correctly re-chained
append; an edited ``cases`` projection; an edited ``recorded_at``; a replaced or deleted tree head.
Each is named by ``audit verify --all``. And the keyring: files 0600, ``keys list`` shows no
secret, rotation keeps old heads verifiable, a revoked or unknown key is refused, the worker
refuses to start without its key.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from cli.main import main as cli
from domain.chain import canonical_json
from domain.decide import Context, decide
from keys import Keyring, Signer
from ledger.heads import head_message, tree_message
from ledger.store import Ledger, iso
from tests import audit_cases as ac
from tests import factories as f
from tests.test_audit import STORIES, T0, canonical, chained, row, sealed, sql


@pytest.fixture
def keys(tmp_path, monkeypatch):
    directory = tmp_path / "keys"
    monkeypatch.setenv("BRANDPUNT_KEYS_DIR", str(directory))
    ring = Keyring(directory)
    ring.init(["ledger"])
    return ring


@pytest.fixture
def ledger(ledger_url, keys, monkeypatch, capsys):
    """Six cases appended by the worker's path (heads signed), then a signed tree head."""
    monkeypatch.setenv("BRANDPUNT_LEDGER_URL", ledger_url)
    led = Ledger.open(ledger_url, upgrade=True)
    signer = keys.signer()
    for case_id, story in STORIES.items():
        led.append(ac.run(case_id, ac.STORIES[story](T0), T0), signer=signer)
    assert cli(["audit", "sign-tree-head"]) == 0
    capsys.readouterr()
    yield led
    led.dispose()


def verify(capsys, *args: str) -> tuple[int, dict]:
    code = cli(["audit", "verify", *args, "--json"])
    return code, json.loads(capsys.readouterr().out)


def found(out: dict) -> dict[str, list[tuple[int, str]]]:
    by: dict[str, list[tuple[int, str]]] = {}
    for x in out["findings"]:
        by.setdefault(x["case_id"], []).append((x["seq"], x["problem"]))
    return by


def forged_append(led: Ledger, case_id: str, reason: str = "forged") -> int:
    """A correctly re-chained and sealed extra event at the end of the case: raw SQL, no key."""
    last = led.events(case_id)[-1]
    assert last.seal is not None, "a sealed chain to forge onto"
    seq = last.seq + 1
    event = decide(led.case_state(case_id), f.command("change-phase", phase=4, reason=reason),
                   Context(case_id, last.at + timedelta(hours=1)))[0]
    assert event.seq == seq
    payload, at = canonical_json(event), iso(event.at)
    h = chained(last.hash, payload)
    sql(led, "INSERT INTO ledger_events (case_id, seq, event_id, type, at, actor, organisation, payload,"
        " prev_hash, hash, recorded_at, seal) VALUES (:c, :s, :eid, :t, :at, :a, :o, :p, :prev, :h, :at, :seal)",
        c=case_id, s=seq, eid=f"{case_id}/{seq}", t=event.type, at=at, a=event.actor, o=event.organisation,
        p=payload, prev=last.hash, h=h, seal=sealed(last.seal, h, at))
    return seq


def head(led: Ledger, case_id: str):
    with led._engine.connect() as conn:
        return conn.execute(text("SELECT * FROM case_heads WHERE case_id=:c"), {"c": case_id}).first()


def test_untouched_signed_ledger_verifies(ledger, capsys, keys, tmp_path):
    code, out = verify(capsys, "--all")
    assert code == 0 and out["ok"] and out["signatures_checked"] and out["tree_head"]["cases"] == 6
    assert out["tree_head"]["events"] == ledger.count_events()
    assert verify(capsys, "--all", "--fast")[0] == 0
    assert verify(capsys, "lead-c")[0] == 0
    assert verify(capsys, "--all", "--jobs", "1")[0] == 0
    assert cli(["keys", "export-public", "--out", str(tmp_path / "pub.json")]) == 0
    capsys.readouterr()
    assert verify(capsys, "--all", "--public-keys", str(tmp_path / "pub.json"))[1]["ok"]
    mallory = tmp_path / "mallory.json"
    mallory.write_text(json.dumps(Keyring(tmp_path / "m").export_public() | {"keys": [
        {"purpose": "ledger", "id": Signer.generate().key_id, "algorithm": "ed25519", "created_at": "x",
         "status": "active", "public_key": "00" * 32}]}))
    assert cli(["audit", "verify", "--all", "--public-keys", str(mallory)]) == 2  # id is not the key's


def test_forged_append_is_named_with_its_seq(ledger, capsys):
    seq = forged_append(ledger, "lead-b")
    ledger.rebuild_projection()  # the attacker tidies the projection too
    assert verify(capsys, "--all", "--fast")[0] == 1
    code, out = verify(capsys, "--all")
    assert code == 1 and set(found(out)) == {"lead-b"}
    assert found(out)["lead-b"] == [(seq, found(out)["lead-b"][0][1])]
    assert "past the signed head" in found(out)["lead-b"][0][1] and "forged" in found(out)["lead-b"][0][1]
    assert cli(["audit", "verify", "lead-b"]) == 1
    assert f"BAD lead-b seq {seq}: " in capsys.readouterr().out


def test_forged_append_with_the_head_row_rewritten_is_named(ledger, capsys):
    seq = forged_append(ledger, "lead-b")
    ledger.rebuild_projection()
    last = ledger.events("lead-b")[-1]
    sql(ledger, "UPDATE case_heads SET seq=:s, hash=:h, seal=:l WHERE case_id='lead-b'", s=seq, h=last.hash, l=last.seal)
    code, out = verify(capsys, "--all")
    assert code == 1 and set(found(out)) == {"lead-b"}
    (got_seq, problem), = found(out)["lead-b"]
    assert got_seq == seq and "not validly signed" in problem
    # ...and with the tree head's leaf moved along: the root no longer matches, every head is checked
    sql(ledger, "UPDATE case_heads SET sth_seq=:s, sth_hash=:h, sth_seal=:l WHERE case_id='lead-b'",
        s=seq, h=last.hash, l=last.seal)
    code, out = verify(capsys, "--all")
    assert code == 1 and "no longer give signed tree head" in found(out)["(ledger)"][0][1]
    assert found(out)["lead-b"][0][0] == 1 and "not validly signed" in found(out)["lead-b"][0][1]
    # the worker will not sign a tree head over that
    assert cli(["audit", "sign-tree-head"]) == 1
    assert "no longer give tree head" in capsys.readouterr().err


def test_a_head_signed_by_an_unknown_key_is_refused(ledger, capsys):
    seq = forged_append(ledger, "lead-b")
    ledger.rebuild_projection()
    last, mallory = ledger.events("lead-b")[-1], Signer.generate()
    for key_id in (mallory.key_id, head(ledger, "lead-b").key_id):  # her own id, then posing as ours
        sql(ledger, "UPDATE case_heads SET seq=:s, hash=:h, seal=:l, key_id=:k, signature=:sig WHERE case_id='lead-b'",
            s=seq, h=last.hash, l=last.seal, k=key_id,
            sig=mallory.sign(head_message("lead-b", seq, last.hash, last.seal)))
        code, out = verify(capsys, "--all")
        assert code == 1 and found(out)["lead-b"][0][0] == seq
        assert ("unknown key" if key_id == mallory.key_id else "does not verify") in found(out)["lead-b"][0][1]


def test_edited_projection_is_named(ledger, capsys):
    state = json.loads(ledger.case_state("lead-b").model_dump_json())
    state["stage"] = "realisation"
    sql(ledger, "UPDATE cases SET stage='realisation' WHERE case_id='lead-b'")
    code, out = verify(capsys, "--all")
    assert code == 1 and set(found(out)) == {"lead-b"}
    assert "stage='realisation'" in found(out)["lead-b"][0][1] and "consultation" in found(out)["lead-b"][0][1]
    sql(ledger, "UPDATE cases SET state=:s WHERE case_id='lead-b'", s=json.dumps(state))
    (seq, problem), = found(verify(capsys, "--all")[1])["lead-b"]
    assert seq == len(ledger.events("lead-b")) and "state JSON differs" in problem
    sql(ledger, "UPDATE cases SET stage='consultation' WHERE case_id='lead-b'")  # only the JSON lies now
    assert "state JSON differs" in found(verify(capsys, "--all")[1])["lead-b"][0][1]
    sql(ledger, "UPDATE cases SET company='Someone Else BV' WHERE case_id='lead-a'")
    assert "company='Someone Else BV'" in found(verify(capsys, "--all")[1])["lead-a"][0][1]
    sql(ledger, "DELETE FROM cases WHERE case_id='lead-d'")
    assert "no row in the cases projection" in found(verify(capsys, "--all")[1])["lead-d"][0][1]
    # a real case marked as a demo case (so listings and reports would leave it out): the chain says not
    sql(ledger, "UPDATE cases SET demo=:d WHERE case_id='lead-e'", d=True)
    assert "demo=True (the chain says False)" in found(verify(capsys, "--all")[1])["lead-e"][0][1]


def test_edited_recorded_at_is_named(ledger, capsys):
    r = row(ledger, "lead-e", 3)
    sql(ledger, "UPDATE ledger_events SET recorded_at=:t WHERE id=:id",
        t=iso(r.recorded_at - timedelta(days=3)), id=r.id)
    for mode in ((), ("--fast",)):
        code, out = verify(capsys, "--all", *mode)
        assert code == 1 and found(out) == {"lead-e": [(3, found(out)["lead-e"][0][1])]}
        assert "recorded_at" in found(out)["lead-e"][0][1]
    # with every seal after it recomputed, the signed head's seal still tells
    seal = row(ledger, "lead-e", 2).seal
    for x in ledger.events("lead-e")[2:]:
        seal = sealed(seal, x.hash, x.recorded_at_text)
        sql(ledger, "UPDATE ledger_events SET seal=:s WHERE id=:id", s=seal, id=x.id)
    code, out = verify(capsys, "--all")
    (seq, problem), = found(out)["lead-e"]
    assert code == 1 and seq == len(ledger.events("lead-e")) and "recorded_at" in problem


def test_deleted_and_replaced_tree_heads_are_detected(ledger, capsys, keys):
    assert cli(["audit", "sign-tree-head"]) == 0  # a second one: #2
    capsys.readouterr()
    with ledger._engine.connect() as conn:
        sth = dict(conn.execute(text("SELECT * FROM tree_heads ORDER BY serial DESC")).first()._mapping)
    assert sth["serial"] == 2 and json.loads((keys.dir / "ledger-tree-head.json").read_text())["serial"] == 2
    mallory = Signer.generate()
    signature = mallory.sign(tree_message(sth["serial"], sth["made_at"], sth["cases"], sth["events"], sth["root"]))
    for key_id, words in ((mallory.key_id, "unknown key"), (sth["key_id"], "does not verify")):
        sql(ledger, "UPDATE tree_heads SET key_id=:k, signature=:s WHERE serial=2", k=key_id, s=signature)
        code, out = verify(capsys, "--all")
        assert code == 1 and words in found(out)["(ledger)"][0][1] and "replaced" in found(out)["(ledger)"][0][1]
    sql(ledger, "DELETE FROM tree_heads WHERE serial=2")  # the older #1 left in place: the copy is newer
    code, out = verify(capsys, "--all")
    assert code == 1 and "kept in" in found(out)["(ledger)"][0][1]
    assert cli(["audit", "sign-tree-head"]) == 1  # and no new tree head launders it
    assert "missing from the ledger" in capsys.readouterr().err
    sql(ledger, "DELETE FROM tree_heads")
    code, out = verify(capsys, "--all")
    assert code == 1 and any("no signed tree head" in p for _, p in found(out)["(ledger)"])
    (keys.dir / "ledger-tree-head.json").unlink()  # even without the copy beside the keys
    code, out = verify(capsys, "--all")
    assert code == 1 and "no signed tree head" in found(out)["(ledger)"][0][1]


def test_deleted_and_truncated_cases_are_named(ledger, capsys):
    sql(ledger, "DELETE FROM ledger_events WHERE case_id='lead-e'")
    sql(ledger, "DELETE FROM ledger_events WHERE case_id='lead-f' AND seq >= 5")
    ledger.rebuild_projection()
    code, out = verify(capsys, "--all")
    by = found(out)
    assert code == 1 and set(by) == {"lead-e", "lead-f"}
    assert "whole case" in by["lead-e"][0][1] and "deleted" in by["lead-e"][0][1]
    assert by["lead-f"][0][0] == 5 and "truncated" in by["lead-f"][0][1]
    sql(ledger, "DELETE FROM case_heads WHERE case_id='lead-e'")  # its signed head too: the root tells
    assert "no longer give signed tree head" in found(verify(capsys, "--all")[1])["(ledger)"][0][1]


def test_rotation_keeps_old_heads_verifiable_and_revocation_refuses_them(ledger, capsys, keys, tmp_path):
    old = keys.signer().key_id
    assert cli(["keys", "rotate", "--purpose", "ledger"]) == 0
    capsys.readouterr()
    new = keys.signer()
    assert new.key_id != old and not (keys.dir / f"ledger-{old}.key").exists()  # old secret retired
    state = ledger.case_state("lead-b")
    ledger.append(decide(state, f.command("change-phase", phase=4), Context("lead-b", T0 + timedelta(days=30))),
                  signer=new)
    assert verify(capsys, "--all")[0] == 0  # tree head #1 by the old key; lead-b's new head by the new one
    assert verify(capsys, "--all", "--jobs", "1")[0] == 0
    a = head(ledger, "lead-a")
    assert a.key_id == old and head(ledger, "lead-b").key_id == new.key_id
    assert keys.public_keys().problem(old, head_message("lead-a", a.seq, a.hash, a.seal), a.signature) is None
    assert cli(["audit", "sign-tree-head"]) == 0
    capsys.readouterr()
    code, out = verify(capsys, "--all")
    assert code == 0 and out["tree_head"]["key_id"] == new.key_id
    assert cli(["keys", "export-public", "--out", str(tmp_path / "pub.json")]) == 0
    assert {k["id"] for k in json.loads((tmp_path / "pub.json").read_text())["keys"]} == {old, new.key_id}
    assert cli(["keys", "revoke", new.key_id]) == 2  # the active key cannot be revoked
    assert cli(["keys", "revoke", old]) == 0  # the old key leaked
    capsys.readouterr()
    code, out = verify(capsys, "--all")
    assert code == 1 and {c for c, v in found(out).items() if "revoked key" in v[0][1]} == \
        {"lead-a", "lead-c", "lead-d", "lead-e", "lead-f"}
    assert cli(["audit", "sign-tree-head", "--adopt"]) == 0  # after checking: re-signed with the new key
    assert "5 case head(s) adopted" in capsys.readouterr().out
    assert verify(capsys, "--all")[0] == 0


def test_the_walk_split_over_two_processes_finds_the_same(ledger, capsys, monkeypatch):
    import audit.signed

    monkeypatch.setattr(audit.signed, "MIN_SPLIT", 0)
    sql(ledger, "UPDATE cases SET company='Elsewhere BV' WHERE case_id='lead-a'")
    seq = forged_append(ledger, "lead-f")
    r = row(ledger, "lead-d", 2)
    sql(ledger, "UPDATE ledger_events SET recorded_at=:t WHERE id=:id", t=iso(r.recorded_at + timedelta(1)), id=r.id)
    one, two = verify(capsys, "--all", "--jobs", "1"), verify(capsys, "--all", "--jobs", "2")
    assert one == two and one[1]["events"] == ledger.count_events() and one[1]["cases"] == 6
    by = found(two[1])
    assert by["lead-a"][0][0] == len(ledger.events("lead-a")) and by["lead-d"][0][0] == 2
    assert any(s == seq and "past the signed head" in p for s, p in by["lead-f"])


def test_keys_files_are_private_and_never_listed(keys, capsys, tmp_path):
    assert stat.S_IMODE(os.stat(keys.dir).st_mode) == 0o700
    files = list(keys.dir.iterdir())
    assert files and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)
    secret = next(p for p in files if p.suffix == ".key").read_text().strip()
    assert cli(["keys", "list"]) == 0 and cli(["keys", "list", "--json"]) == 0
    assert cli(["keys", "init"]) == 0 and cli(["keys", "rotate", "--purpose", "ledger"]) == 0
    assert cli(["keys", "export-public", "--out", str(tmp_path / "pub.json")]) == 0
    out = capsys.readouterr().out
    assert secret not in out and secret not in (tmp_path / "pub.json").read_text()
    assert "ledger" in out and keys.keys()[0].id in out
    assert cli(["keys", "rotate", "--purpose", "nonsense"]) == 2
    assert repr(keys.signer()).startswith("Signer(key_id=") and secret not in repr(keys.signer())
    files = list(keys.dir.iterdir())
    assert files and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)


def test_worker_refuses_to_start_without_a_key(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BRANDPUNT_KEYS_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("BRANDPUNT_LEDGER_URL", f"sqlite:///{tmp_path / 'ledger.db'}")
    assert cli(["worker"]) == 1
    err = capsys.readouterr().err
    assert "ledger key" in err and "brandpunt keys init" in err


def test_migration_seals_old_rows_and_adoption_signs_them(ledger_url, keys, monkeypatch, capsys):
    """A ledger written at revision 0002 (no seals): after the upgrade it verifies; with keys its
    cases are unsigned until `sign-tree-head --adopt`."""
    from alembic import command

    from ledger import migrate

    monkeypatch.setenv("BRANDPUNT_LEDGER_URL", ledger_url)
    engine = create_engine(ledger_url)
    cfg = migrate._config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
    prev, now = "0" * 64, iso(datetime(2026, 1, 5, tzinfo=UTC))
    with engine.begin() as conn:
        for e in ac.run("lead-old", ac.happy(T0), T0):
            payload = canonical(json.loads(e.model_dump_json()))
            from domain.chain import canonical_json

            payload = canonical_json(e)
            h = hashlib.sha256((prev + payload).encode()).hexdigest()
            conn.execute(text(
                "INSERT INTO ledger_events (case_id, seq, event_id, type, at, actor, organisation, payload, prev_hash,"
                " hash, recorded_at) VALUES (:c, :s, :eid, :t, :at, :a, :o, :p, :prev, :h, :r)"),
                {"c": e.case_id, "s": e.seq, "eid": e.event_id, "t": e.type, "at": iso(e.at), "a": e.actor,
                 "o": e.organisation, "p": payload, "prev": prev, "h": h, "r": now})
            prev = h
    engine.dispose()
    led = Ledger.open(ledger_url, upgrade=True)
    led.rebuild_projection()
    old = led.events("lead-old")
    assert old and all(r.seal for r in old)
    code, out = verify(capsys, "--all")
    assert code == 1 and {x["case_id"] for x in out["findings"]} == {"(ledger)", "lead-old"}
    assert "no signed head" in found(out)["lead-old"][0][1]
    assert cli(["audit", "sign-tree-head", "--adopt"]) == 0
    assert "1 case head(s) adopted" in capsys.readouterr().out
    assert verify(capsys, "--all")[0] == 0
    led.dispose()
