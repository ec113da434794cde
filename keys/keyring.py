"""The keyring: one directory holding every key brandpunt uses, each with a *purpose*.

Layout of ``$BRANDPUNT_KEYS_DIR`` (default ``$BRANDPUNT_HOME/keys``; the directory is 0700, every
file in it 0600):

- ``keyring.json``: the index, no secret material: for each key its purpose, id, algorithm,
  creation time, status (``active``, ``verify-only``, ``revoked``) and, for public-key algorithms,
  the public key (hex). The public keys here are what ``export-public`` hands to auditors.
- ``<purpose>-<id>.key``: the secret (an Ed25519 private key as 32 raw bytes, or a 32-byte
  AES-256-GCM key), hex, one line. Written once, never printed or logged.

Purposes (``PURPOSES``): ``ledger`` (Ed25519, signs case heads and tree heads) today; ``command``
(Ed25519, API command signatures) and ``payload`` / ``personal`` (AES-256-GCM) are declared for the
issues that add them. Key id: the first 16 hex of sha256 of the public key (Ed25519), or of
``"brandpunt-key-id\\n" + key`` for a symmetric key (an id that reveals nothing usable).

Rotation: ``rotate(purpose)`` makes a new active key; the old one becomes ``verify-only`` (its public
key stays for verifying what it signed). A signing key's secret is deleted at rotation
(``keep_old_secret=False``: nothing more may be signed with it); an encryption key's secret is kept
(old payloads must stay readable). ``revoke(id)`` marks a leaked key: signatures by it are refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


@dataclass(frozen=True)
class Purpose:
    name: str
    algorithm: str  # "ed25519" | "aes-256-gcm"
    keep_old_secret: bool
    description: str


PURPOSES: dict[str, Purpose] = {
    p.name: p
    for p in (
        Purpose("ledger", "ed25519", False, "signs each case's chain head and the signed tree heads"),
        Purpose("command", "ed25519", False, "signs the commands the API host (or an operator) sends to cases"),
        Purpose("payload", "aes-256-gcm", True, "encrypts what brandpunt sends through Temporal (keys/codec.py)"),
        Purpose("personal", "aes-256-gcm", True, "encrypts personal data (a later issue)"),
    )
}
INDEX = "keyring.json"
PUBLIC_FORMAT = "brandpunt-public-keys/1"


class KeyringError(Exception):
    """A keyring problem the user must fix (message says how)."""


class NoKey(KeyringError):
    pass


def keys_dir(env: dict[str, str] | None = None) -> Path:
    env = dict(os.environ if env is None else env)
    if env.get("BRANDPUNT_KEYS_DIR"):
        return Path(env["BRANDPUNT_KEYS_DIR"]).expanduser().resolve()
    return Path(env.get("BRANDPUNT_HOME", "./.brandpunt")).expanduser().resolve() / "keys"


def key_id_of_public(raw_public: bytes) -> str:
    return hashlib.sha256(raw_public).hexdigest()[:16]


def _key_id_of_secret(raw: bytes) -> str:
    return hashlib.sha256(b"brandpunt-key-id\n" + raw).hexdigest()[:16]


@dataclass(frozen=True)
class KeyInfo:
    purpose: str
    id: str
    algorithm: str
    created_at: str
    status: str  # active | verify-only | revoked
    public_key: str | None = None  # hex, Ed25519 only
    has_secret: bool = False

    @property
    def active(self) -> bool:
        return self.status == "active"


class Signer:
    """Signs with one Ed25519 key; knows its id. Holds the secret in memory only."""

    def __init__(self, key_id: str, private: Ed25519PrivateKey) -> None:
        self.key_id = key_id
        self._private = private

    def sign(self, message: bytes) -> str:
        return self._private.sign(message).hex()

    def public(self) -> PublicKeys:
        raw = self._private.public_key().public_bytes_raw()
        return PublicKeys({self.key_id: Ed25519PublicKey.from_public_bytes(raw)})

    def __repr__(self) -> str:  # never the secret
        return f"Signer(key_id={self.key_id!r})"

    @classmethod
    def generate(cls) -> Signer:
        """A throwaway key (tests, benchmarks): not stored anywhere."""
        private = Ed25519PrivateKey.generate()
        return cls(key_id_of_public(private.public_key().public_bytes_raw()), private)


class PublicKeys:
    """Trusted Ed25519 public keys by id: what verification uses (never keys from the database)."""

    def __init__(self, keys: dict[str, Ed25519PublicKey], revoked: Iterable[str] = ()) -> None:
        self._keys = dict(keys)
        self.revoked = set(revoked)

    def __bool__(self) -> bool:
        return bool(self._keys)

    @property
    def ids(self) -> list[str]:
        return sorted(self._keys)

    def problem(self, key_id: str, message: bytes, signature_hex: str) -> str | None:
        """None when ``signature_hex`` is a valid signature of ``message`` by trusted ``key_id``."""
        if key_id in self.revoked:
            return f"signed by revoked key {key_id}"
        key = self._keys.get(key_id)
        if key is None:
            return f"signed by unknown key {key_id}"
        try:
            key.verify(bytes.fromhex(signature_hex), message)
        except (InvalidSignature, ValueError):
            return f"signature by key {key_id} does not verify"
        return None

    def as_raw(self) -> dict[str, bytes]:
        return {k: v.public_bytes_raw() for k, v in self._keys.items()}

    @classmethod
    def from_raw(cls, raw: dict[str, bytes], revoked: Iterable[str] = ()) -> PublicKeys:
        return cls({k: Ed25519PublicKey.from_public_bytes(v) for k, v in raw.items()}, revoked)

    @classmethod
    def from_file(cls, path: Path, purpose: str = "ledger") -> PublicKeys:
        """An export made by ``brandpunt keys export-public``."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            if data.get("format") != PUBLIC_FORMAT:
                raise ValueError(f"not a {PUBLIC_FORMAT} file")
            keys, revoked = {}, []
            for k in data["keys"]:
                if k["purpose"] != purpose or k["algorithm"] != "ed25519":
                    continue
                raw = bytes.fromhex(k["public_key"])
                if key_id_of_public(raw) != k["id"]:
                    raise ValueError(f"key {k['id']}: the id is not the public key's")
                if k["status"] == "revoked":
                    revoked.append(k["id"])
                else:
                    keys[k["id"]] = Ed25519PublicKey.from_public_bytes(raw)
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise KeyringError(f"{path}: not a usable public-key file ({err})") from None
        return cls(keys, revoked)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _write_private(path: Path, text: str) -> None:
    """Create ``path`` with mode 0600 from the start (never world-readable, not even briefly)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)


class Keyring:
    def __init__(self, directory: Path) -> None:
        self.dir = Path(directory)

    # --- the index -------------------------------------------------------------------------

    def _index_path(self) -> Path:
        return self.dir / INDEX

    def exists(self) -> bool:
        return self._index_path().exists()

    def keys(self, purpose: str | None = None) -> list[KeyInfo]:
        if not self.exists():
            return []
        data = json.loads(self._index_path().read_text(encoding="utf-8"))
        infos = [KeyInfo(**k) for k in data["keys"]]
        return [k for k in infos if purpose in (None, k.purpose)]

    def _save(self, infos: list[KeyInfo]) -> None:
        self._ensure_dir()
        tmp = self.dir / f".{INDEX}.{secrets.token_hex(4)}"
        _write_private(tmp, json.dumps({"keys": [asdict(k) for k in infos]}, indent=2) + "\n")
        os.replace(tmp, self._index_path())

    def _ensure_dir(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.dir, 0o700)

    def _secret_path(self, info: KeyInfo) -> Path:
        return self.dir / f"{info.purpose}-{info.id}.key"

    # --- making keys -----------------------------------------------------------------------

    def _new(self, purpose: str) -> KeyInfo:
        spec = PURPOSES.get(purpose)
        if spec is None:
            raise KeyringError(f"unknown key purpose {purpose!r} (one of {', '.join(PURPOSES)})")
        self._ensure_dir()
        if spec.algorithm == "ed25519":
            private = Ed25519PrivateKey.generate()
            raw, public = private.private_bytes_raw(), private.public_key().public_bytes_raw()
            info = KeyInfo(purpose, key_id_of_public(public), "ed25519", _now(), "active", public.hex(), True)
        else:
            raw = secrets.token_bytes(32)
            info = KeyInfo(purpose, _key_id_of_secret(raw), spec.algorithm, _now(), "active", None, True)
        _write_private(self._secret_path(info), raw.hex() + "\n")
        return info

    def init(self, purposes: Iterable[str] = ("ledger",)) -> list[KeyInfo]:
        """Create an active key for each purpose that has none; returns the keys created."""
        infos, made = self.keys(), []
        for purpose in purposes:
            if not any(k.purpose == purpose and k.active for k in infos):
                made.append(self._new(purpose))
        if made or not self.exists():
            self._save(infos + made)
        return made

    def rotate(self, purpose: str) -> tuple[KeyInfo, list[KeyInfo]]:
        """A new active key for ``purpose``; the old active key(s) become verify-only."""
        spec = PURPOSES.get(purpose)
        if spec is None:
            raise KeyringError(f"unknown key purpose {purpose!r} (one of {', '.join(PURPOSES)})")
        new = self._new(purpose)
        out, old = [], []
        for k in self.keys():
            if k.purpose == purpose and k.active:
                keep = spec.keep_old_secret
                if not keep:
                    self._secret_path(k).unlink(missing_ok=True)
                k = KeyInfo(**{**asdict(k), "status": "verify-only", "has_secret": keep})
                old.append(k)
            out.append(k)
        self._save(out + [new])
        return new, old

    def revoke(self, key_id: str) -> KeyInfo:
        """Mark a leaked key: what it signed is no longer trusted; its secret is deleted."""
        out, found = [], None
        for k in self.keys():
            if k.id == key_id:
                if k.active:
                    raise KeyringError(f"key {key_id} is active: rotate its purpose first, then revoke it")
                self._secret_path(k).unlink(missing_ok=True)
                k = found = KeyInfo(**{**asdict(k), "status": "revoked", "has_secret": False})
            out.append(k)
        if found is None:
            raise KeyringError(f"no key {key_id} in {self.dir}")
        self._save(out)
        return found

    # --- using keys ------------------------------------------------------------------------

    def signer(self, purpose: str = "ledger") -> Signer:
        """The active signing key of ``purpose``; :class:`NoKey` with what to do when there is none."""
        active = [k for k in self.keys(purpose) if k.active and k.algorithm == "ed25519"]
        if not active:
            raise NoKey(f"no active {purpose} key in {self.dir}: run `brandpunt keys init` "
                        "(or set BRANDPUNT_KEYS_DIR to where the keys are)")
        info = active[-1]
        path = self._secret_path(info)
        try:
            raw = bytes.fromhex(path.read_text(encoding="utf-8").strip())
        except (OSError, ValueError):
            raise NoKey(f"the {purpose} key {info.id} has no readable secret at {path}") from None
        private = Ed25519PrivateKey.from_private_bytes(raw)
        if key_id_of_public(private.public_key().public_bytes_raw()) != info.id:
            raise NoKey(f"{path} does not hold key {info.id} (file swapped?)")
        return Signer(info.id, private)

    def secrets(self, purpose: str) -> tuple[str | None, dict[str, bytes]]:
        """The AES-256-GCM keys of ``purpose`` by id, and the active one's id (None without one):
        every key whose secret is kept, so what older keys encrypted stays readable after a rotation."""
        found: dict[str, bytes] = {}
        active = None
        for info in self.keys(purpose):
            if info.algorithm != "aes-256-gcm" or not info.has_secret or info.status == "revoked":
                continue
            path = self._secret_path(info)
            try:
                raw = bytes.fromhex(path.read_text(encoding="utf-8").strip())
            except (OSError, ValueError):
                raise NoKey(f"the {purpose} key {info.id} has no readable secret at {path}") from None
            if _key_id_of_secret(raw) != info.id or len(raw) != 32:
                raise NoKey(f"{path} does not hold key {info.id} (file swapped?)")
            found[info.id] = raw
            if info.active:
                active = info.id
        return active, found

    def public_keys(self, purpose: str = "ledger") -> PublicKeys:
        keys, revoked = {}, []
        for k in self.keys(purpose):
            if k.algorithm != "ed25519" or not k.public_key:
                continue
            if k.status == "revoked":
                revoked.append(k.id)
            else:
                keys[k.id] = Ed25519PublicKey.from_public_bytes(bytes.fromhex(k.public_key))
        return PublicKeys(keys, revoked)

    def export_public(self) -> dict:
        return {
            "format": PUBLIC_FORMAT,
            "exported_at": _now(),
            "keys": [
                {"purpose": k.purpose, "id": k.id, "algorithm": k.algorithm, "created_at": k.created_at,
                 "status": k.status, "public_key": k.public_key}
                for k in self.keys() if k.public_key
            ],
        }
