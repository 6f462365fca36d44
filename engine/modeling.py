"""The process owner's work on models: open a deployed version's files, keep drafts, validate an
edited file with the deploy-time checks, deploy it as a new version, and read the version history
with what changed between consecutive versions.

Drafts are kept per author, process key and file: each owner has their own, reopens them from the
process page, and nobody else sees or overwrites them; deploying a file clears its author's draft.
The change summaries are computed when the history is read, not stored: deployed files never change,
so a summary between two versions never changes either, and it is remembered per database by the
pair of definition hashes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine import deploy
from engine.bpmn.changes import ChangeSummary, diagram_element, summarize
from engine.bpmn.parser import MAX_FILE_BYTES, ModelSource, compile_bundle
from engine.deploy import DeployedDefinition
from engine.errors import BadRequest, DeploymentFailed, DeployProblem, NotFound, PermissionDenied
from engine.runtime import Tx
from engine.services import deploy_policy
from engine.store.records import ModelDraftRecord
from engine.users import Actor

OWNER_ROLES = frozenset({"pemilik_proses"})


def may_model(actor: Actor | None) -> bool:
    """Whether this person may open the modeler, keep drafts, validate, deploy and migrate: a process
    owner who holds no read-only role (an auditor who also owns processes changes nothing)."""
    return actor is not None and bool(actor.roles & OWNER_ROLES) and not actor.read_only


def require_owner(actor: Actor) -> None:
    if not may_model(actor):
        raise PermissionDenied("only a process owner (pemilik_proses) may edit, deploy or migrate models")


@dataclass(frozen=True)
class ModelFile:
    """One file of a deployed version, as the editor opens it."""

    name: str
    kind: str  # bpmn | dmn
    content: str


@dataclass(frozen=True)
class Draft:
    """A process owner's unsaved edit of one file."""

    id: int
    process_key: str
    file_name: str
    kind: str
    base_version: int | None
    updated_at: datetime

    @classmethod
    def of(cls, r: ModelDraftRecord) -> Draft:
        return cls(r.id, r.process_key, r.file_name, r.kind, r.base_version, r.updated_at)


@dataclass(frozen=True)
class VersionEntry:
    """One version in the history, with what changed since the version before it."""

    definition: DeployedDefinition
    changes: ChangeSummary | None  # None for the first version
    live_instances: int


# -- files of a version ------------------------------------------------------------------------------


def files_of(tx: Tx, key: str, version: int) -> list[ModelFile]:
    record = tx.store.definition_version(key, version)
    if record is None:
        raise NotFound(f"no version {version} of process {key!r}")
    return [ModelFile(f.name, f.kind, f.content) for f in tx.store.definition_files(record.id)]


def open_file(tx: Tx, actor: Actor, key: str, version: int, name: str) -> ModelFile:
    """A file of a deployed version, for the editor."""
    require_owner(actor)
    for found in files_of(tx, key, version):
        if found.name == name:
            return found
    raise NotFound(f"version {version} of {key!r} has no file {name!r}")


def _sources(tx: Tx, key: str, version: int, name: str, content: str) -> list[ModelSource]:
    """The version's bundle with one file replaced by the edited content."""
    _check_content(content)
    files = files_of(tx, key, version)
    if name not in {f.name for f in files}:
        raise NotFound(f"version {version} of {key!r} has no file {name!r}")
    return [ModelSource(f.name, (content if f.name == name else f.content).encode()) for f in files]


def _check_content(content: str) -> None:
    if not content.strip():
        raise BadRequest("content: the model is empty")
    if len(content.encode()) > MAX_FILE_BYTES:
        raise BadRequest(f"content: the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")


# -- validate and deploy -----------------------------------------------------------------------------


def problems_of(exc: DeploymentFailed, name: str, content: str) -> list[dict[str, Any]]:
    """Each problem as the API shows it, with ``shape``: the drawn element of the edited file it is on."""
    encoded = content.encode()
    return [
        {**p.to_dict(), "shape": diagram_element(encoded, p.element, p.line) if p.file == name else None}
        for p in exc.problems
    ]


