"""A self-contained dossier of one case for an auditor who does not trust the operator.

``events.json`` holds the ledger rows byte for byte (payload as stored, prev_hash, hash),
``history-<run>.json`` the Temporal histories, ``timeline.html`` a readable timeline, and
``VERIFY.txt`` the hash rule with a stdlib-only script that checks ``events.json``.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from temporalio.client import WorkflowHistory

from domain.state import fold
from ledger.store import LedgerRow

VERIFY = '''How to verify events.json without brandpunt
============================================

Each event is stored as "payload": its canonical JSON (keys sorted, separators "," and ":",
UTF-8, no extra whitespace). Events of a case are chained:

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
'''


def _row(r: LedgerRow) -> dict:
    return {
        "seq": r.seq, "event_id": r.event_id, "type": r.type, "at": r.at.isoformat(), "actor": r.actor,
        "organisation": r.organisation, "payload": r.payload, "prev_hash": r.prev_hash, "hash": r.hash,
        "recorded_at": r.recorded_at.isoformat(),
    }


def timeline(case_id: str, rows: list[LedgerRow]) -> str:
    state = fold(r.event for r in rows)
    items = []
    for r in rows:
        ev = json.loads(r.payload)
        detail = {k: v for k, v in ev.items()
                  if k not in ("case_id", "seq", "at", "actor", "organisation", "reason", "type")}
        items.append(
            f"<li><time>{html.escape(r.at.strftime('%Y-%m-%d %H:%M'))}</time> <b>{html.escape(r.type)}</b> "
            f"by {html.escape(r.actor)}{(' (' + html.escape(r.organisation) + ')') if r.organisation else ''}"
            f"{('<br><i>' + html.escape(ev['reason']) + '</i>') if ev.get('reason') else ''}"
            f"<details><summary>seq {r.seq} · hash {r.hash[:16]}…</summary>"
            f"<pre>{html.escape(json.dumps(detail, indent=2, ensure_ascii=False))}</pre></details></li>"
        )
    outcome = state.outcome.value if state and state.outcome else "open"
    company = html.escape(state.lead.company) if state else ""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Dossier {html.escape(case_id)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;color:#222}}
ol{{list-style:none;padding:0;border-left:3px solid #2a6;}}li{{margin:0 0 1rem 1rem}}
time{{color:#666;font-variant-numeric:tabular-nums}}pre{{background:#f5f5f5;padding:.5rem;overflow:auto}}
@media print{{details{{display:block}}}}</style></head><body>
<h1>{company}</h1><p>Case <code>{html.escape(case_id)}</code> · stage <b>{state.stage.value if state else '-'}</b>
· outcome <b>{outcome}</b> · {len(rows)} events · head hash <code>{rows[-1].hash if rows else '-'}</code></p>
<ol>{''.join(items)}</ol></body></html>"""


def write(out: Path, case_id: str, rows: list[LedgerRow], histories: list[WorkflowHistory]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    files = [out / "events.json", out / "timeline.html", out / "VERIFY.txt"]
    files[0].write_text(json.dumps([_row(r) for r in rows], indent=2, ensure_ascii=False), encoding="utf-8")
    files[1].write_text(timeline(case_id, rows), encoding="utf-8")
    files[2].write_text(VERIFY, encoding="utf-8")
    for h in histories:
        path = out / f"history-{h.run_id}.json"
        path.write_text(h.to_json(), encoding="utf-8")
        files.append(path)
    return files
