"""Deploying a bundle of BPMN and DMN files: validated, versioned per key, stored, audited.

A key gets a new version only when the content of the files it needs changed; deploying the same
files again changes nothing. Any problem in any file refuses the whole bundle and stores nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine import audit
from engine.bpmn.parser import CompiledModel, ModelSource, compile_bundle
from engine.bpmn.runner import SPECS
from engine.errors import DeploymentFailed, DeployProblem, NotFound, PermissionDenied
from engine.runtime import Tx
from engine.services import deploy_policy
from engine.status import AuditType
from engine.store.records import ModelFileRecord, ProcessDefinitionRecord
from engine.users import Actor, check_may_change

DEPLOYER_ROLES = frozenset({"pemilik_proses", "admin"})


@dataclass(frozen=True)
class DeployedDefinition:
    """One version of a process key, as the outside world sees it."""

    id: int
    key: str
    version: int
    name: str | None
    kind: str
    sha256: str
    deployed_by: str | None
    deployed_at: datetime
    note: str | None
    new: bool = True  # False when the deployment found this content already deployed

    @classmethod
    def of(cls, record: ProcessDefinitionRecord, new: bool = True) -> DeployedDefinition:
        return cls(
            record.id,
            record.key,
            record.version,
            record.name,
            record.kind,
            record.sha256,
            record.deployed_by,
            record.deployed_at,
            record.note,
            new,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "key": self.key,
            "version": self.version,
            "name": self.name,
            "kind": self.kind,
            "sha256": self.sha256,
            "deployed_by": self.deployed_by,
            "deployed_at": self.deployed_at.isoformat(),
            "note": self.note,
            "new": self.new,
        }


def _decode(sources: Sequence[ModelSource]) -> dict[str, str]:
    texts, problems = {}, []
    for source in sources:
        try:
            texts[source.name] = source.content.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(DeployProblem("model files must be UTF-8 encoded", source.name))
    if problems:
        raise DeploymentFailed(problems)
    return texts


def deploy(
    tx: Tx, sources: Sequence[ModelSource], actor: Actor, note: str | None = None
) -> list[DeployedDefinition]:
    """Deploy every executable process and collaboration in the bundle; unchanged keys keep their version."""
    check_may_change(actor)
    if not actor.roles & DEPLOYER_ROLES:
        raise PermissionDenied("only a process owner may deploy models")
    models = compile_bundle(sources, deploy_policy(tx))
    texts = _decode(sources)
    tx.memo.pop("latest_definitions", None)  # what instances.start remembered is no longer the newest
    now = tx.clock.now()
    result = []
    for key in sorted(models):
        model = models[key]
        latest = tx.store.latest_definition(key)
        if latest is not None and latest.sha256 == model.sha256:
            result.append(DeployedDefinition.of(latest, new=False))
            continue
        record = _store_definition(tx, model, texts, latest, actor, note, now)
        SPECS.put(record.sha256, model)
        result.append(DeployedDefinition.of(record))
        _schedule_start(tx, record, actor)
    return result


def _schedule_start(tx: Tx, record: ProcessDefinitionRecord, actor: Actor) -> None:
    # Imported here: scheduling runs instances, and the instance commands need this module.
    from engine.timers import schedule_start

    schedule_start(tx, record, actor)


def _store_definition(
    tx: Tx,
    model: CompiledModel,
    texts: dict[str, str],
    latest: ProcessDefinitionRecord | None,
    actor: Actor,
    note: str | None,
    now: datetime,
) -> ProcessDefinitionRecord:
    for source in model.files:
        if tx.store.model_file(source.sha256) is None:
            kind = "dmn" if source.name.lower().endswith(".dmn") else "bpmn"
            tx.store.add(
                ModelFileRecord(
                    sha256=source.sha256,
                    name=source.name,
                    kind=kind,
                    content=texts[source.name],
                    created_at=now,
                )
            )
    main = next(
        (s for s in model.files if not s.name.lower().endswith(".dmn")),
        model.files[0],
    )
    record = ProcessDefinitionRecord(
        key=model.key,
        version=(latest.version if latest else 0) + 1,
        name=model.name or (latest.name if latest else None),
        kind=model.kind,
        sha256=model.sha256,
        main_file=main.sha256,
        deployed_by=actor.username,
        deployed_at=now,
        note=note,
    )
    tx.store.add(record)
    tx.store.flush()
    for source in model.files:
        tx.store.link_definition_file(record.id, source.sha256)
    audit.record(
        tx,
        f"definition/{record.key}",
        AuditType.DEFINITION_DEPLOYED,
        {
            "key": record.key,
            "version": record.version,
            "sha256": record.sha256,
            "files": [{"name": s.name, "sha256": s.sha256} for s in model.files],
            "note": note,
        },
        actor=actor.username,
    )
    return record


@dataclass(frozen=True)
class DefinitionRef:
    """What running an instance needs to know about its definition (which never changes)."""

    id: int
    key: str
    version: int
    sha256: str


def definition_ref(tx: Tx, definition_id: int) -> DefinitionRef:
    """A definition's identity, remembered per database: deployed definitions are immutable."""
    memo: dict[int, DefinitionRef] = tx.store.database.memo.setdefault("definitions", {})
    ref = memo.get(definition_id)
    if ref is None:
        record = tx.store.definition(definition_id)
        if record is None:
            raise NotFound(f"no definition {definition_id}")
        ref = memo[definition_id] = DefinitionRef(record.id, record.key, record.version, record.sha256)
    return ref


def model_of(tx: Tx, definition: DefinitionRef | ProcessDefinitionRecord) -> CompiledModel:
    """The compiled model of a stored definition, from the cache or compiled from its files."""

    def files() -> list[ModelSource]:
        return [
            ModelSource(f.name, f.content.encode("utf-8")) for f in tx.store.definition_files(definition.id)
        ]

    return SPECS.get(definition.sha256, definition.key, files)


def latest(tx: Tx, key: str) -> ProcessDefinitionRecord:
    record = tx.store.latest_definition(key)
    if record is None:
        raise NotFound(f"no process {key!r} is deployed")
    return record


def definitions(tx: Tx) -> list[DeployedDefinition]:
    return [DeployedDefinition.of(r) for r in tx.store.latest_definitions()]


def versions(tx: Tx, key: str) -> list[DeployedDefinition]:
    records = tx.store.definition_versions(key)
    if not records:
        raise NotFound(f"no process {key!r} is deployed")
    return [DeployedDefinition.of(r) for r in records]
