"""Statements on API tokens. Every API request looks its token up, so these run on the lean connection."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.store.lean import Lean

_COLUMNS = [
    "id",
    "user_id",
    "name",
    "prefix",
    "created_at",
    "expires_at",
    "revoked_at",
    "last_used_at",
    "username",
    "nip",
    "display_name",
    "active",
    "is_service",
    "roles",
]
# The user's roles come along in one column (every request authenticates: one round trip, not two).
_SELECT = (
    "SELECT t.id, t.user_id, t.name, t.prefix, t.created_at, t.expires_at, t.revoked_at, t.last_used_at, "
    "u.username, u.nip, u.display_name, u.active, u.is_service, "
    "(SELECT {aggregate} FROM user_role r WHERE r.user_id = u.id) "
    "FROM api_token t JOIN app_user u ON u.id = t.user_id "
)


class Tokens:
    """Hand-written statements on the transaction's connection (see ``Lean``)."""

    def __init__(self, lean: Lean) -> None:
        self._lean = lean
        aggregate = "string_agg(r.role, ',')" if lean.postgres else "group_concat(r.role, ',')"
        self._select = _SELECT.format(aggregate=aggregate)

    def _rows(self, where: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        rows = self._lean.fetch(self._select + where, params, _COLUMNS)
        for row in rows:
            row["roles"] = sorted(filter(None, (row["roles"] or "").split(",")))
        return rows

    def insert(self, values: dict[str, Any]) -> int:
        columns = ["user_id", "name", "prefix", "token_hash", "created_at", "expires_at"]
        return self._lean.insert_returning_id(
            f"INSERT INTO api_token ({', '.join(columns)}) "
            f"VALUES ({', '.join(':' + c for c in columns)}) RETURNING id",
            {c: values[c] for c in columns},
        )

    def by_hash(self, token_hash: str) -> dict[str, Any] | None:
        """The token with this hash and its user, whatever its state."""
        rows = self._rows("WHERE t.token_hash = :hash", {"hash": token_hash})
        return rows[0] if rows else None

    def by_id(self, token_id: int) -> dict[str, Any] | None:
        rows = self._rows("WHERE t.id = :id", {"id": token_id})
        return rows[0] if rows else None

    def listed(self, username: str | None, limit: int) -> list[dict[str, Any]]:
        """Tokens, newest first, of one user or of everyone."""
        where = "WHERE u.username = :username " if username else ""
        params: dict[str, Any] = {"limit": limit, **({"username": username} if username else {})}
        return self._rows(where + "ORDER BY t.id DESC LIMIT :limit", params)

    def touch(self, token_id: int, at: datetime) -> None:
        self._lean.execute(
            "UPDATE api_token SET last_used_at = :at WHERE id = :id", {"at": at, "id": token_id}
        )

    def revoke(self, token_id: int, at: datetime) -> bool:
        """Revoke a token that is not revoked yet; False if it already was (or does not exist)."""
        changed = self._lean.execute(
            "UPDATE api_token SET revoked_at = :at WHERE id = :id AND revoked_at IS NULL",
            {"at": at, "id": token_id},
        )
        return changed == 1
