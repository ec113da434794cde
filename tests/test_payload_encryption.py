"""Issue 16, payload encryption: what brandpunt sends through Temporal is AES-256-GCM ciphertext.

The codec alone (a relabelled payload, an unknown key, a cleartext one, a rotation); then a real dev
server whose history holds no company name, contact or note after a case ran through it (its SQLite
file grepped), whose histories replay only with the keys, and whose Web UI's codec server decodes a
case's payloads for a coordinator who may read it and for nobody else.
"""

from __future__ import annotations

import base64
import glob
import os
from pathlib import Path

import httpx
import pytest
from temporalio.api.common.v1 import Payload
from temporalio.testing import WorkflowEnvironment

from keys import Keyring, codec
from tests import factories as f

SECRET_COMPANY = "Vertrouwelijk Kwantum BV"
SECRET_CONTACT = "Geheime Contactpersoon"
SECRET_NOTE = "overname door een Amerikaanse partij besproken"


SDK_MARKERS = {".events.markerRecordedEventAttributes.details.patch-data.payloads",
               ".events.markerRecordedEventAttributes.details.data.payloads"}
"""What the SDK writes for itself, beside the codec: a patch's id, and a local activity's bookkeeping
(its sequence number, attempt, type and times; its result is encrypted)."""


def keys(*ids: str) -> codec.PayloadKeys:
    return codec.PayloadKeys(ids[0], {i: os.urandom(32) for i in ids})


async def test_the_cipher_binds_key_and_case_and_passes_cleartext_through():
    k = keys("k1")
    plain = Payload(metadata={"encoding": b"json/plain"}, data=b'{"company": "X BV"}')
    (sealed,) = await codec.PayloadCipher(k, "BP-2026-0001").encode([plain])
    assert sealed.metadata["encoding"] == codec.ENCODING and b"X BV" not in sealed.data
    assert codec.case_of(sealed) == "BP-2026-0001" and codec.case_of(plain) is None
    assert await codec.PayloadCipher(k).decode([sealed, plain]) == [plain, plain]
    relabelled = Payload(metadata={**sealed.metadata, codec.CASE: b"BP-2026-0002"}, data=sealed.data)
    with pytest.raises(codec.CodecError, match="does not decrypt"):
        codec.PayloadCipher(k).open(relabelled)
    with pytest.raises(codec.CodecError, match="unknown key"):
        codec.PayloadCipher(keys("k2")).open(sealed)
    assert "k1" in repr(k) and k.keys["k1"].hex() not in repr(k)  # never the secret


async def test_a_rotated_key_leaves_old_payloads_readable(tmp_path):
    ring = Keyring(tmp_path / "keys")
    ring.init(["payload"])
    old = codec.load(ring.dir)
    assert old is not None
    (sealed,) = await codec.PayloadCipher(old, "BP-1").encode([Payload(data=b"before")])
    new, retired = ring.rotate("payload")
    now = codec.load(ring.dir)
    assert now is not None and now.active == new.id != old.active and set(now.keys) == {old.active, new.id}
    assert [k.status for k in retired] == ["verify-only"]
    assert (await codec.PayloadCipher(now).decode([sealed]))[0].data == b"before"
    (again,) = await codec.PayloadCipher(now, "BP-1").encode([Payload(data=b"after")])
    assert again.metadata[codec.KEY_ID] == new.id.encode()
    given = codec.load(None, {codec.ENV: f"e1:{'ab' * 32}"})
    assert given is not None and given.active == "e1"
    with pytest.raises(ValueError, match="not hex"):
        codec.PayloadKeys.parse("e1:zz")