def validate(tx: Tx, actor: Actor, key: str, version: int, name: str, content: str) -> list[dict[str, Any]]:
    """Every deploy-time problem of the edited bundle (empty: it would deploy); nothing is stored."""
    require_owner(actor)
    sources = _sources(tx, key, version, name, content)
    try:
        models = compile_bundle(sources, deploy_policy(tx))
    except DeploymentFailed as exc:
        return problems_of(exc, name, content)
    if key not in models:
        return problems_of(_lost(key, name), name, content)
    return []


def _lost(key: str, name: str) -> DeploymentFailed:
    return DeploymentFailed([DeployProblem(f"the edited bundle no longer defines the process {key!r}", name)])


def deploy_edit(
    tx: Tx, actor: Actor, key: str, version: int, name: str, content: str, note: str | None
) -> list[DeployedDefinition]:
    """Deploy the edited bundle as new versions (refused with every problem, storing nothing)."""
    require_owner(actor)
    sources = _sources(tx, key, version, name, content)
    if key not in compile_bundle(sources, deploy_policy(tx)):
        raise _lost(key, name)
    deployed = deploy.deploy(tx, sources, actor, (note or "").strip()[:2000] or None)
    draft = tx.store.modeling.draft_of(actor.username, key, name)
    if draft is not None:
        tx.store.modeling.delete_draft(draft)
    return deployed


# -- drafts --------------------------------------------------------------------------------------------


def save_draft(tx: Tx, actor: Actor, key: str, version: int, name: str, content: str) -> Draft:
    """Keep (or replace) the author's draft of one file of a process."""
    require_owner(actor)
    _sources(tx, key, version, name, content)  # the file exists in that version; the content is sane
    now = tx.clock.now()
    record = tx.store.modeling.draft_of(actor.username, key, name)
    if record is None:
        kind = "dmn" if name.lower().endswith(".dmn") else "bpmn"
        record = ModelDraftRecord(
            process_key=key, author=actor.username, file_name=name, kind=kind, created_at=now
        )
    record.content = content
    record.base_version = version
    record.updated_at = now
    return Draft.of(tx.store.modeling.save_draft(record))


def drafts(tx: Tx, actor: Actor, key: str | None = None) -> list[Draft]:
    require_owner(actor)
    return [Draft.of(r) for r in tx.store.modeling.drafts(actor.username, key)]


def draft_content(tx: Tx, actor: Actor, draft_id: int) -> tuple[Draft, str]:
    """A draft of the actor's own; anyone else's is not found."""
    require_owner(actor)
    record = tx.store.modeling.draft(draft_id)
    if record is None or record.author != actor.username:
        raise NotFound(f"no draft {draft_id}")
    return Draft.of(record), record.content


def discard_draft(tx: Tx, actor: Actor, draft_id: int) -> None:
    draft_content(tx, actor, draft_id)
    record = tx.store.modeling.draft(draft_id)
    if record is not None:
        tx.store.modeling.delete_draft(record)


# -- versions -----------------------------------------------------------------------------------------


def history(tx: Tx, actor: Actor, key: str) -> list[VersionEntry]:
    """Every version of a process, newest first, with what changed since the one before."""
    require_owner(actor)
    records = list(reversed(tx.store.definition_versions(key)))
    if not records:
        raise NotFound(f"no process {key!r} is deployed")
    live = tx.store.modeling.live_counts(key)
    memo: dict[tuple[str, str], ChangeSummary] = tx.store.database.memo.setdefault("change_summaries", {})
    entries, previous = [], None
    for record in records:
        changes = None
        if previous is not None:
            pair = (previous.sha256, record.sha256)
            if pair not in memo:
                memo[pair] = summarize(_files(tx, previous.id), _files(tx, record.id))
            changes = memo[pair]
        entries.append(VersionEntry(DeployedDefinition.of(record), changes, live.get(record.version, 0)))
        previous = record
    return list(reversed(entries))


def _files(tx: Tx, definition_id: int) -> list[ModelSource]:
    return [ModelSource(f.name, f.content.encode()) for f in tx.store.definition_files(definition_id)]
