"""Signed commands (issue 13 point 3): a worker with command keys takes only commands signed by a key it
trusts, for that case, that command and that actor, not expired; the API host's are checked against
``may()`` once more in the case; the ledger keeps each statement in the chain and ``audit verify
--signatures`` checks who acted with public keys from outside the database. Against the session's dev
server, with a worker of its own."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio

import cli.main
import settings
from audit.commands import check_signatures
from client import temporal as transport
from client.errors import CommandRefused
from client.local import LocalCases
from domain.chain import canonical_json
from domain.signing import Signed, statement_bytes, statement_for
from keys import Keyring, Signer
from ledger.store import Ledger
from tests import factories as f
from tests.temporal_env import SESSION_SIGNER
from worker import build_worker, command_keys


@pytest_asyncio.fixture(scope="module")
async def env(dev_server_env, tmp_path_factory):
    home = tmp_path_factory.mktemp("signed")
    ring = Keyring(home / "keys")
    ring.init(["command"])
    url = f"sqlite:///{home / 'ledger.db'}"
    ledger = Ledger.open(url, upgrade=True)
    ledger.seed_hotspots()
    queue = f"signed-{uuid.uuid4().hex[:8]}"
    config = settings.load({"BRANDPUNT_HOME": str(home), "BRANDPUNT_LEDGER_URL": url, "BRANDPUNT_TASK_QUEUE": queue})
    async with build_worker(dev_server_env.client, ledger, queue, signer=SESSION_SIGNER,
                            command_keys=ring.public_keys("command")):
        yield {"client": dev_server_env.client, "ledger": ledger, "queue": queue, "home": home,
               "operator": LocalCases(config, client=dev_server_env.client, ledger=ledger),
               "api": LocalCases(config, client=dev_server_env.client, ledger=ledger, via="api"),
               "signer": ring.signer("command")}
    ledger.dispose()


def signed(command, case_id: str, signer: Signer, *, via="operator", at: datetime | None = None):
    command = command if command.command_id else command.model_copy(update={"command_id": f"c-{uuid.uuid4()}"})
    statement = statement_for(command, case_id, at or datetime.now(UTC), via, signer.key_id)
    return command.model_copy(update={"signature": Signed(statement=statement,
                                                          signature=signer.sign(statement_bytes(statement)))})


async def test_what_the_client_library_sends_is_signed_kept_in_the_chain_and_verifies(env):
    case_id = f.serial()
    await env["operator"].start(f.start(phase=1).model_copy(update={"organisation": None}), case_id)
    await env["api"].act(case_id, f.command("note", text="via the API host").model_copy(update={"organisation": "bom"}))
    rows = env["ledger"].events(case_id)
    assert [(r.event.signed.statement.via, r.event.signed.statement.subject) for r in rows] == [
        ("operator", "test-coordinator"), ("api", "test-coordinator")]
    keys = Keyring(env["home"] / "keys").public_keys("command")
    report = check_signatures(rows, keys)
    assert (report.signed, report.unsigned, report.problems) == (2, 0, [])
    forged = rows[1].event.model_copy(update={"actor": "minister.of.ez"})  # as a re-hashed row would say
    bad = check_signatures([rows[0], dataclasses.replace(rows[1], payload=canonical_json(forged), opened=None)], keys)
    assert bad.signed == 1 and [p.problem for p in bad.problems] == [
        "its signature names another case, command, actor or organisation"]
    assert check_signatures(rows, Signer.generate().public()).problems  # someone else's keys: nothing verifies


async def test_unsigned_forged_altered_expired_and_misdirected_commands_are_refused_and_write_nothing(env):
    case_id, other = f.serial(), f.serial()
    for c in (case_id, other):
        await env["operator"].start(f.start(phase=1), c)
    before = len(env["ledger"].events(case_id))
    note = f.command("note", text="as anyone")
    cases = [
        ("unsigned", note, "not signed"),
        ("an unknown key", signed(note, case_id, Signer.generate()), "unknown key"),
        ("altered after signing", signed(note, case_id, env["signer"]).model_copy(update={"text": "other words"}),
         "not the one signed"),
        ("another actor", signed(note, case_id, env["signer"]).model_copy(update={"actor": "minister.of.ez"}),
         "another command id, actor or organisation"),
        ("for another case", signed(note, other, env["signer"]), "signed for case"),
        ("expired", signed(note, case_id, env["signer"], at=datetime.now(UTC) - timedelta(minutes=30)),
         "the signature is valid from"),
    ]
    good = signed(note, case_id, env["signer"])
    forged_bytes = good.model_copy(update={"signature": good.signature.model_copy(update={"signature": "ab" * 64})})
    cases.append(("a forged signature", forged_bytes, "does not verify"))
    for what, command, said in cases:
        with pytest.raises(CommandRefused) as refused:
            await transport.execute(env["client"], case_id, command)
        assert said in str(refused.value) and refused.value.field == "signature", what
    assert len(env["ledger"].events(case_id)) == before  # nothing written
    done = await transport.execute(env["client"], case_id, signed(f.command("note", text="fine"), case_id, env["signer"]))
    assert done.events[0].type == "NoteRecorded"  # the worker survived every forgery


async def test_a_command_the_api_host_signed_is_checked_against_may_in_the_case(env):
    case_id = f.serial()
    await env["api"].start(f.start(phase=1).model_copy(update={"organisation": "bom"}), case_id)
    assert env["ledger"].case_state(case_id).owner == "bom"
    outsider = f.command("note", text="peeking").model_copy(update={"actor": "otto.oost", "organisation": "oost-nl"})
    with pytest.raises(CommandRefused) as refused:
        await env["api"].act(case_id, outsider)
    assert refused.value.rule == "not-allowed" and refused.value.field == "organisation"
    assert "another organisation and is not shared with yours" in str(refused.value)
    until = (datetime.now(UTC) + timedelta(days=5)).date().isoformat()
    await env["api"].act(case_id, f.command("share", share_with="oost-nl", purpose="grid", until=until)
                         .model_copy(update={"organisation": "bom"}))
    assert (await env["api"].act(case_id, outsider)).events[0].organisation == "oost-nl"  # shared now
    with pytest.raises(CommandRefused) as onward:  # a shared organisation does not share further
        await env["api"].act(case_id, f.command("share", share_with="liof", purpose="x", until=until)
                             .model_copy(update={"actor": "otto.oost", "organisation": "oost-nl"}))
    assert onward.value.rule == "not-allowed"
    # an operator's key is not a person's: no may() on it (operators hold the keys anyway)
    assert (await env["operator"].act(case_id, f.command("note", text="operator"))).events[0].type == "NoteRecorded"


def test_audit_verify_signatures_on_the_command_line(env, monkeypatch, capsys):
    monkeypatch.setenv("BRANDPUNT_HOME", str(env["home"]))
    monkeypatch.setenv("BRANDPUNT_LEDGER_URL", env["ledger"].url)
    monkeypatch.delenv("BRANDPUNT_KEYS_DIR", raising=False)
    case_id = env["ledger"].case_ids()[0]
    assert cli.main.main(["audit", "verify", case_id, "--signatures", "--require-signed"]) == 0
    out = capsys.readouterr().out
    assert "event(s) signed and verified, 0 command event(s) unsigned" in out and "0 bad" in out
    other_home = env["home"].parent / "no-keys"
    monkeypatch.setenv("BRANDPUNT_KEYS_DIR", str(other_home))
    assert cli.main.main(["audit", "verify", case_id, "--signatures"]) == 2
    assert "no command public keys" in capsys.readouterr().err


def test_the_worker_says_when_it_checks_no_signature(tmp_path, monkeypatch):
    monkeypatch.setenv("BRANDPUNT_KEYS_DIR", str(tmp_path / "keys"))
    assert command_keys() is None
    made = command_keys(create=True)
    assert made is not None and made.ids == Keyring(tmp_path / "keys").public_keys("command").ids


def test_the_dossiers_own_instructions_check_the_signatures_without_brandpunt(env, tmp_path, monkeypatch):
    """VERIFY.txt's two scripts, as an auditor would paste them, over a case's events.json: they pass on
    the ledger's rows, and the signature check fails on a row whose signer was changed and whose chain was
    re-hashed (what someone with write access to the database could do; the chain alone would pass)."""
    import hashlib
    import json
    import re
    import textwrap

    from cryptography.exceptions import InvalidSignature

    from audit.dossier import VERIFY

    case_id = env["ledger"].case_ids()[0]
    rows = [r.as_json(stored=True) for r in env["ledger"].events(case_id)]
    scripts = [textwrap.dedent(b) for b in re.findall(r"\n\n((?:    .*\n)+)", VERIFY) if "import" in b]
    assert len(scripts) == 2
    public = {k.id: k.public_key for k in Keyring(env["home"] / "keys").keys("command")}
    events = tmp_path / "events.json"
    monkeypatch.setattr("sys.argv", ["verify", str(events)])
    events.write_text(json.dumps(rows), encoding="utf-8")
    exec(scripts[0] + scripts[1], {"PUBLIC_KEYS": public})  # noqa: S102 - the dossier's own text, as documented

    forged = json.loads(rows[-1]["payload"])
    forged["actor"] = forged["signed"]["statement"]["subject"] = "minister.of.ez"
    rows[-1] = {**rows[-1], "payload": json.dumps(forged, sort_keys=True, separators=(",", ":"), ensure_ascii=False)}
    prev = "0" * 64
    for row in rows:  # re-hashed, so the chain check passes
        row["prev_hash"], row["hash"] = prev, hashlib.sha256((prev + row["payload"]).encode()).hexdigest()
        prev = row["hash"]
    events.write_text(json.dumps(rows), encoding="utf-8")
    with pytest.raises(InvalidSignature):
        exec(scripts[0] + scripts[1], {"PUBLIC_KEYS": public})  # noqa: S102