async def test_temporal_holds_no_company_contact_or_note_and_the_ui_decodes_only_for_readers(tmp_path):
    from audit.replay import fetch_histories, replay
    from devserver import SQLITE_PRAGMAS, temporal_cli
    from tests.api_env import api_with_worker
    from workflows.search_attributes import ALL_KEYS

    home = tmp_path / "home"
    ring = Keyring(home / "keys")
    ring.init(["payload"])
    k = codec.load(ring.dir)
    db = tmp_path / "temporal.db"
    env = await WorkflowEnvironment.start_local(
        data_converter=codec.converter(k), search_attributes=ALL_KEYS, dev_server_existing_path=temporal_cli(),
        dev_server_database_filename=str(db), dev_server_extra_args=SQLITE_PRAGMAS)
    async with env:
        async with api_with_worker(env.client, home, "crypt", dev_login=True) as a:
            lead = {**f.LEAD, "company": SECRET_COMPANY, "kvk": "44556677",
                    "contact": {"name": SECRET_CONTACT, "email": "geheim@example.org"}}
            started = await a.cases.start(f.start(**lead))
            case_id = started.state.case_id
            await a.cases.act(case_id, f.command("note", text=SECRET_NOTE))
            histories = await fetch_histories(env.client, case_id)
            assert [o.error for o in await replay(histories, keys=k)] == [None] * len(histories)
            assert any(o.error for o in await replay(histories))  # without the keys it cannot

            from audit import dossier

            rows = a.ledger.events(case_id)
            sealed, _ = dossier.write(tmp_path / "sealed", case_id, rows, await fetch_histories(env.client, case_id))
            opened, _ = dossier.write(tmp_path / "opened", case_id, rows, await fetch_histories(env.client, case_id), k)
            history_of = lambda files: next(p for p in files if p.name.startswith("history-")).read_text()  # noqa: E731
            encrypted = base64.b64encode(codec.ENCODING).decode()  # as a history's JSON spells the encoding
            assert encrypted in history_of(sealed) and encrypted not in history_of(opened)  # decrypted for the auditor
            from temporalio.client import WorkflowHistory

            shown = WorkflowHistory.from_json(case_id, history_of(opened))
            assert any(SECRET_NOTE.encode() in base64.b64decode(p["data"]) for p in payloads_in(shown))
            found = payloads_in(histories[0])
            clear = [p["at"] for p in found if base64.b64decode(p["metadata"]["encoding"]) != codec.ENCODING]
            assert len(found) > 5 and set(clear) - SDK_MARKERS == set(), clear  # only what the SDK writes for itself
            body = {"payloads": [{"metadata": p["metadata"], "data": p["data"]} for p in found]}
            origin = "http://127.0.0.1:8233"
            async with _signed(a, "bom.coordinator") as http:
                shown = await http.post("/api/codec/decode", json=body, headers={"Origin": origin})
                assert shown.status_code == 200
                decoded = [base64.b64decode(p["data"]) for p in shown.json()["payloads"]]
                assert any(SECRET_COMPANY.encode() in d for d in decoded)
            async with _signed(a, "oost.coordinator") as http:
                hidden = await http.post("/api/codec/decode", json=body)
                assert hidden.status_code == 200 and hidden.json() == body  # still encrypted, every one
            anonymous = httpx.AsyncClient(transport=httpx.ASGITransport(app=a.app), base_url="http://testserver")
            async with anonymous:
                assert (await anonymous.post("/api/codec/decode", json=body)).status_code == 401
            await env.client.get_workflow_handle(case_id).terminate("test over")
    found = {secret: sum(Path(name).read_bytes().count(secret.encode()) for name in glob.glob(f"{db}*"))
             for secret in (SECRET_COMPANY, SECRET_CONTACT, SECRET_NOTE, "44556677", "geheim@example.org")}
    assert found == dict.fromkeys(found, 0), found


def payloads_in(history: object) -> list[dict]:
    """Every payload of a history as its JSON holds it (base64 metadata and data), with where it is;
    the search attributes left out (indexed in the clear by design: no company or person in them)."""
    import json

    found: list[dict] = []

    def walk(node: object, path: str) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("metadata"), dict) and "encoding" in node["metadata"]:
                found.append({"at": path, "metadata": node["metadata"], "data": node.get("data", "")})
                return
            for key, value in node.items():
                if key != "searchAttributes":
                    walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for item in node:
                walk(item, path)

    walk(json.loads(history.to_json()), "")  # type: ignore[attr-defined]  # a WorkflowHistory
    return found


def _signed(a: object, user: str):  # noqa: ANN202 - the test_web helper's context manager
    from tests.test_web import browser

    return browser(a, user)
