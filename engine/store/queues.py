"""Statements for what waits: due instances, message subscriptions, received messages, the email outbox.

Like ``lean``, these run on the transaction's own connection; several sit next to the completion path
(the outbox row of a new task, the subscriptions of an instance whose waits changed), and the claim
statements need ``FOR UPDATE SKIP LOCKED``, which is clearest written out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from engine.store.lean import Lean

_MESSAGE_COLUMNS = [
    "id",
    "name",
    "correlation",
    "payload",
    "result_var",
    "idempotency_key",
    "status",
    "sent_by",
    "received_at",
    "delivered_at",
    "delivered_to",
]
_NOTIFICATION_COLUMNS = [
    "id",
    "kind",
    "task_id",
    "instance_id",
    "detail",
    "status",
    "attempts",
    "next_attempt_at",
    "created_at",
    "sent_at",
    "recipients",
    "last_error",
]
_LIVE = "('scheduled', 'running')"


class Queues:
    """Hand-written statements on the transaction's connection (see ``Lean``)."""

    def __init__(self, lean: Lean) -> None:
        self._lean = lean

    def _skip_locked(self) -> str:
        # SQLite has no row locks: a writing transaction holds the whole database instead.
        return " FOR UPDATE SKIP LOCKED" if self._lean.postgres else ""

    # -- due instances -------------------------------------------------------------------------
    def claim_due(self, now: datetime, limit: int) -> list[int]:
        """Lock up to ``limit`` live instances whose next_due_at has come, skipping those others hold."""
        rows = self._lean.fetch(
            f"SELECT id FROM process_instance WHERE next_due_at <= :now AND status IN {_LIVE} "
            f"ORDER BY next_due_at, id LIMIT :limit{self._skip_locked()}",
            {"now": now, "limit": limit},
            ["id"],
        )
        return [int(r["id"]) for r in rows]

    def next_due(self) -> datetime | None:
        """The earliest moment anything is due (the scheduler sleeps until then)."""
        rows = self._lean.fetch(
            f"SELECT MIN(next_due_at) FROM process_instance WHERE status IN {_LIVE}", {}, ["next_due_at"]
        )
        return rows[0]["next_due_at"] if rows else None

    def postpone(self, instance_id: int, until: datetime) -> None:
        """Move an instance's due time on (after its firing failed), leaving the rest of it alone."""
        self._lean.execute(
            "UPDATE process_instance SET next_due_at = :until WHERE id = :id",
            {"until": until, "id": instance_id},
        )

    def mark_overdue(self, task_id: int, at: datetime) -> None:
        self._lean.execute("UPDATE human_task SET overdue_at = :at WHERE id = :id", {"at": at, "id": task_id})

    # -- message subscriptions -----------------------------------------------------------------
    def drop_subscriptions(self, instance_id: int) -> None:
        self._lean.execute("DELETE FROM message_subscription WHERE instance_id = :id", {"id": instance_id})

    def add_subscriptions(self, rows: Sequence[dict[str, Any]]) -> None:
        self._lean.executemany(
            "INSERT INTO message_subscription (instance_id, message_name, bpmn_id, spiff_task_id, keys, "
            "created_at) VALUES (:instance_id, :message_name, :bpmn_id, :spiff_task_id, :keys, :created_at)",
            rows,
        )

    def subscribers(self, name: str) -> list[dict[str, Any]]:
        """Live instances waiting for a message, with what to correlate against, oldest first."""
        return self._lean.fetch(
            "SELECT s.instance_id, s.bpmn_id, s.keys, i.business_key FROM message_subscription s "
            "JOIN process_instance i ON i.id = s.instance_id "
            f"WHERE s.message_name = :name AND i.status IN {_LIVE} ORDER BY s.instance_id, s.id",
            {"name": name},
            ["instance_id", "bpmn_id", "keys", "business_key"],
        )

    # -- received messages ---------------------------------------------------------------------
    def insert_message(self, values: dict[str, Any]) -> int:
        columns = [c for c in _MESSAGE_COLUMNS if c != "id"]
        return self._lean.insert_returning_id(
            f"INSERT INTO message ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)}) "
            "RETURNING id",
            {c: values.get(c) for c in columns},
        )

    def message_by_key(self, key: str) -> dict[str, Any] | None:
        rows = self._lean.fetch(
            f"SELECT {', '.join(_MESSAGE_COLUMNS)} FROM message WHERE idempotency_key = :key",
            {"key": key},
            _MESSAGE_COLUMNS,
        )
        return rows[0] if rows else None

    def pending_messages(self, names: Sequence[str]) -> list[dict[str, Any]]:
        """Kept messages with these names, oldest first."""
        if not names:
            return []
        marks = ", ".join(f":n{i}" for i in range(len(names)))
        return self._lean.fetch(
            f"SELECT {', '.join(_MESSAGE_COLUMNS)} FROM message "
            f"WHERE status = 'pending' AND name IN ({marks}) ORDER BY id",
            {f"n{i}": n for i, n in enumerate(names)},
            _MESSAGE_COLUMNS,
        )

    def recent_pending(self, since: datetime, limit: int) -> list[dict[str, Any]]:
        """Kept messages received since then that some live instance waits for by name, locked."""
        return self._lean.fetch(
            f"SELECT {', '.join(_MESSAGE_COLUMNS)} FROM message m WHERE status = 'pending' "
            "AND received_at >= :since AND EXISTS (SELECT 1 FROM message_subscription s "
            "WHERE s.message_name = m.name) "
            f"ORDER BY id LIMIT :limit{self._skip_locked()}",
            {"since": since, "limit": limit},
            _MESSAGE_COLUMNS,
        )

    def mark_delivered(self, message_id: int, at: datetime, delivered_to: str, only_pending: bool) -> bool:
        """Record where a message went; with ``only_pending``, only if nobody took it first."""
        guard = " AND status = 'pending'" if only_pending else ""
        return (
            self._lean.execute(
                "UPDATE message SET status = 'delivered', delivered_at = :at, delivered_to = :to "
                f"WHERE id = :id{guard}",
                {"at": at, "to": delivered_to, "id": message_id},
            )
            == 1
        )

    def mark_pending(self, message_id: int) -> None:
        self._lean.execute(
            "UPDATE message SET status = 'pending', delivered_at = NULL, delivered_to = '[]' WHERE id = :id",
            {"id": message_id},
        )

    def messages(self, status: str | None, limit: int) -> list[dict[str, Any]]:
        where = "WHERE status = :status " if status else ""
        return self._lean.fetch(
            f"SELECT {', '.join(_MESSAGE_COLUMNS)} FROM message {where}ORDER BY id DESC LIMIT :limit",
            {"status": status, "limit": limit} if status else {"limit": limit},
            _MESSAGE_COLUMNS,
        )

    # -- the email outbox ----------------------------------------------------------------------
    def enqueue_notification(
        self, kind: str, task_id: int, instance_id: int, detail: str, at: datetime
    ) -> None:
        self._lean.execute(
            "INSERT INTO notification (kind, task_id, instance_id, detail, status, attempts, "
            "next_attempt_at, created_at) "
            "VALUES (:kind, :task_id, :instance_id, :detail, 'pending', 0, :at, :at)",
            {"kind": kind, "task_id": task_id, "instance_id": instance_id, "detail": detail, "at": at},
        )

    def claim_notifications(self, now: datetime, limit: int) -> list[dict[str, Any]]:
        return self._lean.fetch(
            f"SELECT {', '.join(_NOTIFICATION_COLUMNS)} FROM notification "
            "WHERE status = 'pending' AND next_attempt_at <= :now ORDER BY next_attempt_at, id "
            f"LIMIT :limit{self._skip_locked()}",
            {"now": now, "limit": limit},
            _NOTIFICATION_COLUMNS,
        )

    def finish_notification(self, notification_id: int, **values: Any) -> None:
        columns = sorted(values)
        self._lean.execute(
            f"UPDATE notification SET {', '.join(f'{c} = :{c}' for c in columns)} WHERE id = :id",
            {**values, "id": notification_id},
        )

    def notifications(self, limit: int) -> list[dict[str, Any]]:
        return self._lean.fetch(
            f"SELECT {', '.join(_NOTIFICATION_COLUMNS)} FROM notification ORDER BY id DESC LIMIT :limit",
            {"limit": limit},
            _NOTIFICATION_COLUMNS,
        )

    def emails(self, usernames: Sequence[str], roles: Sequence[str], limit: int) -> list[str]:
        """Email addresses of active users named (by username or NIP) or holding one of the roles."""
        params: dict[str, Any] = {"limit": limit}
        clauses = []
        if usernames:
            params.update({f"u{i}": u for i, u in enumerate(usernames)})
            marks = ", ".join(f":u{i}" for i in range(len(usernames)))
            clauses.append(f"u.username IN ({marks}) OR u.nip IN ({marks})")
        if roles:
            params.update({f"r{i}": r for i, r in enumerate(roles)})
            marks = ", ".join(f":r{i}" for i in range(len(roles)))
            clauses.append(f"u.id IN (SELECT user_id FROM user_role WHERE role IN ({marks}))")
        if not clauses:
            return []
        rows = self._lean.fetch(
            "SELECT DISTINCT u.email FROM app_user u WHERE u.active AND u.email IS NOT NULL "
            f"AND u.email <> '' AND ({' OR '.join(clauses)}) ORDER BY u.email LIMIT :limit",
            params,
            ["email"],
        )
        return [str(r["email"]) for r in rows]
