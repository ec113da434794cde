"""``brandpunt audit``: verify, checkpoint, history, replay, dossier (from the ledger directly), and
health (stuck workflows, from Temporal).

Exit codes: 0 intact / done / none stuck; 1 a verification or replay failure, or a stuck workflow;
2 bad input.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from client.errors import BadInput
from client.views import check_case_id

if TYPE_CHECKING:
    from audit.checkpoint import Checkpoint
    from audit.commands import SignatureReport
    from keys import PublicKeys
    from ledger.store import Ledger


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = sub.add_parser("audit", help="auditor tooling")
    asub = audit.add_subparsers(dest="audit_cmd", required=True)

    v = asub.add_parser("verify", help="walk the hash chains; name the first bad event")
    v.add_argument("case_id", nargs="?", metavar="CASE")
    v.add_argument("--all", action="store_true")
    v.add_argument("--against", metavar="ROOT|FILE", help="a checkpoint root or checkpoint JSON file")
    v.add_argument("--fast", action="store_true",
                   help="check each payload's canonical form as JSON only (as VERIFY.txt does), not as a "
                        "domain event: ~1.5x faster, misses a re-hashed payload that is no valid event")
    v.add_argument("--public-keys", metavar="FILE",
                   help="trusted public keys (from `keys export-public`); default: the keyring's "
                        "($BRANDPUNT_KEYS_DIR). Without either, signatures are not checked")
    v.add_argument("--jobs", type=int, default=None, help="processes for --all (default 2)")
    v.add_argument("--signatures", action="store_true",
                   help="also check every command's signature (who acted) with the command public keys of "
                        "--public-keys FILE or the keyring; events before signing are counted")
    v.add_argument("--require-signed", action="store_true",
                   help="with --signatures: fail on any command event without a signature")
    v.add_argument("--json", action="store_true")
    v.set_defaults(func=run_verify)

    t = asub.add_parser("sign-tree-head", help="sign a tree head over every case's signed head (the worker "
                        "also makes them); --adopt first signs the heads of verified cases that have none")
    t.add_argument("--adopt", action="store_true",
                   help="after a full verify, sign the head of every case that has no (or a revoked-key) "
                        "signed head but whose chain and projection verify: after migration 0008 or a revoke")
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=run_sign_tree_head)

    c = asub.add_parser("checkpoint", help="a Merkle root over every case head, to store elsewhere")
    c.add_argument("--json", action="store_true", help="print the checkpoint with its leaves")
    c.set_defaults(func=run_checkpoint)

    h = asub.add_parser("history", help="a case's events and state as of a moment, from the ledger")
    h.add_argument("case_id", metavar="CASE")
    h.add_argument("--as-of", help="ISO date-time, e.g. 2026-06-30T17:00:00+02:00; without an offset: UTC (default: now)")
    h.add_argument("--json", action="store_true")
    h.set_defaults(func=run_history)

    r = asub.add_parser("replay", help="replay Temporal histories against the current workflow code")
    r.add_argument("case_id", nargs="?", metavar="CASE")
    r.add_argument("--all", action="store_true")
    r.set_defaults(func=run_replay)

    d = asub.add_parser("dossier", help="export a self-contained dossier of a case")
    d.add_argument("case_id", metavar="CASE")
    d.add_argument("--out", required=True, help="directory to write")
    d.add_argument("--reason", help="why the dossier is exported (recorded in the access log; default: audit)")
    d.set_defaults(func=run_dossier)

    a = asub.add_parser("access", help="who opened a case's file from outside its owner, dossier exports, "
                        "administrative acts (the access log); --verify checks its chain")
    a.add_argument("case_id", metavar="CASE", nargs="?", help="one case's entries (default: all)")
    a.add_argument("--verify", action="store_true", help="check the access log's hash chain and columns")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=run_access)

    hp = asub.add_parser("health", help="running workflows that are stuck: failing workflow task, activity "
                                        "retrying past the thresholds (exit 1 if any)")
    hp.add_argument("--min-attempts", type=int, default=3, metavar="N",
                    help="an activity at this attempt or later is stuck (default 3; at least 2)")
    hp.add_argument("--older-than", default="10m", metavar="DURATION",
                    help="an activity retrying, or a task not picked up, for this long is stuck "
                         "(e.g. 90s, 10m, 2h; 0 turns the age rule off; default 10m)")
    hp.add_argument("--concurrency", type=int, default=8, metavar="N",
                    help="workflows described at a time (default 8)")
    hp.add_argument("--json", action="store_true")
    hp.set_defaults(func=run_health)


def _ledger() -> Ledger:
    import settings as config
    from ledger.store import Ledger

    ledger = Ledger.open(config.load().ledger_url)
    ledger.check_schema()
    return ledger


def _target(args: argparse.Namespace) -> str | None:
    if bool(args.case_id) == bool(args.all):
        raise BadInput("name one CASE or pass --all")
    return check_case_id(args.case_id) if args.case_id else None


def _trusted_keys(args: argparse.Namespace) -> tuple[PublicKeys | None, Path | None]:
    """(public keys or None, the tree-head copy beside the keys or None); never keys from the database."""
    from audit.signed import TREE_HEAD_FILE
    from keys import Keyring, KeyringError, PublicKeys, keys_dir

    if getattr(args, "public_keys", None):
        try:
            return PublicKeys.from_file(Path(args.public_keys)), None
        except KeyringError as err:
            raise BadInput(f"--public-keys: {err}") from None
    ring = Keyring(keys_dir())
    keys = ring.public_keys("ledger")
    if not keys and not keys.revoked:
        return None, None
    return keys, ring.dir / TREE_HEAD_FILE


def run_verify(args: argparse.Namespace) -> int:
    from audit.checkpoint import Checkpoint, compare
    from audit.signed import default_processes, verify_ledger

    case_id = _target(args)
    saved = None
    if args.against:
        if case_id:
            raise BadInput("--against checks the whole ledger: use it with --all")
        saved = _load_checkpoint(args.against)
    from audit.offers import verify_offers
    from audit.programme import verify_programme

    keys, outside = _trusted_keys(args)
    ledger = _ledger()
    try:
        programme_events, programme_finding = verify_programme(ledger) if not case_id else (0, None)
        # the offers in force against the chain's loads, once the chain itself holds
        offer_findings = verify_offers(ledger) if not case_id and programme_finding is None else []
        result = verify_ledger(
            ledger, strict=not args.fast, keys=keys, case_id=case_id, outside=outside,
            want_heads=saved is not None,
            watch={c: s for c, (s, _) in saved.cases.items()} if isinstance(saved, Checkpoint) else None,
            processes=args.jobs or default_processes(),
        )
    finally:
        ledger.dispose()
    report = result.report
    if case_id and not report.cases:
        raise BadInput(f"no case {case_id} in the ledger")
    findings = list(result.findings) + ([programme_finding] if programme_finding else []) + offer_findings
    commands = _command_signatures(args, case_id) if args.signatures else None
    if commands is not None and not commands.ok(args.require_signed):
        findings += commands.problems[:50]
        if args.require_signed and commands.unsigned:
            from audit.verify import Finding

            findings.append(Finding(case_id or "(ledger)", 0, f"{commands.unsigned} command event(s) carry no "
                                    "signature", kind="command-signature"))
    root_ok = None
    if isinstance(saved, Checkpoint):
        findings += compare(saved, result.heads, report.hash_at)
        root_ok = not findings
    elif saved is not None:
        root_ok = Checkpoint.of(result.heads.values()).root == saved
    ok = not findings and root_ok is not False
    sth = result.tree_head
    if args.json:
        print(json.dumps({
            "ok": ok, "cases": report.cases, "events": report.events, "strict": not args.fast,
            "programme_events": programme_events,
            "signatures_checked": result.signatures_checked,
            **({"commands": {"signed": commands.signed, "unsigned": commands.unsigned,
                             "problems": len(commands.problems)}} if commands is not None else {}),
            "tree_head": sth.as_json() if sth else None,
            "findings": [f.as_json() for f in findings],
            **({"against_root_matches": root_ok} if root_ok is not None else {}),
        }, indent=2))
    else:
        for f in findings:
            print(f"BAD {f}")
        if root_ok is False and not findings:
            print("BAD the ledger's root differs from the given root (a case changed, was removed or added; "
                  "keep the checkpoint file from `audit checkpoint --json` to know which)")
        if not result.signatures_checked:
            print("note: signatures not checked (no public keys: pass --public-keys FILE or set "
                  "BRANDPUNT_KEYS_DIR); a forged append with re-computed hashes would pass", file=sys.stderr)
        signed = f", signed tree head #{sth.serial} of {sth.made_at}" if sth and result.signatures_checked else ""
        programme = f" and {programme_events} programme event(s)" if programme_events else ""
        if commands is not None:
            print(f"command signatures: {commands.signed} event(s) signed and verified, {commands.unsigned} "
                  f"command event(s) unsigned (before signing), {len(commands.problems)} bad")
        print(f"{'OK' if ok else 'FAILED'}: {report.cases} case(s), {report.events} event(s){programme} "
              f"checked{signed}")
    return 0 if ok else 1


def _command_signatures(args: argparse.Namespace, case_id: str | None) -> SignatureReport:
    """``--signatures``: the commands' signatures against the command public keys (never the database's)."""
    from audit.commands import check_signatures
    from keys import Keyring, KeyringError, PublicKeys, keys_dir

    if args.public_keys:
        try:
            keys = PublicKeys.from_file(Path(args.public_keys), purpose="command")
        except KeyringError as err:
            raise BadInput(f"--public-keys: {err}") from None
    else:
        keys = Keyring(keys_dir()).public_keys("command")
    if not keys and not keys.revoked:
        raise BadInput("--signatures: no command public keys (pass --public-keys FILE from `brandpunt keys "
                       "export-public`, or set BRANDPUNT_KEYS_DIR)", "public_keys")
    ledger = _ledger()
    try:
        if case_id:
            return check_signatures(ledger.events(case_id), keys)
        return check_signatures((r for c in ledger.case_ids() for r in ledger.events(c)), keys)
    finally:
        ledger.dispose()


def run_sign_tree_head(args: argparse.Namespace) -> int:
    from audit.signed import TREE_HEAD_FILE, default_processes, verify_ledger
    from keys import Keyring, NoKey, keys_dir
    from ledger.heads import TreeHeadRefused, adopt, make_tree_head

    ring = Keyring(keys_dir())
    try:
        signer = ring.signer("ledger")
    except NoKey as err:
        raise BadInput(str(err)) from None
    trusted = ring.public_keys("ledger")
    outside = ring.dir / TREE_HEAD_FILE
    ledger = _ledger()
    try:
        adopted = 0
        if args.adopt:
            result = verify_ledger(ledger, keys=trusted, want_heads=True, outside=outside,
                                   processes=default_processes())
            blocking = [f for f in result.findings if f.kind not in ("unsigned", "revoked", "tree")]
            if blocking:
                for f in blocking:
                    print(f"BAD {f}", file=sys.stderr)
                print("refusing to adopt: the ledger does not verify (see above)", file=sys.stderr)
                return 1
            todo = {f.case_id for f in result.findings if f.kind in ("unsigned", "revoked")}
            adopted = adopt(ledger, signer, {c: (h.last_seq, h.head_hash, h.seal)
                                             for c, h in result.heads.items() if c in todo})
        try:
            sth = make_tree_head(ledger, signer, trusted, outside)
        except TreeHeadRefused as err:
            print(f"brandpunt: {err}", file=sys.stderr)
            return 1
    finally:
        ledger.dispose()
    if args.json:
        print(json.dumps({**sth.as_json(), "adopted": adopted, "refused": list(sth.refused)}, indent=2))
    else:
        for r in sth.refused:
            print(f"BAD {r}: left out of the tree head", file=sys.stderr)
        print(f"signed tree head #{sth.serial}: {sth.cases} case(s), {sth.events} event(s), root {sth.root}, "
              f"key {sth.key_id}" + (f"; {adopted} case head(s) adopted" if args.adopt else ""))
    return 1 if sth.refused else 0


def _load_checkpoint(value: str) -> str | Checkpoint:
    from audit.checkpoint import Checkpoint

    if re.fullmatch(r"[0-9a-f]{64}", value):
        return value
    path = Path(value)
    if not path.exists():
        raise BadInput(f"--against {value}: neither a 64-hex root nor a checkpoint file")
    try:
        return Checkpoint.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError) as err:
        raise BadInput(f"--against {value}: not a valid checkpoint file ({err})") from None


def run_checkpoint(args: argparse.Namespace) -> int:
    from audit.checkpoint import Checkpoint
    from audit.verify import CaseHead, rows_of, verify_rows

    heads: list[CaseHead] = []
    ledger = _ledger()
    try:
        report = verify_rows(rows_of(ledger), on_head=heads.append, keys=ledger.keys(walk=True))
    finally:
        ledger.dispose()
    if report.findings:
        for f in report.findings:
            print(f"BAD {f}", file=sys.stderr)
        print("refusing to checkpoint a ledger that does not verify", file=sys.stderr)
        return 1
    cp = Checkpoint.of(heads)
    if args.json:
        print(json.dumps({**cp.as_json(), "events": report.events,
                          "created_at": datetime.now(UTC).isoformat()}, indent=2))
    else:
        print(cp.root)
    return 0


def _as_of(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise BadInput(f"--as-of {value!r} is not an ISO date-time (e.g. 2026-06-30T17:00:00+02:00)") from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def run_history(args: argparse.Namespace) -> int:
    from audit.history import as_of

    check_case_id(args.case_id)
    at = _as_of(args.as_of)
    ledger = _ledger()
    try:
        got = as_of(ledger, args.case_id, at)
        known = bool(got.rows) or bool(ledger.events(args.case_id, upto_seq=1))
    finally:
        ledger.dispose()
    if not known:
        raise BadInput(f"no case {args.case_id} in the ledger")
    state = got.state
    if args.json:
        print(json.dumps({
            "case_id": args.case_id, "as_of": at.isoformat() if at else None,
            "chain": got.finding.as_json() if got.finding else "intact",
            "state": state.model_dump(mode="json") if state else None,
            "events": [r.as_json() for r in got.rows],  # a tampered payload is shown as stored
        }, indent=2, ensure_ascii=False))
        return 1 if got.finding else 0
    if got.finding:
        print(f"BAD {got.finding}: the state below stops before it", file=sys.stderr)
    if state is None:
        print(f"{args.case_id} did not exist yet at {at}")
        return 1 if got.finding else 0
    print(f"{args.case_id} as of {at or 'now'}: stage {state.stage.value}, phase {state.phase}, "
          f"outcome {state.outcome.value if state.outcome else 'open'}, {state.last_seq} event(s)")
    if state.location:
        loc = state.location
        where = loc.hotspot.value if loc.hotspot else "outside a hotspot"
        print(f"  location: {where}, {loc.municipality or '-'} ({loc.region.value})")
    for c in state.consultations:
        print(f"  consultation {c.consultation_id} {c.party.value}: "
              f"{c.verdict.value if c.verdict else ('withdrawn' if c.withdrawn else 'open')}")
    for r in got.rows:
        why = f"  ({r.event.reason})" if r.event.reason and (not got.finding or r.seq < got.finding.seq) else ""
        print(f"  {r.seq:>3} {r.at:%Y-%m-%d %H:%M} {r.type:<22} {r.actor}{why}")
    return 1 if got.finding else 0


async def run_replay(args: argparse.Namespace) -> int:
    import settings as config
    from audit.replay import fetch_histories, replay
    from client.connection import connect

    case_id = _target(args)
    client = await connect(config.load())
    histories = await fetch_histories(client, case_id)
    if not histories:
        raise BadInput(f"no Temporal history for {case_id or 'any case'}")
    from keys import codec, keys_dir

    outcomes = await replay(histories, keys=codec.load(keys_dir()))  # encrypted histories need the payload keys
    for o in outcomes:
        print(f"{'OK  ' if o.ok else 'FAIL'} {o.workflow_id} run {o.run_id} ({o.events} events)"
              f"{'' if o.ok else ': ' + str(o.error)}")
    bad = sum(not o.ok for o in outcomes)
    print(f"{len(outcomes) - bad} of {len(outcomes)} histories replay with the current code")
    return 1 if bad else 0


async def run_dossier(args: argparse.Namespace) -> int:
    import settings as config
    from audit import dossier
    from audit.replay import fetch_histories
    from client.connection import connect
    from client.errors import TemporalUnreachable

    check_case_id(args.case_id)
    ledger = _ledger()
    rows = ledger.events(args.case_id)
    ledger.dispose()
    if not rows:
        raise BadInput(f"no case {args.case_id} in the ledger")
    try:
        histories = await fetch_histories(await connect(config.load()), args.case_id)
    except TemporalUnreachable as err:
        print(f"warning: no Temporal history in the dossier: {err}", file=sys.stderr)
        histories = []
    from cli.files import call
    from keys import codec, keys_dir

    payload_keys = codec.load(keys_dir())  # the histories written decrypted, as the ledger's events are
    files, finding = call(args.out, lambda: dossier.write(Path(args.out), args.case_id, rows, histories, payload_keys))
    _record_export(args.case_id, args.reason)
    for path in files:
        print(path)
    if finding:
        print(f"BAD {finding} (exported as stored; the timeline says so)", file=sys.stderr)
        return 1
    return 0


def _record_export(case_id: str, reason: str | None) -> None:
    """Every dossier export goes into the access log: who (``BRANDPUNT_ACTOR``, else the operating
    system's user), for which organisation, when and why."""
    import getpass

    import settings as config
    from domain.access_log import AccessKind

    s = config.load()
    ledger = _ledger()
    try:
        ledger.access_log.record(
            at=datetime.now(UTC), subject=s.actor or f"os:{getpass.getuser()}",
            organisation=s.organisation or "operator", kind=AccessKind.EXPORT_DOSSIER, case_id=case_id,
            purpose=reason or "audit",
        )
    finally:
        ledger.dispose()


def run_access(args: argparse.Namespace) -> int:
    import json

    if args.case_id is not None:
        check_case_id(args.case_id)
    ledger = _ledger()
    try:
        stored = ledger.access_log.entries(args.case_id)
        problems = ledger.access_log.problems() if args.verify else []
    finally:
        ledger.dispose()
    if args.json:
        print(json.dumps({"entries": [{**x.entry.model_dump(mode="json"), "hash": x.hash} for x in stored],
                          "problems": problems}, indent=2, ensure_ascii=False))
    else:
        for x in stored:
            e = x.entry
            on = f" {e.case_id}" if e.case_id else ""
            print(f"{e.seq:>5} {e.at:%Y-%m-%d %H:%M} {e.kind.value:<15}{on}  {e.subject} ({e.organisation})  "
                  f"why: {e.purpose}" + (f"  [{e.detail}]" if e.detail else ""))
        print(f"{len(stored)} access(es)" + (f" to {args.case_id}" if args.case_id else ""))
        if args.verify:
            print("\n".join(f"BAD {p}" for p in problems) if problems else "OK: the access log's chain is sound")
    return 1 if problems else 0


def _duration(value: str) -> timedelta | None:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", value)
    if not match:
        raise BadInput(f"--older-than {value!r}: give a duration such as 90s, 10m, 2h or 1d (0: off)")
    amount = float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]
    return timedelta(seconds=amount) if amount else None


async def run_health(args: argparse.Namespace) -> int:
    import settings as config
    from audit.health import Thresholds, check, lines
    from client.connection import connect

    if args.min_attempts < 2:
        raise BadInput(f"--min-attempts {args.min_attempts}: at least 2 (attempt 1 is the first try)")
    if not 1 <= args.concurrency <= 64:
        raise BadInput(f"--concurrency {args.concurrency}: between 1 and 64")
    thresholds = Thresholds(min_attempts=args.min_attempts, older_than=_duration(args.older_than))
    health = await check(await connect(config.load()), thresholds, concurrency=args.concurrency)
    if args.json:
        print(json.dumps({
            "ok": health.ok, "running": health.running, "thresholds": thresholds.as_json(),
            "stuck": [s.as_json() for s in health.stuck],
        }, indent=2, ensure_ascii=False))
    else:
        print("\n".join(lines(health, thresholds)))
    return 0 if health.ok else 1
