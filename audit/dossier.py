"""A self-contained dossier of one case for an auditor who does not trust the operator.

``events.json`` holds the ledger rows byte for byte (payload as stored, prev_hash, hash),
``history-<run>.json`` the Temporal histories, ``timeline.html`` a readable timeline, and
``VERIFY.txt`` the hash rule with a stdlib-only script that checks ``events.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

from temporalio.client import WorkflowHistory

from audit.verify import Finding, verify_rows
from domain.models import describe_changes
from domain.state import fold
from keys.codec import CodecError, PayloadCipher, PayloadKeys, open_message
from ledger.store import LedgerRow

VERIFY = '''How to verify events.json without brandpunt
============================================

Each event is stored as "payload": its canonical JSON (keys sorted, separators "," and ":",
UTF-8, no extra whitespace). A person's data and free text in it are sealed ("sealed:1:<key>:<...>",
AES-256-GCM); "opened" shows them as the case's readers see them, and "erased" lists the places
whose key was destroyed on an erasure request or at the end of retention (they read "[erased]"):
the hash covers the sealed bytes, so the chain checks the same after an erasure. Events of a case
are chained:

    hash = sha256( prev_hash + payload )   (both as UTF-8 text; hex digest, lowercase)
    prev_hash of seq 1 = 64 zeros; prev_hash of seq n = hash of seq n-1

This script (Python 3, standard library only) checks the whole file:

    import hashlib, json, sys
    rows = json.load(open(sys.argv[1] if len(sys.argv) > 1 else "events.json"))
    prev = "0" * 64
    for n, r in enumerate(rows, start=1):
        p = r["payload"]
        assert json.dumps(json.loads(p), sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False) == p, f"seq {n}: payload not canonical"
        assert json.loads(p)["seq"] == r["seq"] == n, f"seq {n}: out of order or missing"
        assert r["prev_hash"] == prev, f"seq {n}: prev_hash breaks the chain"
        h = hashlib.sha256((prev + p).encode("utf-8")).hexdigest()
        assert h == r["hash"], f"seq {n}: hash mismatch (event modified)"
        prev = h
    print("OK", len(rows), "events; head", prev)

The head hash printed last can be compared with a checkpoint published earlier
(`brandpunt audit checkpoint`): leaf = sha256("<case_id>\\n<last_seq>\\n<head_hash>").

Who acted: an event recorded by a person's command carries "signed": the statement the API host
(or an operator's key) signed for that command, and its Ed25519 signature. With the `command` public
key of that "key_id" (from `brandpunt keys export-public`, kept by the auditors) and the package
`cryptography`:

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    for r in rows:
        e = json.loads(r["payload"]); s = e.get("signed")
        if not s:
            continue  # recorded by the case itself, or before commands were signed
        st = s["statement"]
        msg = json.dumps(st, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(PUBLIC_KEYS[st["key_id"]])).verify(
            bytes.fromhex(s["signature"]), msg)  # raises InvalidSignature when forged
        assert (st["case_id"], st["command_id"], st["subject"], st["organisation"]) == (
            e["case_id"], e["command_id"], e["actor"], e["organisation"]), f"seq {e['seq']}: not its signer"
'''


def _gist(ev: dict) -> str:
    """One readable line of what an event says (the full event is in the details below it)."""
    t, loc = ev.get("type"), ev.get("location") or {}
    where = ", ".join(str(x) for x in (loc.get("hotspot"), loc.get("municipality"), loc.get("region")) if x)
    if t == "LeadDetected":
        lead = ev.get("lead", {})
        signalled = f"signalled by {ev['signalled_by']}" if ev.get("signalled_by") else None
        outside = "outside any hotspot" if "hotspot" in lead and lead["hotspot"] is None else None
        marks = "".join(f" · {m}" for m in ("demo case" if ev.get("demo") else None, ev.get("source"), signalled,
                                            outside) if m)
        return f"{lead.get('company')} · {lead.get('technology_domain')} · phase {lead.get('phase')}{marks}"
    if t in ("LeadUpdated", "RealisationCorrected") and ev.get("changes"):
        return describe_changes(ev["changes"])
    if t == "NoteRecorded":
        return f"{ev.get('kind')}: {ev.get('text')}"
    if t == "PhaseChanged":
        return f"phase {ev.get('from_phase')} → {ev.get('to_phase')}"
    if t == "NeedsArticulated":
        return f"needed by {ev.get('needs', {}).get('needed_by')}"
    if t == "MatchesProposed":
        proposals = ev.get("proposals", [])
        best = ", ".join(str(p.get("hotspot")) for p in proposals[:3])
        return (f"proposed: {best or 'none'}" + (f" · bottleneck {ev['bottleneck']}" if ev.get("bottleneck") else "")
                + _offers_used(proposals))
    if t == "LocationChosen":
        return where
    if t == "ConsultationRequested":
        return f"{ev.get('consultation_id')} {ev.get('party')}: {ev.get('subject')} (due {ev.get('due')})"
    if t == "ConsultationAnswered":
        return f"{ev.get('consultation_id')} {ev.get('verdict')}: {ev.get('answer')}"
    if t == "Realised":
        r = ev.get("realisation", {})
        where = ", ".join(str(x) for x in ((r.get("location") or {}).get("hotspot"), (r.get("location") or {}).get("region")) if x)
        here = ev.get("at_current_site")
        site = "" if here is None else " · at its current site" if here else " · elsewhere in its region"
        facts = (f" · {ev['counterfactual']}" if ev.get("counterfactual") else "") + site
        return f"{ev.get('outcome')} · {where} · €{r.get('investment_eur', 0):,} · {r.get('jobs')} jobs{facts}"
    if t == "Referred":
        return f"referred to {ev.get('to')}{' (' + str(ev['name']) + ')' if ev.get('name') else ''}: {ev.get('subject')}"
    if t == "Phase2EndExpected":
        return f"end of venture phase 2 expected {ev.get('expected_end')}"
    if t == "CaseClosed":
        return str(ev.get("outcome")) + (f" · bottleneck {ev['bottleneck']}" if ev.get("bottleneck") else "")
    if t == "CaseReopened":
        return f"back to {ev.get('to_stage')}"
    if t == "ReminderSent":
        return f"{ev.get('subject')} → {ev.get('recipient')}"
    return ""


def _offers_used(proposals: list[dict]) -> str:
    """What the proposals were scored against: the offer versions and whether they are illustrative
    (``MatchProposal.offer_version``/``illustrative``), or that a proposal recorded before offers
    were versioned does not say."""
    if not proposals:
        return ""
    versions = sorted({str(p["offer_version"]) for p in proposals if p.get("offer_version")})
    if len(versions) < len(proposals):
        return " · offer versions not recorded"
    illustrative = sum(1 for p in proposals if p.get("illustrative"))
    kind = ("all illustrative" if illustrative == len(proposals)
            else "none illustrative" if not illustrative else f"{illustrative} illustrative")
    return f" · offers {', '.join(versions)} ({kind})"


def timeline(case_id: str, rows: list[LedgerRow], finding: Finding | None = None) -> str:
    """The case's events as a page a person reads (``reports/templates/dossier_timeline.html``)."""
    from reports.templating import LANGUAGE, render

    state = fold(r.event for r in rows if finding is None or r.seq < finding.seq)
    items = []
    for r in rows:
        ev: dict = r.payload_json() or {}
        detail = {k: v for k, v in ev.items()
                  if k not in ("case_id", "seq", "at", "actor", "organisation", "reason", "type")}
        items.append({"at": r.at.strftime("%Y-%m-%d %H:%M"), "type": r.type, "actor": r.actor,
                      "organisation": r.organisation, "gist": _gist(ev), "reason": ev.get("reason"), "seq": r.seq,
                      "hash": r.hash, "detail": json.dumps(detail, indent=2, ensure_ascii=False),
                      "erased": list(r.erased)})
    return render("dossier_timeline.html", case_id=case_id, company=state.lead.company if state else "",
                  finding=str(finding) if finding else None, stage=state.stage.value if state else "-",
                  outcome=state.outcome.value if state and state.outcome else "open", items=items,
                  head=rows[-1].hash if rows else "-", erased=sum(len(r.erased) for r in rows),
                  language=LANGUAGE.get())


