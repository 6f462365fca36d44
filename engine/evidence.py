"""Evidence packs: one evaluation's audit chain, its model and the hash rules, as a self-contained JSON file.

An auditor verifies a pack offline with ``tools/verify_pack.py`` (Python's standard library only) or by
re-implementing the formulas in ``ALGORITHM``, which the pack spells out too. Nothing in a pack needs
this database: every event's hash is recomputed from the fields beside it, the chain from its start,
and the model's SHA-256 from the files it carries, which the instance's first event names.
"""

from __future__ import annotations

from typing import Any

from engine import audit, inspection
from engine.access_log import log_access
from engine.runtime import Tx
from engine.users import Actor

FORMAT = "kinerja-evidence-pack/1"
ALGORITHM = {
    "event_hash": (
        "sha256(utf8(prev_hash + '\\n' + header + '\\n' + payload)), hex; header is the canonical JSON "
        "of {actor, at, chain, instance_id, seq, type} with the values of the event; payload is the "
        "event's payload string exactly as given"
    ),
    "canonical_json": "keys sorted, separators ',' and ':' with no spaces, non-ASCII kept as UTF-8",
    "chain": "seq runs 1, 2, 3 ...; the first prev_hash is 64 zeros; each prev_hash is the hash before it",
    "file_sha256": "sha256(utf8(content)), hex",
    "definition_sha256": "sha256(utf8('\\n'.join(sorted(set(file sha256s))))), hex",
    "binding": "the instance_started event's payload names definition_sha256, the sha256 of the model",
}


def pack(tx: Tx, actor: Actor, instance_id: int) -> dict[str, Any]:
    """The evidence pack of one instance; the export is logged."""
    row = inspection.instance_row(tx, actor, instance_id)
    version = inspection.model_version(tx, row.definition_id)
    events = tx.store.instance_events(instance_id)
    broken = audit.verify_instance(tx, instance_id)
    log_access(tx, actor, "pack", instance_id)
    return {
        "format": FORMAT,
        "algorithm": ALGORITHM,
        "exported_at": audit.timestamp(tx.clock.now()),
        "exported_by": actor.username,
        "instance": {
            "id": row.id,
            "process_key": row.process_key,
            "business_key": row.business_key,
            "status": row.status,
            "started_at": audit.timestamp(row.started_at),
            "ended_at": audit.timestamp(row.ended_at) if row.ended_at else None,
            "subject": {"nip": row.subject_nip, "name": row.subject_name, "unit": row.subject_unit},
        },
        "definition": {
            "key": version.key,
            "version": version.version,
            "name": version.name,
            "sha256": version.sha256,
            "deployed_at": audit.timestamp(version.deployed_at),
            "deployed_by": version.deployed_by,
            "files": [
                {"name": f.name, "kind": f.kind, "sha256": f.sha256, "content": f.content}
                for f in version.files
            ],
        },
        "chain": audit.instance_chain(instance_id),
        "head": {"seq": row.audit_seq, "hash": row.audit_head},
        "events": [
            {
                "chain": e.chain,
                "seq": e.seq,
                "instance_id": e.instance_id,
                "type": e.type,
                "actor": e.actor,
                "at": audit.timestamp(e.at),
                "payload": e.payload,
                "prev_hash": e.prev_hash,
                "hash": e.hash,
            }
            for e in events
        ],
        "verified_at_export": {"ok": broken is None, "break": broken.to_dict() if broken else None},
    }
