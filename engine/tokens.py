"""Bearer tokens of the HTTP API: issued for a password or by an administrator, expiring, revocable.

A token is a random secret shown once. Only its SHA-256 is stored, with its first characters (the
prefix) so that people can tell their tokens apart in a list. A token stops working when it expires,
when it is revoked, or when its user is deactivated. People's tokens last ``Settings.token_hours``;
service accounts' (integrations: an HR system, an IKM survey tool) ``Settings.service_token_days``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from engine import users
from engine.errors import BadRequest, NotFound
from engine.runtime import Tx
from engine.users import Actor

SCHEME = "kin_"  # every token begins so: easy to spot in a log or a leaked file
PREFIX_LENGTH = 12  # "kin_" and 8 characters of the secret
MAX_TOKEN_LENGTH = 200
MAX_LIFETIME = timedelta(days=366)
TOUCH_EVERY = timedelta(minutes=5)  # last_used_at is kept to this precision, sparing a write per request


@dataclass(frozen=True)
class TokenInfo:
    """A token as lists show it: never the secret."""

    id: int
    username: str
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    service: bool

    @classmethod
    def of(cls, row: dict[str, Any]) -> TokenInfo:
        return cls(
            row["id"],
            row["username"],
            row["name"],
            row["prefix"],
            row["created_at"],
            row["expires_at"],
            row["revoked_at"],
            row["last_used_at"],
            bool(row["is_service"]),
        )

    def status(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= now else "active"


@dataclass(frozen=True)
class IssuedToken:
    """A new token: the secret (shown once, then only its hash exists) and what lists will show."""

    secret: str
    info: TokenInfo


@dataclass(frozen=True)
class Bearer:
    """Who a valid token speaks for, and the token itself."""

    actor: Actor
    token: TokenInfo


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def issue(tx: Tx, username: str, *, name: str = "api", lifetime: timedelta | None = None) -> IssuedToken:
    """Make a token for an active user; by default it lasts as long as the user's kind of token does."""
    record = tx.store.user(username.strip().lower())
    if record is None or not record.active:
        raise NotFound(f"no active user {username}")
    name = " ".join(name.split())
    if not 1 <= len(name) <= 100:
        raise BadRequest("a token name has 1 to 100 characters")
    if lifetime is None:
        lifetime = default_lifetime(tx, record.is_service)
    if not timedelta(0) < lifetime <= MAX_LIFETIME:
        raise BadRequest(f"a token lasts more than 0 and at most {MAX_LIFETIME.days} days")
    secret = SCHEME + secrets.token_urlsafe(32)
    now = tx.clock.now()
    values: dict[str, Any] = {
        "user_id": record.id,
        "name": name,
        "prefix": secret[:PREFIX_LENGTH],
        "token_hash": digest(secret),
        "created_at": now,
        "expires_at": now + lifetime,
    }
    token_id = tx.store.tokens.insert(values)
    info = TokenInfo(
        token_id, record.username, name, values["prefix"], now, now + lifetime, None, None, record.is_service
    )
    return IssuedToken(secret, info)


def default_lifetime(tx: Tx, service: bool) -> timedelta:
    if service:
        return timedelta(days=tx.settings.service_token_days)
    return timedelta(hours=tx.settings.token_hours)


def sign_in(tx: Tx, username: str, password: str, *, name: str = "login") -> IssuedToken | None:
    """A token for the right password (None otherwise, at the same cost whether or not the user exists)."""
    actor = users.authenticate(tx, username, password)
    if actor is None:
        return None
    return issue(tx, actor.username, name=name)


def authenticate(tx: Tx, secret: str) -> Bearer | None:
    """The actor a token speaks for, if it is a token of ours, active, unexpired and its user active."""
    if not secret.startswith(SCHEME) or len(secret) > MAX_TOKEN_LENGTH:
        return None
    row = tx.store.tokens.by_hash(digest(secret))
    if row is None or not row["active"]:
        return None
    token = TokenInfo.of(row)
    if token.status(tx.clock.now()) != "active":
        return None
    return Bearer(Actor(row["username"], frozenset(row["roles"]), row["nip"], row["display_name"]), token)


def needs_touch(tx: Tx, token: TokenInfo) -> bool:
    """Whether the token's last use is older than the precision it is kept to."""
    return token.last_used_at is None or tx.clock.now() - token.last_used_at >= TOUCH_EVERY


def touch(tx: Tx, token_id: int) -> None:
    """Record that a token was used now."""
    tx.store.tokens.touch(token_id, tx.clock.now())


def revoke(tx: Tx, token_id: int) -> TokenInfo:
    """Revoke a token for good; revoking it again changes nothing."""
    row = tx.store.tokens.by_id(token_id)
    if row is None:
        raise NotFound(f"no token {token_id}")
    tx.store.tokens.revoke(token_id, tx.clock.now())
    return TokenInfo.of(tx.store.tokens.by_id(token_id) or row)


def listed(tx: Tx, username: str | None = None, limit: int = 500) -> list[TokenInfo]:
    """Tokens, newest first, of one user or of everyone."""
    return [TokenInfo.of(r) for r in tx.store.tokens.listed(username, limit)]
