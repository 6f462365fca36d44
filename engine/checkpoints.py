"""Checkpoints of the audit trail: the heads of every chain, recorded now and then, chained together.

A chain's events prove their own order and content, and an instance row names its chain's head; but
someone who deletes an instance's events *and* its row leaves nothing behind to miss. A checkpoint
records the head (seq, hash) of each chain that moved since the previous checkpoint; folded in order,
the checkpoints give the head of every chain ever checkpointed. Its hash covers its own content and the
previous checkpoint's hash, so checkpoints cannot be changed or dropped from the middle unnoticed.
Verification then reports every chain that is missing, shorter than, or different from what the
checkpoints said (``kinerja audit checkpoint``; the scheduler makes one every hour by default).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from engine.audit import GENESIS, Break, canonical, timestamp
from engine.errors import Conflict
from engine.runtime import Tx
from engine.store.records import AuditCheckpointRecord
from engine.users import Actor


@dataclass(frozen=True)
class Checkpoint:
    """One checkpoint as people read it."""

    seq: int
    at: datetime
    created_by: str | None
    chains: int  # chains in the database then
    changed: int  # heads recorded by this checkpoint (those that moved since the previous one)
    hash: str

    @classmethod
    def of(cls, record: AuditCheckpointRecord) -> Checkpoint:
        changed = len(json.loads(record.heads))
        return cls(record.seq, record.at, record.created_by, record.chains, changed, record.hash)

    def to_dict(self) -> dict[str, object]:
        return {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "created_by": self.created_by,
            "chains": self.chains,
            "changed": self.changed,
            "hash": self.hash,
        }


def checkpoint_hash(*, seq: int, at: datetime, chains: int, heads: str, prev_hash: str) -> str:
    """SHA-256 of the previous checkpoint's hash, a header line and the heads exactly as stored."""
    header = canonical({"at": timestamp(at), "chains": chains, "seq": seq})
    return hashlib.sha256(f"{prev_hash}\n{header}\n{heads}".encode()).hexdigest()


def create(tx: Tx, actor: Actor) -> Checkpoint:
    """Record the heads of the chains that moved since the last checkpoint (all of them the first time)."""
    heads = tx.store.audit.chain_heads()
    records = tx.store.audit.checkpoints()
    known, problems = _fold(records)
    if problems:  # never vouch for a trail whose checkpoints are themselves broken
        raise Conflict(f"checkpoint {problems[0].seq} is broken: {problems[0].reason}; verify first")
    changed = {c: [s, h] for c, (s, h) in sorted(heads.items()) if known.get(c) != (s, h)}
    last = records[-1] if records else None
    seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
    at = tx.clock.now()
    text = canonical(changed)
    record = AuditCheckpointRecord(
        seq=seq,
        at=at,
        created_by=actor.username,
        chains=len(heads),
        heads=text,
        prev_hash=prev,
        hash=checkpoint_hash(seq=seq, at=at, chains=len(heads), heads=text, prev_hash=prev),
    )
    tx.store.add(record)
    tx.store.flush()
    return Checkpoint.of(record)


def due(tx: Tx, every: timedelta) -> bool:
    """Whether the newest checkpoint is older than ``every`` (or there is none)."""
    last = tx.store.audit.latest_checkpoint()
    return last is None or tx.clock.now() - last.at >= every


def latest(tx: Tx) -> Checkpoint | None:
    record = tx.store.audit.latest_checkpoint()
    return Checkpoint.of(record) if record else None


def _fold(records: Sequence[AuditCheckpointRecord]) -> tuple[dict[str, tuple[int, str]], list[Break]]:
    """The heads the checkpoints vouch for (the newest per chain), and any break in the checkpoints."""
    heads: dict[str, tuple[int, str]] = {}
    problems: list[Break] = []
    prev = GENESIS
    for expected, record in enumerate(records, start=1):
        digest = checkpoint_hash(
            seq=record.seq, at=record.at, chains=record.chains, heads=record.heads, prev_hash=record.prev_hash
        )
        if record.seq != expected:
            problems.append(Break("checkpoint", expected, "checkpoint is missing or out of order"))
            break
        if record.prev_hash != prev or digest != record.hash:
            problems.append(Break("checkpoint", record.seq, "checkpoint was changed after it was written"))
            break
        for chain, (seq, head) in json.loads(record.heads).items():
            heads[chain] = (int(seq), str(head))
        prev = record.hash
    return heads, problems


def verify(tx: Tx) -> tuple[int, list[Break]]:
    """Check the checkpoints' own chain, then every chain against the heads they recorded.

    Returns how many checkpoints were checked and the breaks found: a chain that is gone, shorter than
    a checkpoint said, or whose event at the recorded head is not the one recorded.
    """
    records = tx.store.audit.checkpoints()
    vouched, problems = _fold(records)
    current = tx.store.audit.chain_heads()
    for chain, (seq, head) in sorted(vouched.items()):
        found = _against(tx, chain, seq, head, current.get(chain))
        if found is not None:
            problems.append(found)
    return len(records), problems


def _against(tx: Tx, chain: str, seq: int, head: str, now: tuple[int, str] | None) -> Break | None:
    instance_id = int(chain.split("/", 1)[1]) if chain.startswith("instance/") else None
    if now is None:
        return Break(chain, 1, f"the chain is gone; a checkpoint recorded {seq} events", instance_id)
    if now[0] < seq:
        return Break(
            chain, now[0] + 1, f"events up to {seq}, recorded by a checkpoint, were removed", instance_id
        )
    # the head it recorded is usually still the head; only a chain that moved on needs its event read
    found = now[1] if now[0] == seq else getattr(tx.store.audit.event_at(chain, seq), "hash", None)
    if found != head:
        return Break(chain, seq, "differs from the event a checkpoint recorded", instance_id)
    return None