def write(
    out: Path, case_id: str, rows: list[LedgerRow], histories: list[WorkflowHistory],
    keys: PayloadKeys | None = None,
) -> tuple[list[Path], Finding | None]:
    """Write the dossier; also return the chain's first broken link (shown in the timeline). With
    ``keys`` the Temporal histories are written decrypted (``keys.codec``), as the ledger's events
    are, so the auditor replays them without the deployment's keys; a payload no key opens stays
    as it was."""
    if keys is not None:
        cipher = PayloadCipher(keys)
        for h in histories:
            for event in h.events:
                try:
                    open_message(event, cipher)
                except CodecError:
                    continue
    out.mkdir(parents=True, exist_ok=True)
    files = [out / "events.json", out / "timeline.html", out / "VERIFY.txt"]
    files[0].write_text(json.dumps([r.as_json(stored=True) for r in rows], indent=2, ensure_ascii=False),
                        encoding="utf-8")
    findings = verify_rows(rows).findings
    finding = findings[0] if findings else None
    files[1].write_text(timeline(case_id, rows, finding), encoding="utf-8")
    files[2].write_text(VERIFY, encoding="utf-8")
    for h in histories:
        path = out / f"history-{h.run_id}.json"
        path.write_text(h.to_json(), encoding="utf-8")
        files.append(path)
    return files, finding
