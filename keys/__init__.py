"""Every key brandpunt holds, in one keyring: see ``keys.keyring`` and docs/notes/keys.md."""

from keys.keyring import (
    PURPOSES,
    KeyInfo,
    Keyring,
    KeyringError,
    NoKey,
    PublicKeys,
    Signer,
    keys_dir,
)

__all__ = ["PURPOSES", "KeyringError", "KeyInfo", "Keyring", "NoKey", "PublicKeys", "Signer", "keys_dir"]
