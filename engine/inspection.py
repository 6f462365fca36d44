"""What auditors read: searching evaluations, an instance's full trail, and the log of their own looks.

Who may: the roles that may see every evaluation (``evaluations.SEE_ALL_ROLES``: auditors and HR);
anyone else is refused (PermissionDenied). Every look is written to the access log (``audit_access``)
in the transaction of the look itself, so a look that is not logged did not happen.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from engine import audit
from engine.access_log import log_access
from engine.bpmn.runner import Execution, form_of_element
from engine.bpmn.trace import Trace
from engine.context import Answer, answers
from engine.deploy import definition_ref, model_of
from engine.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from engine.evaluations import SEE_ALL_ROLES
from engine.runtime import Tx
from engine.status import AuditType, InstanceStatus
from engine.store import InstanceFilter
from engine.store.records import AuditAccessRecord, ProcessInstanceRecord
from engine.users import Actor

INSPECTOR_ROLES = SEE_ALL_ROLES
EXPORT_LIMIT = 10_000


def check_may_inspect(actor: Actor) -> None:
    """Only auditors and HR read the audit trail; anyone else is refused."""
    if not actor.roles & INSPECTOR_ROLES:
        raise PermissionDenied("only auditors and HR may read the audit trail")


# -- search -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """A search as people ask it: dates are business days, inclusive."""

    nip: str = ""
    name: str = ""
    unit: str = ""
    period: str = ""
    process_key: str = ""
    status: str = ""
    started_from: date | None = None
    started_to: date | None = None

    @classmethod
    def parse(cls, args: Mapping[str, str]) -> Query:
        """A search from text fields (a URL's query); ValidationFailed names every field that is wrong."""
        text = {k: " ".join(str(args.get(k, "")).split())[:255] for k in cls.__dataclass_fields__}
        errors: dict[str, list[FieldError]] = {}
        days: dict[str, date | None] = {}
        for key in ("started_from", "started_to"):
            try:
                days[key] = date.fromisoformat(text[key]) if text[key] else None
            except ValueError:
                errors[key] = [FieldError("type", f"{key} is not a date (YYYY-MM-DD)")]
        query = cls(
            **{k: v for k, v in text.items() if k not in ("started_from", "started_to")},
            started_from=days.get("started_from"),
            started_to=days.get("started_to"),
        )
        query.check(errors)
        return query

    def check(self, errors: dict[str, list[FieldError]] | None = None) -> None:
        errors = dict(errors or {})
        if self.status and self.status not in set(InstanceStatus):
            known = ", ".join(InstanceStatus)
            errors["status"] = [FieldError("enum", f"status must be one of {known}", {"options": known})]
        if self.started_from and self.started_to and self.started_from > self.started_to:
            errors["started_to"] = [
                FieldError("min", "started_to is before started_from", {"min": self.started_from})
            ]
        if errors:
            raise ValidationFailed(errors)

    def params(self) -> dict[str, Any]:
        return {
            "nip": self.nip,
            "name": self.name,
            "unit": self.unit,
            "period": self.period,
            "process_key": self.process_key,
            "status": self.status,
            "started_from": self.started_from.isoformat() if self.started_from else "",
            "started_to": self.started_to.isoformat() if self.started_to else "",
        }

    def where(self, tx: Tx) -> InstanceFilter:
        zone = tx.settings.tz

        def moment(day: date | None) -> datetime | None:
            return datetime.combine(day, time(), zone) if day else None

        return InstanceFilter(
            nip=self.nip or None,
            name=self.name or None,
            unit=self.unit or None,
            period=self.period or None,
            process_key=self.process_key or None,
            status=self.status or None,
            started_from=moment(self.started_from),
            started_before=moment(self.started_to + timedelta(days=1) if self.started_to else None),
        )


@dataclass(frozen=True)
class Found:
    """One instance a search found."""

    instance_id: int
    process_key: str
    business_key: str | None
    nip: str | None
    name: str | None
    unit: str | None
    status: str
    started_at: datetime
    ended_at: datetime | None

    @classmethod
    def of(cls, r: ProcessInstanceRecord) -> Found:
        return cls(
            r.id,
            r.process_key,
            r.business_key,
            r.subject_nip,
            r.subject_name,
            r.subject_unit,
            r.status,
            r.started_at,
            r.ended_at,
        )


def search(
    tx: Tx, actor: Actor, query: Query, limit: int = 50, offset: int = 0, export: bool = False
) -> tuple[list[Found], int]:
    """Evaluations that match, newest first, and how many match in all; the search is logged."""
    check_may_inspect(actor)
    query.check()
    rows, total = tx.store.audit.search(query.where(tx), limit, offset)
    log_access(tx, actor, "export" if export else "search", None, **query.params(), offset=offset or None)
    return [Found.of(r) for r in rows], total


# -- one instance's trail ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One event of the timeline, with who acted in which role, by which rule, and what they sent."""

    seq: int
    type: str
    at: datetime
    actor: str | None
    actor_name: str | None
    summary: str
    title: str | None
    roles: tuple[str, ...]  # the roles (or lane) the task was offered to
    rule: str | None  # the assignment rule that chose its people
    rule_detail: dict[str, Any]
    answers: tuple[Answer, ...]
    changes: dict[str, Any]
    payload: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class ModelFile:
    name: str
    kind: str
    sha256: str
    content: str


@dataclass(frozen=True)
class ModelVersion:
    """The exact deployed version an instance ran under."""

    key: str
    version: int
    name: str | None
    sha256: str
    deployed_at: datetime
    deployed_by: str | None
    files: tuple[ModelFile, ...]

    @property
    def diagram(self) -> ModelFile | None:
        """The BPMN file whose process is this key (the one the diagram shows)."""
        bpmn = [f for f in self.files if f.kind == "bpmn"]
        return next((f for f in bpmn if f'id="{self.key}"' in f.content), bpmn[0] if bpmn else None)


@dataclass(frozen=True)
class Trail:
    """Everything an auditor sees of one instance."""

    instance: Found
    model: ModelVersion
    entries: tuple[Entry, ...]
    trace: Trace
    broken: audit.Break | None
    data: dict[str, Any]


def instance_row(tx: Tx, actor: Actor, instance_id: int) -> ProcessInstanceRecord:
    check_may_inspect(actor)
    row = tx.store.instance(instance_id)
    if row is None:
        raise NotFound(f"no instance {instance_id}")
    return row


def model_version(tx: Tx, definition_id: int) -> ModelVersion:
    record = tx.store.definition(definition_id)
    if record is None:
        raise NotFound(f"no definition {definition_id}")
    files = tuple(
        ModelFile(f.name, f.kind, f.sha256, f.content) for f in tx.store.definition_files(definition_id)
    )
    return ModelVersion(
        record.key, record.version, record.name, record.sha256, record.deployed_at, record.deployed_by, files
    )


def trail(tx: Tx, actor: Actor, instance_id: int, log: bool = True) -> Trail:
    """An instance's timeline, model version, path and verification; the look is logged."""
    row = instance_row(tx, actor, instance_id)
    version = model_version(tx, row.definition_id)
    model = model_of(tx, definition_ref(tx, row.definition_id))
    execution = Execution.load(model, row.state)
    events = tx.store.instance_events(instance_id)
    people = tx.store.people([e.actor for e in events if e.actor])
    offered: dict[int, dict[str, Any]] = {}
    entries = []
    for event in events:
        payload = json.loads(event.payload)
        if event.type == AuditType.TASK_CREATED:
            offered[payload.get("task_id", 0)] = payload
        entries.append(_entry(event, payload, offered, people, model))
    if log:
        log_access(tx, actor, "instance", instance_id)
    return Trail(
        Found.of(row),
        version,
        tuple(entries),
        execution.trace([f.content for f in version.files if f.kind == "bpmn"]),
        audit.verify_instance(tx, instance_id),
        execution.data,
    )


def _entry(
    event: Any,
    payload: dict[str, Any],
    offered: dict[int, dict[str, Any]],
    people: dict[str, tuple[str, str | None]],
    model: Any,
) -> Entry:
    from engine.history import HistoryEvent  # the one-line summaries of `kinerja history`

    created = offered.get(payload.get("task_id", -1), {}) if "task_id" in payload else {}
    roles = tuple(created.get("candidate_roles") or ([created["lane"]] if created.get("lane") else []))
    data = payload.get("data") if event.type == AuditType.TASK_COMPLETED else None
    fields = form_of_element(model, payload.get("bpmn_id", "")) if data else ()
    summary = HistoryEvent(
        event.seq, event.type, event.actor, event.at, payload, event.prev_hash, event.hash
    ).summary
    return Entry(
        event.seq,
        event.type,
        event.at,
        event.actor,
        people.get(event.actor or "", (None, None))[0],
        summary,
        payload.get("title") or created.get("title"),
        roles,
        created.get("rule"),
        created.get("rule_detail") or {},
        answers(fields, data) if data else (),
        payload.get("changes") or {},
        payload,
        event.prev_hash,
        event.hash,
    )


# -- verification and the access log ----------------------------------------------------------------


def verify_all(tx: Tx, actor: Actor) -> audit.Verification:
    """Verify every chain and the checkpoints; the look is logged."""
    check_may_inspect(actor)
    result = audit.verify(tx)
    log_access(tx, actor, "verify", None, ok=result.ok)
    return result


def accesses(
    tx: Tx, actor: Actor, instance_id: int | None = None, limit: int = 200
) -> list[AuditAccessRecord]:
    """The access log, newest first (reading it is logged too, after it is read)."""
    check_may_inspect(actor)
    found = list(tx.store.audit.accesses(instance_id=instance_id, limit=limit))
    log_access(tx, actor, "log", instance_id)
    return found
