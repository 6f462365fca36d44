"""Audit checkpoints and verification at scale, on SQLite.

Writes N hash-chained instance chains of E events each straight into audit_event (valid chains, as the
engine writes them), then times: the first checkpoint (every chain's head), a checkpoint after 1% of
the chains moved (only those heads), and ``audit.verify`` of everything (each event's hash recomputed,
every chain against the checkpoints). Prints the figures; no target yet, the numbers are for sizing
the checkpoint interval and the verification's schedule.

    python bench/audit_checkpoints.py [--chains 20000] [--events 10]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import audit, checkpoints, users  # noqa: E402
from engine.clock import ManualClock  # noqa: E402
from engine.runtime import Engine  # noqa: E402
from engine.store.records import AuditEventRecord  # noqa: E402


def chain_rows(chain: int, first: int, count: int, prev: str, at: datetime) -> tuple[list[dict], str]:
    rows = []
    for seq in range(first, first + count):
        payload = audit.canonical({"task_id": seq, "data": {"catatan": "x" * 40, "nilai": seq}})
        name = f"instance/{chain}"
        digest = audit.event_hash(
            chain=name,
            seq=seq,
            type="task_completed",
            actor="bench",
            at=at,
            instance_id=chain,
            payload=payload,
            prev_hash=prev,
        )
        rows.append(
            {
                "chain": name,
                "seq": seq,
                "instance_id": chain,
                "type": "task_completed",
                "actor": "bench",
                "at": at,
                "payload": payload,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    return rows, prev


def fill(engine: Engine, chains: int, events: int, at: datetime) -> dict[int, str]:
    heads = {}
    with engine.database.db_engine.begin() as conn:
        batch: list[dict] = []
        for chain in range(1, chains + 1):
            rows, heads[chain] = chain_rows(chain, 1, events, audit.GENESIS, at)
            batch.extend(rows)
            if len(batch) >= 20_000:
                conn.execute(insert(AuditEventRecord), batch)
                batch = []
        if batch:
            conn.execute(insert(AuditEventRecord), batch)
    return heads


def timed(label: str, fn) -> object:
    started = time.perf_counter()
    result = fn()
    print(f"{label}: {time.perf_counter() - started:.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--chains", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=10)
    args = parser.parse_args()
    clock = ManualClock(datetime(2027, 1, 4, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as folder:
        engine = Engine(f"sqlite:///{folder}/bench.db", clock=clock)
        engine.database.upgrade()
        heads = timed(
            f"writing {args.chains:,} chains of {args.events} events",
            lambda: fill(engine, args.chains, args.events, clock.now()),
        )

        def checkpoint() -> checkpoints.Checkpoint:
            with engine.transaction() as tx:
                return checkpoints.create(tx, users.SYSTEM)

        made = timed("first checkpoint (every head)", checkpoint)
        print(f"  {made.chains:,} chains, {made.changed:,} heads recorded")
        moved = max(1, args.chains // 100)
        clock.advance(timedelta(hours=1))
        with engine.database.db_engine.begin() as conn:
            rows = []
            for chain in range(1, moved + 1):
                more, heads[chain] = chain_rows(chain, args.events + 1, 1, heads[chain], clock.now())
                rows.extend(more)
            conn.execute(insert(AuditEventRecord), rows)
        made = timed(f"next checkpoint ({moved:,} chains moved)", checkpoint)
        print(f"  {made.changed:,} heads recorded")

        def verify() -> audit.Verification:
            with engine.transaction(write=False) as tx:
                return audit.verify(tx)

        def against() -> tuple[int, list[audit.Break]]:
            with engine.transaction(write=False) as tx:
                return checkpoints.verify(tx)

        result = timed("audit verify (every event, every chain against the checkpoints)", verify)
        print(f"  ok={result.ok}: {result.events_checked:,} events, {result.checkpoints_checked} checkpoints")
        timed("  of which every chain against the checkpoints", against)
        engine.close()


if __name__ == "__main__":
    main()
