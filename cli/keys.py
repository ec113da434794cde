"""``brandpunt keys``: the keyring (init, list, rotate, revoke, export-public). Never prints a secret.

Exit codes: 0 done; 2 bad input (unknown purpose or key).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from client.errors import BadInput

if TYPE_CHECKING:
    from keys import Keyring

T = TypeVar("T")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = sub.add_parser("keys", help="the keyring ($BRANDPUNT_KEYS_DIR): signing and encryption keys")
    ksub = keys.add_subparsers(dest="keys_cmd", required=True)
    i = ksub.add_parser("init", help="create the keys that do not exist yet (the ledger key, the command key and the "
                        "payload key)")
    i.add_argument("--purpose", action="append", help="purpose to create (default: ledger, command and payload); "
                   "repeatable")
    i.set_defaults(func=run_init)
    ls = ksub.add_parser("list", help="key ids, purpose, created, status (no secret material)")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=run_list)
    r = ksub.add_parser("rotate", help="a new active key; the old one is kept for verification only")
    r.add_argument("--purpose", required=True)
    r.set_defaults(func=run_rotate)
    v = ksub.add_parser("revoke", help="mark a leaked, rotated-out key: what it signed is no longer trusted")
    v.add_argument("key_id", metavar="KEY_ID")
    v.set_defaults(func=run_revoke)
    e = ksub.add_parser("export-public", help="write the public keys (for auditors: verify --public-keys)")
    e.add_argument("--out", required=True, metavar="FILE")
    e.set_defaults(func=run_export)


def _ring() -> Keyring:
    from keys import Keyring, keys_dir

    return Keyring(keys_dir())


def _guard(fn: Callable[[], T]) -> T:
    from keys import KeyringError

    try:
        return fn()
    except KeyringError as err:
        raise BadInput(str(err)) from None


def run_init(args: argparse.Namespace) -> int:
    ring = _ring()
    made = _guard(lambda: ring.init(args.purpose or ["ledger", "command", "payload"]))
    for k in made:
        print(f"created {k.purpose} key {k.id} ({k.algorithm}) in {ring.dir}")
    if not made:
        print(f"keys already present in {ring.dir}; nothing created")
    return 0


def run_list(args: argparse.Namespace) -> int:
    ring = _ring()
    rows = [{"purpose": k.purpose, "id": k.id, "algorithm": k.algorithm, "created_at": k.created_at,
             "status": k.status, "active": k.active, "secret_held": k.has_secret} for k in ring.keys()]
    if args.json:
        print(json.dumps({"dir": str(ring.dir), "keys": rows}, indent=2))
        return 0
    for r in rows:
        print(f"{r['purpose']:<9} {r['id']}  {r['algorithm']:<12} {r['created_at']}  {r['status']}"
              f"{'' if r['secret_held'] else '  (public only)'}")
    print(f"{len(rows)} key(s) in {ring.dir}")
    return 0


def run_rotate(args: argparse.Namespace) -> int:
    ring = _ring()
    new, old = _guard(lambda: ring.rotate(args.purpose))
    print(f"new active {new.purpose} key {new.id}; verify-only now: {', '.join(k.id for k in old) or 'none'}")
    if new.algorithm == "aes-256-gcm":
        print("new payloads are encrypted with it once workers and API hosts restart; the old keys still decrypt "
              "(keep them: histories and replays need them)")
    else:
        print("export the public keys again for the auditors: brandpunt keys export-public --out FILE")
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    ring = _ring()
    k = _guard(lambda: ring.revoke(args.key_id))
    print(f"revoked {k.purpose} key {k.id}: heads signed by it no longer verify; re-sign verified heads "
          "with `brandpunt audit sign-tree-head --adopt` after checking the ledger against a checkpoint")
    return 0


def run_export(args: argparse.Namespace) -> int:
    ring = _ring()
    data = ring.export_public()
    if not data["keys"]:
        raise BadInput(f"no public keys in {ring.dir}: run `brandpunt keys init` first")
    from cli.files import write_text

    write_text(args.out, json.dumps(data, indent=2) + "\n")
    print(f"{len(data['keys'])} public key(s) written to {args.out}")
    return 0
