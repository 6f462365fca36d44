"""The hot path's statements, run on the transaction's own DBAPI connection.

A task completion is a handful of small statements. Through SQLAlchemy each costs 100-250 µs of
Python on our reference machine, through the driver 5-25 µs; measured, the difference decides whether
the engine keeps up with SpiffWorkflow itself (bench/engine_throughput.py). So starting, claiming,
completing and cancelling go through these few hand-written statements, inside the same transaction
as the ORM session, and everything else keeps using the ORM.

Rows come back as plain dataclasses whose fields are named after the columns.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from engine.errors import Conflict


@dataclass(slots=True)
class InstanceRow:
    """A process_instance row."""

    id: int
    definition_id: int
    process_key: str
    business_key: str | None
    subject_nip: str | None
    subject_name: str | None
    subject_unit: str | None
    status: str
    state: str
    next_due_at: datetime | None
    row_version: int
    started_by: str | None
    started_at: datetime
    updated_at: datetime
    ended_at: datetime | None
    error: str | None
    audit_seq: int
    audit_head: str | None


@dataclass(slots=True)
class TaskRow:
    """A human_task row."""

    id: int
    instance_id: int
    spiff_task_id: str
    bpmn_id: str
    title: str
    process_key: str
    lane: str | None
    candidate_roles: str
    candidate_users: str
    assignee: str | None
    assignment_rule: str
    assignment_detail: str
    status: str
    priority: int
    due_at: datetime | None
    follow_up_at: datetime | None
    subject_nip: str | None
    subject_name: str | None
    created_at: datetime
    claimed_at: datetime | None
    claimed_by: str | None
    completed_at: datetime | None
    completed_by: str | None
    overdue_at: datetime | None = None


@dataclass(slots=True)
class EventRow:
    """An audit_event row about to be written."""

    chain: str
    seq: int
    instance_id: int | None
    type: str
    actor: str | None
    at: datetime
    payload: str
    prev_hash: str
    hash: str


_INSTANCE_COLUMNS = [f.name for f in fields(InstanceRow)]
_ACTIVE = ("open", "assigned", "claimed")  # a task's statuses while it waits for someone
_ACTIVE_IN = "(" + ", ".join(f"'{status}'" for status in _ACTIVE) + ")"  # literals, as the indexes have
_ASSIGNEE_AS_USERNAME = (
    "COALESCE((SELECT username FROM app_user WHERE username = :assignee OR nip = :assignee LIMIT 1), "
    ":assignee)"
)
_TASK_COLUMNS = [f.name for f in fields(TaskRow)]
_MUTABLE_INSTANCE_COLUMNS = [
    "status",
    "state",
    "next_due_at",
    "updated_at",
    "ended_at",
    "error",
    "audit_seq",
    "audit_head",
]
_TIME_COLUMNS = {
    "next_due_at",
    "started_at",
    "updated_at",
    "ended_at",
    "due_at",
    "follow_up_at",
    "created_at",
    "claimed_at",
    "completed_at",
    "at",
    "overdue_at",
    "received_at",
    "delivered_at",
    "next_attempt_at",
    "sent_at",
    "expires_at",
    "revoked_at",
    "last_used_at",
}


class Lean:
    """Hand-written statements on the session's connection, in the session's transaction."""

    def __init__(self, connection: Connection, session: Callable[[], Session | None], postgres: bool) -> None:
        self._connection = connection
        self._session = session
        self._postgres = postgres
        self._dbapi: Any = None
        self._reused: Any = None
        self._integrity: type[Exception] = connection.dialect.dbapi.IntegrityError  # type: ignore[union-attr]

    # -- plumbing ------------------------------------------------------------------------------
    def _cursor(self) -> Any:
        session = self._session()
        if session is not None and (session.new or session.dirty or session.deleted):
            session.flush()  # ORM changes of this transaction first, so these statements see them
        if self._reused is not None:
            return self._reused
        if self._dbapi is None:
            self._dbapi = self._connection.connection.driver_connection
        cursor = self._dbapi.cursor()
        if self._postgres:
            self._reused = cursor  # a psycopg cursor holds nothing between statements: keep one
        return cursor

    def _release(self, cursor: Any) -> None:
        if cursor is not self._reused:
            cursor.close()

    def _sql(self, text: str) -> str:
        return _pyformat(text) if self._postgres else text

    def _bind(self, params: dict[str, Any]) -> dict[str, Any]:
        if self._postgres:
            return params
        return {k: _sqlite_time(v) if isinstance(v, datetime) else v for k, v in params.items()}

    def _read(self, columns: Sequence[str], row: Sequence[Any]) -> dict[str, Any]:
        values = dict(zip(columns, row, strict=True))
        for name in _TIME_COLUMNS.intersection(values):
            values[name] = _as_utc(values[name])
        return values

    def execute(self, text: str, params: dict[str, Any]) -> int:
        cursor = self._cursor()
        try:
            cursor.execute(self._sql(text), self._bind(params))
            return int(cursor.rowcount)
        except self._integrity as exc:
            raise Conflict(f"conflicting change: {str(exc).splitlines()[0]}") from exc
        finally:
            self._release(cursor)

    def executemany(self, text: str, rows: Iterable[dict[str, Any]]) -> None:
        batch = [self._bind(r) for r in rows]
        if not batch:
            return
        cursor = self._cursor()
        try:
            cursor.executemany(self._sql(text), batch)
        except self._integrity as exc:
            raise Conflict(f"conflicting change: {str(exc).splitlines()[0]}") from exc
        finally:
            self._release(cursor)

    def fetch(self, text: str, params: dict[str, Any], columns: Sequence[str]) -> list[dict[str, Any]]:
        """Rows of a query as dicts named by ``columns`` (time columns read back as aware UTC)."""
        return self._fetch(text, params, columns)

    def insert_returning_id(self, text: str, params: dict[str, Any]) -> int:
        """Run an ``INSERT ... RETURNING id`` and return the id."""
        cursor = self._cursor()
        try:
            cursor.execute(self._sql(text), self._bind(params))
            return int(cursor.fetchone()[0])
        except self._integrity as exc:
            raise Conflict(f"conflicting change: {str(exc).splitlines()[0]}") from exc
        finally:
            self._release(cursor)

    @property
    def postgres(self) -> bool:
        return self._postgres

    def _fetch(self, text: str, params: dict[str, Any], columns: Sequence[str]) -> list[dict[str, Any]]:
        cursor = self._cursor()
        try:
            cursor.execute(self._sql(text), self._bind(params))
            return [self._read(columns, row) for row in cursor.fetchall()]
        finally:
            self._release(cursor)

    # -- instances -----------------------------------------------------------------------------
    def lock_instance_of_task(self, task_id: int) -> InstanceRow | None:
        """The instance a task belongs to, row-locked on PostgreSQL (SQLite writers hold the database)."""
        lock = " FOR UPDATE" if self._postgres else ""
        rows = self._fetch(
            f"SELECT {', '.join(_INSTANCE_COLUMNS)} FROM process_instance "
            f"WHERE id = (SELECT instance_id FROM human_task WHERE id = :task_id){lock}",
            {"task_id": task_id},
            _INSTANCE_COLUMNS,
        )
        return InstanceRow(**rows[0]) if rows else None

    def instance(self, instance_id: int) -> InstanceRow | None:
        """An instance as it is now, to read only (no lock)."""
        return self.lock_instance(instance_id, lock=False)

    def lock_instance(self, instance_id: int, lock: bool = True) -> InstanceRow | None:
        lock_clause = " FOR UPDATE" if self._postgres and lock else ""
        rows = self._fetch(
            f"SELECT {', '.join(_INSTANCE_COLUMNS)} FROM process_instance WHERE id = :id{lock_clause}",
            {"id": instance_id},
            _INSTANCE_COLUMNS,
        )
        return InstanceRow(**rows[0]) if rows else None

    def insert_instance(self, values: dict[str, Any]) -> int:
        columns = [c for c in _INSTANCE_COLUMNS if c != "id"]
        cursor = self._cursor()
        try:
            cursor.execute(
                self._sql(
                    f"INSERT INTO process_instance ({', '.join(columns)}) "
                    f"VALUES ({', '.join(':' + c for c in columns)}) RETURNING id"
                ),
                self._bind({c: values.get(c) for c in columns}),
            )
            return int(cursor.fetchone()[0])
        except self._integrity as exc:
            raise Conflict(f"conflicting change: {str(exc).splitlines()[0]}") from exc
        finally:
            self._release(cursor)

    def save_instance(self, row: InstanceRow) -> None:
        """Write the instance back if nobody else changed it since it was read (row-version check)."""
        columns = _MUTABLE_INSTANCE_COLUMNS  # only these: an index on an unchanged column is not rewritten
        params = {c: getattr(row, c) for c in columns}
        params.update(id=row.id, version=row.row_version)
        changed = self.execute(
            f"UPDATE process_instance SET {', '.join(f'{c} = :{c}' for c in columns)}, "
            "row_version = row_version + 1 WHERE id = :id AND row_version = :version",
            params,
        )
        if changed != 1:
            raise Conflict("the instance was changed by someone else; try again")
        row.row_version += 1

    def business_key_taken(self, process_key: str, business_key: str) -> bool:
        return bool(
            self._fetch(
                "SELECT id FROM process_instance WHERE process_key = :key AND business_key = :bk",
                {"key": process_key, "bk": business_key},
                ["id"],
            )
        )

    # -- tasks ---------------------------------------------------------------------------------
    def task(self, task_id: int) -> TaskRow | None:
        rows = self._fetch(
            f"SELECT {', '.join(_TASK_COLUMNS)} FROM human_task WHERE id = :id",
            {"id": task_id},
            _TASK_COLUMNS,
        )
        return TaskRow(**rows[0]) if rows else None

    def task_and_active(self, task_id: int, instance_id: int) -> tuple[TaskRow | None, list[TaskRow]]:
        """A task of an instance, and the instance's active tasks (the task among them if it is one),
        in one statement: read after the instance is locked, so both are as they are now."""
        rows = [
            TaskRow(**r)
            for r in self._fetch(
                f"SELECT {', '.join(_TASK_COLUMNS)} FROM human_task WHERE id = :task_id "
                f"OR (instance_id = :instance_id AND status IN {_ACTIVE_IN}) ORDER BY id",
                {"task_id": task_id, "instance_id": instance_id},
                _TASK_COLUMNS,
            )
        ]
        task = next((t for t in rows if t.id == task_id and t.instance_id == instance_id), None)
        return task, [t for t in rows if t.instance_id == instance_id and t.status in _ACTIVE]

    def active_tasks(self, instance_id: int) -> list[TaskRow]:
        rows = self._fetch(
            f"SELECT {', '.join(_TASK_COLUMNS)} FROM human_task "
            f"WHERE instance_id = :id AND status IN {_ACTIVE_IN} ORDER BY id",
            {"id": instance_id},
            _TASK_COLUMNS,
        )
        return [TaskRow(**r) for r in rows]

    def insert_task(self, row: TaskRow) -> int:
        """Insert a task; an assignee given by NIP is stored as that user's username (one statement)."""
        columns = [c for c in _TASK_COLUMNS if c != "id"]
        values = [_ASSIGNEE_AS_USERNAME if c == "assignee" else ":" + c for c in columns]
        cursor = self._cursor()
        try:
            cursor.execute(
                self._sql(
                    f"INSERT INTO human_task ({', '.join(columns)}) "
                    f"VALUES ({', '.join(values)}) RETURNING id, assignee"
                ),
                self._bind({c: getattr(row, c) for c in columns}),
            )
            found = cursor.fetchone()
            row.id, row.assignee = int(found[0]), found[1]
            return row.id
        finally:
            self._release(cursor)

    def save_task(self, row: TaskRow) -> None:
        columns = ("assignee", "status", "claimed_at", "claimed_by", "completed_at", "completed_by")
        self.execute(
            f"UPDATE human_task SET {', '.join(f'{c} = :{c}' for c in columns)} WHERE id = :id",
            {**{c: getattr(row, c) for c in columns}, "id": row.id},
        )

    def add_candidates(
        self, task_id: int, roles: Sequence[str], users: Sequence[str], due_at: datetime | None
    ) -> None:
        self.executemany(
            "INSERT INTO task_candidate (who, task_id, due_at) VALUES (:who, :task_id, :due_at)",
            [{"task_id": task_id, "who": f"role:{r}", "due_at": due_at} for r in roles]
            + [{"task_id": task_id, "who": f"user:{u}", "due_at": due_at} for u in users],
        )

    def drop_candidates(self, task_id: int) -> None:
        self.execute("DELETE FROM task_candidate WHERE task_id = :id", {"id": task_id})

    def usernames_for(self, identity: str) -> str | None:
        rows = self._fetch(
            "SELECT username FROM app_user WHERE username = :v OR nip = :v", {"v": identity}, ["username"]
        )
        return str(rows[0]["username"]) if rows else None

    # -- audit ---------------------------------------------------------------------------------
    def insert_events(self, events: Sequence[EventRow]) -> None:
        self.executemany(
            "INSERT INTO audit_event (chain, seq, instance_id, type, actor, at, payload, prev_hash, hash) "
            "VALUES (:chain, :seq, :instance_id, :type, :actor, :at, :payload, :prev_hash, :hash)",
            [
                {
                    "chain": e.chain,
                    "seq": e.seq,
                    "instance_id": e.instance_id,
                    "type": e.type,
                    "actor": e.actor,
                    "at": e.at,
                    "payload": e.payload,
                    "prev_hash": e.prev_hash,
                    "hash": e.hash,
                }
                for e in events
            ],
        )


@lru_cache(maxsize=256)
def _pyformat(text: str) -> str:
    """':name' placeholders to psycopg's '%(name)s' (and a literal '%' doubled)."""
    return re.sub(r"(?<![:\w]):([A-Za-z_]\w*)", r"%(\1)s", text.replace("%", "%%"))


def _sqlite_time(value: datetime) -> str:
    """The text SQLAlchemy's SQLite dialect stores for a DateTime ('2027-01-04 00:00:00.000000', UTC)."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _as_utc(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
