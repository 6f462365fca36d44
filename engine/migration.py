"""Moving running instances of a process onto another version.

A dry run (``plan``) tries every live instance in memory and says, per instance, whether each of its
active tasks exists in the target and why not; it writes nothing. ``migrate`` moves one instance in
the transaction it is given: its state is re-attached to the target's spec, its open tasks take the
title, lane and candidates of the new version (the person holding a task keeps it), and an
``instance_migrated`` event names both versions, their hashes and the actor. An instance that cannot
move is refused with the reason and left exactly as it was. ``migrate_each`` runs ``migrate`` once
per instance, each in its own transaction, so one refusal never undoes the others.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from engine import assignment, orgchart
from engine.bpmn.migrate import Refusal, move
from engine.bpmn.runner import Execution, clock
from engine.deploy import definition_ref, model_of
from engine.errors import Conflict, EngineError, MigrationRefused, NotFound
from engine.modeling import require_owner
from engine.runtime import Engine, Tx
from engine.settle import settle
from engine.status import LIVE_INSTANCE_STATUSES, AuditType, TaskStatus
from engine.store import InstanceRow, dumps
from engine.store.records import ProcessDefinitionRecord
from engine.users import Actor, check_may_change
from engine.work import load


@dataclass(frozen=True)
class InstanceMove:
    """One instance's answer: may it move (dry run), or did it (migration), and why not."""

    instance_id: int
    business_key: str | None
    subject_name: str | None
    from_version: int
    to_version: int
    active_tasks: tuple[str, ...]  # "bpmn_id (title)" of its open tasks
    ok: bool
    reason: str | None = None


def _target(tx: Tx, key: str, version: int) -> ProcessDefinitionRecord:
    record = tx.store.definition_version(key, version)
    if record is None:
        raise NotFound(f"no version {version} of process {key!r}")
    return record


def _active(tx: Tx, row: InstanceRow) -> tuple[str, ...]:
    return tuple(f"{t.bpmn_id} ({t.title})" for t in tx.store.lean.active_tasks(row.id))


def _try(tx: Tx, row: InstanceRow, target: ProcessDefinitionRecord) -> Execution | Refusal:
    execution = load(tx, row).execution
    with clock(tx.clock.now, tx.settings.tz):
        return move(execution, model_of(tx, target), target.version)


def plan(tx: Tx, actor: Actor, key: str, version: int) -> list[InstanceMove]:
    """Dry run: every live instance of the key on another version, and whether it could move."""
    require_owner(actor)
    target = _target(tx, key, version)
    answers = []
    for instance_id in tx.store.modeling.live_instance_ids(key):
        row = tx.store.lean.instance(instance_id)
        if row is None or row.definition_id == target.id:
            continue
        try:
            outcome = _try(tx, row, target)
        except EngineError as exc:  # a state that does not even load is not moved either
            outcome = Refusal(exc.message)
        answers.append(_answer(tx, row, target, outcome))
    return answers


def _answer(
    tx: Tx, row: InstanceRow, target: ProcessDefinitionRecord, outcome: Execution | Refusal | None
) -> InstanceMove:
    source = definition_ref(tx, row.definition_id)
    refused = isinstance(outcome, Refusal)
    return InstanceMove(
        row.id,
        row.business_key,
        row.subject_name,
        source.version,
        target.version,
        _active(tx, row),
        not refused,
        outcome.reason if isinstance(outcome, Refusal) else None,
    )


def migrate(tx: Tx, actor: Actor, instance_id: int, version: int) -> InstanceMove:
    """Move one live instance onto a version of its process; refused (MigrationRefused) with the reason."""
    check_may_change(actor)
    require_owner(actor)
    row = tx.store.lean.lock_instance(instance_id)
    if row is None:
        raise NotFound(f"no instance {instance_id}")
    if row.status not in LIVE_INSTANCE_STATUSES:
        raise Conflict(f"instance {instance_id} is {row.status}; only running instances move")
    target = _target(tx, row.process_key, version)
    source = definition_ref(tx, row.definition_id)
    if source.id == target.id:
        raise Conflict(f"instance {instance_id} already runs on version {version}")
    work = load(tx, row)
    with clock(tx.clock.now, tx.settings.tz):
        moved = move(work.execution, model_of(tx, target), target.version)
    if isinstance(moved, Refusal):
        raise MigrationRefused(f"instance {instance_id}: {moved.reason}")
    work.execution = moved
    tx.store.modeling.move_instance(row.id, target.id)
    row.definition_id = target.id
    refreshed = _refresh_open_tasks(tx, work.execution, row)
    payload = {
        "from_version": source.version,
        "to_version": target.version,
        "from_definition_sha256": source.sha256,
        "to_definition_sha256": target.sha256,
        "tasks": refreshed,
    }
    work.chain.add(AuditType.INSTANCE_MIGRATED, payload, actor.username)
    settle(tx, work, actor)
    return _answer(tx, row, target, moved)


def _refresh_open_tasks(tx: Tx, execution: Execution, row: InstanceRow) -> list[dict[str, object]]:
    """The open tasks' index rows take the new version's title, lane and candidates."""
    ready = {r.spiff_id: r for r in execution.ready_tasks()}
    directory = orgchart.directory(tx)
    refreshed: list[dict[str, object]] = []
    for task in tx.store.lean.active_tasks(row.id):
        item = ready.get(task.spiff_task_id)
        if item is None:
            continue  # withdrawn by settle, as any task the process no longer offers
        chosen = assignment.resolve(item, directory)
        roles, users = list(chosen.candidate_roles), list(chosen.candidate_users)
        title = item.name[:255]
        tx.store.modeling.refresh_task(task.id, title, item.lane, dumps(roles), dumps(users))
        if task.status == TaskStatus.OPEN:
            tx.store.lean.drop_candidates(task.id)
            tx.store.lean.add_candidates(task.id, roles, users, task.due_at)
        if title != task.title or json.loads(task.candidate_roles) != roles:
            refreshed.append({"task_id": task.id, "bpmn_id": item.bpmn_id, "from": task.title, "to": title})
    return refreshed


def migrate_each(
    engine: Engine, actor: Actor, key: str, version: int, instance_ids: Sequence[int] | None = None
) -> list[InstanceMove]:
    """Migrate the given live instances of a key (default: all not on the target), one transaction each."""
    with engine.transaction(write=False) as tx:
        require_owner(actor)
        target = _target(tx, key, version)
        live = tx.store.modeling.live_instance_ids(key)
        wanted = [i for i in live if instance_ids is None or i in set(instance_ids)]
        rows = [r for i in wanted if (r := tx.store.lean.instance(i)) is not None]
        todo = [r for r in rows if r.definition_id != target.id]
    answers = []
    for row in todo:
        try:
            with engine.transaction() as tx:
                answers.append(migrate(tx, actor, row.id, version))
        except EngineError as exc:  # refused, changed meanwhile, or failed: it stays as it was
            with engine.transaction(write=False) as tx:
                fresh = tx.store.lean.instance(row.id) or row
                answers.append(_answer(tx, fresh, _target(tx, key, version), Refusal(exc.message)))
    return answers
