"""A unit of work: one session, one transaction, the queries the engine needs, committed by the caller."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.errors import Conflict
from engine.status import ACTIVE_TASK_STATUSES
from engine.store.audit import AuditQueries
from engine.store.db import Database
from engine.store.inbox import InboxQueries
from engine.store.lean import Lean
from engine.store.modeling import ModelingQueries
from engine.store.org import OrgQueries
from engine.store.queues import Queues
from engine.store.records import (
    AuditEventRecord,
    DefinitionFileRecord,
    HumanTaskRecord,
    ModelFileRecord,
    ProcessDefinitionRecord,
    ProcessInstanceRecord,
    UserRecord,
    UserRoleRecord,
)
from engine.store.tokens import Tokens
from engine.store.training import TrainingQueries


class Store:
    """One transaction against the database. Engine commands run inside it; the caller commits."""

    def __init__(self, database: Database, write: bool = True) -> None:
        self.database = database
        self._connection = database.db_engine.connect()
        if write:
            self._connection.execution_options(kinerja_write=True)
        self._transaction = self._connection.begin()
        self._session: Session | None = None
        self.lean = Lean(self._connection, lambda: self._session, database.is_postgres)
        self.queues = Queues(self.lean)
        self.tokens = Tokens(self.lean)

    @property
    def session(self) -> Session:
        """The ORM session, made on first use and joined to this transaction (the hot path needs none)."""
        if self._session is None:
            self._session = Session(
                bind=self._connection,
                join_transaction_mode="rollback_only",
                expire_on_commit=False,
                autoflush=False,
            )
        return self._session

    @property
    def org(self) -> OrgQueries:
        """Queries on the organisation chart, in this transaction."""
        return OrgQueries(self.session)

    @property
    def training(self) -> TrainingQueries:
        """The JP ledger (hours of competency development per employee and year)."""
        return TrainingQueries(self.session)

    @property
    def audit(self) -> AuditQueries:
        """Chain heads, checkpoints, the access log and the instance search, in this transaction."""
        return AuditQueries(self.session)

    @property
    def modeling(self) -> ModelingQueries:
        """Drafts and the bookkeeping of moving instances between versions, in this transaction."""
        return ModelingQueries(self.session)

    @property
    def inbox(self) -> InboxQueries:
        """The inbox lists (mine, queue, archive) and their counts, in this transaction."""
        return InboxQueries(self.session)

    # -- transaction -------------------------------------------------------------------------
    def add(self, record: Any) -> None:
        self.session.add(record)

    def flush(self) -> None:
        """Write pending changes now, turning lost races into Conflict."""
        if self._session is None:
            return
        try:
            self._session.flush()
        except StaleDataError as exc:
            raise Conflict("the instance was changed by someone else; try again") from exc
        except IntegrityError as exc:
            raise Conflict(f"conflicting change: {_first_line(exc.orig)}") from exc
        except OperationalError as exc:
            if "locked" in str(exc.orig):
                raise Conflict("the database is busy; try again") from exc
            raise

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A block whose writes are undone, and only they, if it raises (SQL SAVEPOINT)."""
        self.flush()
        with self.session.begin_nested():
            yield

    def commit(self) -> None:
        self.flush()
        try:
            self._transaction.commit()
        except (StaleDataError, IntegrityError) as exc:
            raise Conflict(f"conflicting change: {_first_line(exc)}") from exc

    def rollback(self) -> None:
        if self._transaction.is_active:
            self._transaction.rollback()

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
        self._connection.close()

    # -- model files and definitions ---------------------------------------------------------
    def model_file(self, sha256: str) -> ModelFileRecord | None:
        return self.session.get(ModelFileRecord, sha256)

    def latest_definition(self, key: str) -> ProcessDefinitionRecord | None:
        stmt = (
            select(ProcessDefinitionRecord)
            .where(ProcessDefinitionRecord.key == key)
            .order_by(ProcessDefinitionRecord.version.desc())
            .limit(1)
        )
        return self.session.scalars(stmt).first()

    def definition(self, definition_id: int) -> ProcessDefinitionRecord | None:
        return self.session.get(ProcessDefinitionRecord, definition_id)

    def definition_version(self, key: str, version: int) -> ProcessDefinitionRecord | None:
        stmt = select(ProcessDefinitionRecord).where(
            ProcessDefinitionRecord.key == key, ProcessDefinitionRecord.version == version
        )
        return self.session.scalars(stmt).first()

    def definition_versions(self, key: str) -> Sequence[ProcessDefinitionRecord]:
        stmt = (
            select(ProcessDefinitionRecord)
            .where(ProcessDefinitionRecord.key == key)
            .order_by(ProcessDefinitionRecord.version.desc())
        )
        return self.session.scalars(stmt).all()

    def latest_definitions(self) -> Sequence[ProcessDefinitionRecord]:
        newest = (
            select(ProcessDefinitionRecord.key, func.max(ProcessDefinitionRecord.version).label("v"))
            .group_by(ProcessDefinitionRecord.key)
            .subquery()
        )
        stmt = (
            select(ProcessDefinitionRecord)
            .join(
                newest,
                (ProcessDefinitionRecord.key == newest.c.key)
                & (ProcessDefinitionRecord.version == newest.c.v),
            )
            .order_by(ProcessDefinitionRecord.key)
        )
        return self.session.scalars(stmt).all()

    def definition_files(self, definition_id: int) -> Sequence[ModelFileRecord]:
        stmt = (
            select(ModelFileRecord)
            .join(DefinitionFileRecord, DefinitionFileRecord.file_sha256 == ModelFileRecord.sha256)
            .where(DefinitionFileRecord.definition_id == definition_id)
            .order_by(ModelFileRecord.kind, ModelFileRecord.name)
        )
        return self.session.scalars(stmt).all()

    def link_definition_file(self, definition_id: int, sha256: str) -> None:
        self.session.add(DefinitionFileRecord(definition_id=definition_id, file_sha256=sha256))

    # -- instances ---------------------------------------------------------------------------
    def instance(self, instance_id: int) -> ProcessInstanceRecord | None:
        return self.session.get(ProcessInstanceRecord, instance_id)

    def lock_instance(self, instance_id: int) -> ProcessInstanceRecord | None:
        """Load an instance for change: row-locked on PostgreSQL, version-checked at flush everywhere."""
        stmt = select(ProcessInstanceRecord).where(ProcessInstanceRecord.id == instance_id)
        if self.database.is_postgres:
            stmt = stmt.with_for_update()
        return self.session.scalars(stmt).first()

    def instance_by_business_key(self, process_key: str, business_key: str) -> ProcessInstanceRecord | None:
        stmt = select(ProcessInstanceRecord).where(
            ProcessInstanceRecord.process_key == process_key,
            ProcessInstanceRecord.business_key == business_key,
        )
        return self.session.scalars(stmt).first()

    def instances(
        self,
        *,
        process_key: str | None = None,
        status: str | None = None,
        subject: str | None = None,
        limit: int = 50,
        offset: int = 0,
        only: tuple[Sequence[str], str] | None = None,
    ) -> tuple[Sequence[ProcessInstanceRecord], int]:
        """Instances, newest first; ``only=(nips, username)``: those about these NIPs or started by them."""
        stmt = select(ProcessInstanceRecord)
        if only is not None:
            nips, username = only
            stmt = stmt.where(
                or_(
                    ProcessInstanceRecord.subject_nip.in_(list(nips)),
                    ProcessInstanceRecord.started_by == username,
                )
            )
        if process_key:
            stmt = stmt.where(ProcessInstanceRecord.process_key == process_key)
        if status:
            stmt = stmt.where(ProcessInstanceRecord.status == status)
        if subject:
            stmt = stmt.where(ProcessInstanceRecord.subject_nip == subject)
        total = self.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = self.session.scalars(
            stmt.order_by(ProcessInstanceRecord.id.desc()).limit(limit).offset(offset)
        ).all()
        return rows, total

    # -- human tasks -------------------------------------------------------------------------
    def task(self, task_id: int, fresh: bool = False) -> HumanTaskRecord | None:
        """A task by id; ``fresh`` re-reads the row even if this session holds it already."""
        return self.session.get(HumanTaskRecord, task_id, populate_existing=fresh)

    def active_tasks(self, instance_id: int) -> Sequence[HumanTaskRecord]:
        stmt = (
            select(HumanTaskRecord)
            .where(
                HumanTaskRecord.instance_id == instance_id,
                HumanTaskRecord.status.in_(ACTIVE_TASK_STATUSES),
            )
            .order_by(HumanTaskRecord.id)
        )
        return self.session.scalars(stmt).all()

    def tasks_of_instance(self, instance_id: int) -> Sequence[HumanTaskRecord]:
        stmt = select(HumanTaskRecord).where(HumanTaskRecord.instance_id == instance_id)
        return self.session.scalars(stmt.order_by(HumanTaskRecord.id)).all()

    # -- audit -------------------------------------------------------------------------------
    def chain_head(self, chain: str) -> tuple[int, str | None]:
        """The newest (seq, hash) of a chain, read from the events themselves."""
        stmt = (
            select(AuditEventRecord.seq, AuditEventRecord.hash)
            .where(AuditEventRecord.chain == chain)
            .order_by(AuditEventRecord.seq.desc())
            .limit(1)
        )
        row = self.session.execute(stmt).first()
        return (row[0], row[1]) if row else (0, None)

    def chain_events(self, chain: str) -> Sequence[AuditEventRecord]:
        stmt = select(AuditEventRecord).where(AuditEventRecord.chain == chain)
        return self.session.scalars(stmt.order_by(AuditEventRecord.seq, AuditEventRecord.id)).all()

    def instance_events(self, instance_id: int) -> Sequence[AuditEventRecord]:
        return self.chain_events(f"instance/{instance_id}")

    def chains(self) -> Sequence[str]:
        stmt = select(AuditEventRecord.chain).distinct().order_by(AuditEventRecord.chain)
        return self.session.scalars(stmt).all()

    def iter_events(self, batch: int = 2000) -> Iterator[AuditEventRecord]:
        """Every audit event, ordered by chain and sequence, fetched in batches."""
        stmt = select(AuditEventRecord).order_by(AuditEventRecord.chain, AuditEventRecord.seq)
        yield from self.session.scalars(stmt.execution_options(yield_per=batch))

    def instance_heads(self) -> dict[int, tuple[int, str | None]]:
        stmt = select(
            ProcessInstanceRecord.id, ProcessInstanceRecord.audit_seq, ProcessInstanceRecord.audit_head
        )
        return {row[0]: (row[1], row[2]) for row in self.session.execute(stmt)}

    # -- users -------------------------------------------------------------------------------
    def user(self, username: str) -> UserRecord | None:
        return self.session.scalars(select(UserRecord).where(UserRecord.username == username)).first()

    def user_by_nip(self, nip: str) -> UserRecord | None:
        return self.session.scalars(select(UserRecord).where(UserRecord.nip == nip)).first()

    def roles(self, user_id: int) -> list[str]:
        stmt = (
            select(UserRoleRecord.role).where(UserRoleRecord.user_id == user_id).order_by(UserRoleRecord.role)
        )
        return list(self.session.scalars(stmt).all())

    def set_roles(self, user_id: int, roles: Sequence[str]) -> None:
        self.session.execute(delete(UserRoleRecord).where(UserRoleRecord.user_id == user_id))
        for role in sorted(set(roles)):
            self.session.add(UserRoleRecord(user_id=user_id, role=role))

    def users(self) -> Sequence[UserRecord]:
        return self.session.scalars(select(UserRecord).order_by(UserRecord.username)).all()

    def people(self, usernames: Sequence[str]) -> dict[str, tuple[str, str | None]]:
        """Each known username's display name and NIP."""
        stmt = select(UserRecord.username, UserRecord.display_name, UserRecord.nip).where(
            UserRecord.username.in_(sorted(set(usernames)))
        )
        return {username: (name, nip) for username, name, nip in self.session.execute(stmt)}

    def usernames_for(self, identities: Sequence[str]) -> dict[str, str]:
        """Map usernames and NIPs to usernames, for those that belong to a user."""
        stmt = select(UserRecord.username, UserRecord.nip).where(
            or_(UserRecord.username.in_(list(identities)), UserRecord.nip.in_(list(identities)))
        )
        found: dict[str, str] = {}
        for username, nip in self.session.execute(stmt):
            found[username] = username
            if nip:
                found[nip] = username
        return found


def _first_line(exc: object) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def dumps(value: Any) -> str:
    """Compact JSON for list/dict columns."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


__all__ = ["Store", "dumps"]
