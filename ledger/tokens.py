"""Personal access tokens of the HTTP API, stored by their sha256 hash (table ``access_tokens``).

What a token is and how it is made (a 256-bit random secret, shown once) is the API's
(``api.tokens``); here it is kept: the hash of the secret (never the secret), the identity it acts
as (subject, organisation, roles at the time it was made), its scopes, its expiry and its
revocation. A lookup is by hash, one indexed row. Reached as ``Ledger.tokens``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, insert, select, update

from ledger.schema import access_tokens, iso


@dataclass(frozen=True)
class StoredToken:
    """One personal access token, without its secret."""

    token_id: str
    subject: str
    organisation: str
    roles: tuple[str, ...]
    scopes: tuple[str, ...]
    name: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    def valid_at(self, at: datetime) -> bool:
        """Not revoked and not yet expired at ``at``."""
        return self.revoked_at is None and at < self.expires_at


_T = access_tokens.c
_COLUMNS = (_T.token_id, _T.subject, _T.organisation, _T.roles, _T.scopes, _T.name, _T.created_at,
            _T.expires_at, _T.revoked_at)


def _token(row: tuple[str, ...]) -> StoredToken:
    token_id, subject, organisation, roles, scopes, name, created, expires, revoked = row
    return StoredToken(
        token_id=token_id, subject=subject, organisation=organisation, roles=tuple(roles.split()),
        scopes=tuple(scopes.split()), name=name, created_at=datetime.fromisoformat(created),
        expires_at=datetime.fromisoformat(expires),
        revoked_at=datetime.fromisoformat(revoked) if revoked else None,
    )


class AccessTokens:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, token: StoredToken, token_hash: str) -> None:
        """Store ``token`` under the hash of its secret (``token_hash``: 64 hex of sha256)."""
        if len(token_hash) != 64:
            raise ValueError("token_hash: the sha256 of the secret, 64 hex characters")
        with self._engine.begin() as conn:
            conn.execute(
                insert(access_tokens).values(
                    token_id=token.token_id, token_hash=token_hash, subject=token.subject,
                    organisation=token.organisation, roles=" ".join(token.roles), scopes=" ".join(token.scopes),
                    name=token.name, created_at=iso(token.created_at), expires_at=iso(token.expires_at),
                    revoked_at=None,
                )
            )

    def find(self, token_hash: str) -> StoredToken | None:
        """The token whose secret hashes to ``token_hash`` (revoked and expired ones too), or None."""
        with self._engine.connect() as conn:
            row = conn.execute(select(*_COLUMNS).where(_T.token_hash == token_hash)).first()
        return _token(tuple(row)) if row else None

    def of_subject(self, subject: str) -> list[StoredToken]:
        """Every token of ``subject``, newest first."""
        query = select(*_COLUMNS).where(_T.subject == subject).order_by(_T.created_at.desc(), _T.token_id)
        with self._engine.connect() as conn:
            return [_token(tuple(r)) for r in conn.execute(query).all()]

    def revoke(self, token_id: str, subject: str, at: datetime) -> StoredToken | None:
        """Revoke ``subject``'s token ``token_id`` at ``at`` (a revoked one stays as it was); None when
        ``subject`` has no such token (someone else's token is not theirs to revoke)."""
        mine = (_T.token_id == token_id) & (_T.subject == subject)
        with self._engine.begin() as conn:
            conn.execute(update(access_tokens).where(mine & _T.revoked_at.is_(None)).values(revoked_at=iso(at)))
            row = conn.execute(select(*_COLUMNS).where(mine)).first()
        return _token(tuple(row)) if row else None

    def revoke_all(self, subject: str, at: datetime) -> int:
        """Revoke every live token of ``subject`` (offboarding); how many were revoked."""
        with self._engine.begin() as conn:
            done = conn.execute(
                update(access_tokens).where((_T.subject == subject) & _T.revoked_at.is_(None))
                .values(revoked_at=iso(at))
            )
        return int(done.rowcount or 0)
