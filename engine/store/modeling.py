"""What the process owner's pages read and write: drafts, the live instances of a process, moving an
instance onto another definition and refreshing its open tasks' index rows."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine.status import ACTIVE_TASK_STATUSES, LIVE_INSTANCE_STATUSES
from engine.store.records import (
    HumanTaskRecord,
    ModelDraftRecord,
    ProcessDefinitionRecord,
    ProcessInstanceRecord,
)


class ModelingQueries:
    """Drafts and migration bookkeeping, in the transaction's ORM session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    # -- drafts --------------------------------------------------------------------------------
    def draft(self, draft_id: int) -> ModelDraftRecord | None:
        return self._session.get(ModelDraftRecord, draft_id)

    def draft_of(self, author: str, process_key: str, file_name: str) -> ModelDraftRecord | None:
        stmt = select(ModelDraftRecord).where(
            ModelDraftRecord.author == author,
            ModelDraftRecord.process_key == process_key,
            ModelDraftRecord.file_name == file_name,
        )
        return self._session.scalars(stmt).first()

    def drafts(self, author: str, process_key: str | None = None) -> Sequence[ModelDraftRecord]:
        stmt = select(ModelDraftRecord).where(ModelDraftRecord.author == author)
        if process_key is not None:
            stmt = stmt.where(ModelDraftRecord.process_key == process_key)
        return self._session.scalars(stmt.order_by(ModelDraftRecord.updated_at.desc())).all()

    def save_draft(self, record: ModelDraftRecord) -> ModelDraftRecord:
        self._session.add(record)
        self._session.flush()
        return record

    def delete_draft(self, record: ModelDraftRecord) -> None:
        self._session.delete(record)
        self._session.flush()

    # -- instances on versions -----------------------------------------------------------------
    def live_instance_ids(self, process_key: str, definition_id: int | None = None) -> list[int]:
        """The scheduled or running instances of a key (of one definition, if given), oldest first."""
        stmt = select(ProcessInstanceRecord.id).where(
            ProcessInstanceRecord.process_key == process_key,
            ProcessInstanceRecord.status.in_(LIVE_INSTANCE_STATUSES),
        )
        if definition_id is not None:
            stmt = stmt.where(ProcessInstanceRecord.definition_id == definition_id)
        return list(self._session.scalars(stmt.order_by(ProcessInstanceRecord.id)).all())

    def live_counts(self, process_key: str) -> dict[int, int]:
        """How many live instances each version of a key has: {version: count}."""
        stmt = (
            select(ProcessDefinitionRecord.version, func.count(ProcessInstanceRecord.id))
            .join(ProcessDefinitionRecord, ProcessDefinitionRecord.id == ProcessInstanceRecord.definition_id)
            .where(
                ProcessInstanceRecord.process_key == process_key,
                ProcessInstanceRecord.status.in_(LIVE_INSTANCE_STATUSES),
            )
            .group_by(ProcessDefinitionRecord.version)
        )
        return {version: count for version, count in self._session.execute(stmt)}

    def move_instance(self, instance_id: int, definition_id: int) -> None:
        """Point an instance at another definition (its state is saved by the caller with it)."""
        self._session.execute(
            update(ProcessInstanceRecord)
            .where(ProcessInstanceRecord.id == instance_id)
            .values(definition_id=definition_id)
            .execution_options(synchronize_session=False)
        )

    def refresh_task(self, task_id: int, title: str, lane: str | None, roles: str, users: str) -> None:
        """Give an open task the title, lane and candidates of its element in the new version."""
        self._session.execute(
            update(HumanTaskRecord)
            .where(HumanTaskRecord.id == task_id, HumanTaskRecord.status.in_(ACTIVE_TASK_STATUSES))
            .values(title=title, lane=lane, candidate_roles=roles, candidate_users=users)
            .execution_options(synchronize_session=False)
        )
