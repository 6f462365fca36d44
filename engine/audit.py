"""The audit trail: append-only, hash-chained events, one chain per instance, and their verification.

Each event's hash is the SHA-256 of its canonical JSON (sorted keys, no spaces, UTF-8), which includes
the previous event's hash. Changing, deleting or reordering any row breaks the chain at that row, and
the instance row keeps its chain's head so that cutting off the newest events is noticed too.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from engine.runtime import Tx
from engine.store import EventRow, InstanceRow
from engine.store.records import AuditEventRecord

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    """The one JSON spelling of a value that hashes are computed over."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    return str(value)


def timestamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def event_hash(
    *,
    chain: str,
    seq: int,
    type: str,
    actor: str | None,
    at: datetime,
    instance_id: int | None,
    payload: str,
    prev_hash: str,
) -> str:
    """SHA-256 of an event's canonical form, which begins with its predecessor's hash.

    The canonical form is three lines: the previous hash; the canonical JSON of the header (actor, at,
    chain, instance_id, seq, type); the canonical JSON of the payload exactly as stored.
    """
    header = canonical(
        {
            "actor": actor,
            "at": timestamp(at),
            "chain": chain,
            "instance_id": instance_id,
            "seq": seq,
            "type": type,
        }
    )
    return hashlib.sha256(f"{prev_hash}\n{header}\n{payload}".encode()).hexdigest()


def instance_chain(instance_id: int) -> str:
    return f"instance/{instance_id}"


def _event(
    chain: str,
    seq: int,
    prev: str,
    type: str,
    payload: dict[str, Any],
    actor: str | None,
    at: datetime,
    instance_id: int | None,
) -> EventRow:
    text = canonical(payload)
    digest = event_hash(
        chain=chain,
        seq=seq,
        type=type,
        actor=actor,
        at=at,
        instance_id=instance_id,
        payload=text,
        prev_hash=prev,
    )
    return EventRow(chain, seq, instance_id, type, actor, at, text, prev, digest)


class InstanceChain:
    """Collects an instance's new events in order; the locked instance row carries the chain's head."""

    def __init__(self, tx: Tx, instance: InstanceRow) -> None:
        self._tx = tx
        self._instance = instance
        self.events: list[EventRow] = []

    def add(self, type: str, payload: dict[str, Any], actor: str | None) -> EventRow:
        instance = self._instance
        event = _event(
            instance_chain(instance.id),
            instance.audit_seq + 1,
            instance.audit_head or GENESIS,
            type,
            payload,
            actor,
            self._tx.clock.now(),
            instance.id,
        )
        instance.audit_seq, instance.audit_head = event.seq, event.hash
        self.events.append(event)
        return event

    def write(self) -> None:
        """Insert the collected events (one statement) and start afresh."""
        self._tx.store.lean.insert_events(self.events)
        self.events = []


def record(tx: Tx, chain: str, type: str, payload: dict[str, Any], *, actor: str | None) -> None:
    """Append one event to a chain that no instance row heads (e.g. ``definition/<key>``)."""
    last_seq, last_hash = tx.store.chain_head(chain)
    event = _event(chain, last_seq + 1, last_hash or GENESIS, type, payload, actor, tx.clock.now(), None)
    tx.store.add(AuditEventRecord(**asdict(event)))


@dataclass(frozen=True)
class Break:
    """Where a chain stops being trustworthy, and why."""

    chain: str
    seq: int
    reason: str
    instance_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"chain": self.chain, "instance_id": self.instance_id, "seq": self.seq, "reason": self.reason}


@dataclass
class Verification:
    """The outcome of checking every chain."""

    chains_checked: int = 0
    instances_checked: int = 0
    events_checked: int = 0
    checkpoints_checked: int = 0
    breaks: list[Break] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def first_broken(self) -> Break | None:
        return self.breaks[0] if self.breaks else None


def verify_events(chain: str, events: list[AuditEventRecord], instance_id: int | None = None) -> Break | None:
    """Check one chain's events in stored order; return the first break."""
    prev = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            return Break(chain, expected_seq, f"event {expected_seq} is missing or out of order", instance_id)
        if event.prev_hash != prev:
            return Break(chain, event.seq, "does not follow the previous event", instance_id)
        digest = event_hash(
            chain=event.chain,
            seq=event.seq,
            type=event.type,
            actor=event.actor,
            at=event.at,
            instance_id=event.instance_id,
            payload=event.payload,
            prev_hash=event.prev_hash,
        )
        if digest != event.hash:
            return Break(chain, event.seq, "content was changed after it was written", instance_id)
        prev = event.hash
    return None


def verify(tx: Tx) -> Verification:
    """Verify every chain in the database, and every instance's head against its chain."""
    result = Verification()
    heads = tx.store.instance_heads()
    seen_instances: set[int] = set()
    current: str | None = None
    batch: list[AuditEventRecord] = []

    def finish(chain: str, events: list[AuditEventRecord]) -> None:
        instance_id = int(chain.split("/", 1)[1]) if chain.startswith("instance/") else None
        result.chains_checked += 1
        result.events_checked += len(events)
        broken = verify_events(chain, events, instance_id)
        if broken is None and instance_id is not None:
            seen_instances.add(instance_id)
            broken = _check_head(chain, instance_id, events, heads)
        if broken is not None:
            result.breaks.append(broken)

    for event in tx.store.iter_events():
        if event.chain != current:
            if current is not None:
                finish(current, batch)
            current, batch = event.chain, []
        batch.append(event)
    if current is not None:
        finish(current, batch)
    for instance_id, (seq, _head) in sorted(heads.items()):
        if (
            instance_id not in seen_instances
            and seq > 0
            and not any(b.instance_id == instance_id for b in result.breaks)
        ):
            result.breaks.append(
                Break(instance_chain(instance_id), 1, "the instance's events are gone", instance_id)
            )
    result.instances_checked = len(heads)
    _check_checkpoints(tx, result)
    result.breaks.sort(key=lambda b: (b.instance_id or 0, b.chain, b.seq))
    return result


def _check_checkpoints(tx: Tx, result: Verification) -> None:
    """Add what the checkpoints find: chains gone or cut short since they were recorded."""
    from engine import checkpoints  # imported here: checkpoints are built on this module

    result.checkpoints_checked, found = checkpoints.verify(tx)
    broken = {b.chain for b in result.breaks}
    result.breaks.extend(b for b in found if b.chain not in broken)


def _check_head(
    chain: str, instance_id: int, events: list[AuditEventRecord], heads: dict[int, tuple[int, str | None]]
) -> Break | None:
    if instance_id not in heads:
        return None  # the instance row itself is gone; its events stand on their own
    seq, head = heads[instance_id]
    last = events[-1]
    if last.seq != seq or last.hash != head:
        return Break(chain, min(last.seq, seq) + 1, "events after this point were removed", instance_id)
    return None


def verify_instance(tx: Tx, instance_id: int) -> Break | None:
    """Verify one instance's chain and head."""
    events = list(tx.store.instance_events(instance_id))
    chain = instance_chain(instance_id)
    broken = verify_events(chain, events, instance_id)
    if broken is not None:
        return broken
    heads = {}
    record_ = tx.store.instance(instance_id)
    if record_ is not None:
        heads[instance_id] = (record_.audit_seq, record_.audit_head)
    if not events:
        return (
            Break(chain, 1, "the instance's events are gone", instance_id)
            if heads.get(instance_id, (0,))[0]
            else None
        )
    return _check_head(chain, instance_id, events, heads)
