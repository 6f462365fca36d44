"""Inbox queries at scale: the p95 of each inbox list (a page of 50 and its count) and of the tab
counts, with 1,000,000 task rows and 50,000 users, on SQLite and on PostgreSQL. Target: <= 10 ms.

The data: 200,000 instances of five tasks each; 90% of the tasks completed, the rest waiting in
one person's inbox (assigned or claimed) or in a role's queue (pengelola_kinerja, bkpsdm, and a
few candidate users). Each sampled user is timed on all three lists, in rounds that alternate the
two databases (this machine's speed drifts).

    python bench/inbox.py [--tasks 1000000] [--users 50000] [--samples 200] [--postgres URL]

PostgreSQL: --postgres or KINERJA_TEST_DATABASE_URL; a database is created for the run and dropped.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import tasks  # noqa: E402
from engine.runtime import Engine  # noqa: E402
from engine.store import normalize_url  # noqa: E402
from engine.store.records import (  # noqa: E402
    HumanTaskRecord,
    ProcessDefinitionRecord,
    ProcessInstanceRecord,
    TaskCandidateRecord,
    UserRecord,
    UserRoleRecord,
)
from engine.users import Actor  # noqa: E402

T0 = datetime(2027, 1, 1, tzinfo=UTC)
TITLES = ["Usulkan SKP", "Tetapkan ekspektasi", "Laporkan realisasi", "Beri umpan balik", "Evaluasi periodik"]
QUEUE_ROLES = ["pengelola_kinerja", "bkpsdm"]
BATCH = 20_000


def nip(i: int) -> str:
    return f"19900101{2020_0000 + i:010d}"[:18]


def fill(url: str, n_tasks: int, n_users: int, rng: random.Random) -> None:
    """Bulk-insert users, instances, tasks and queue candidates."""
    db = create_engine(normalize_url(url))
    with db.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO model_file (sha256, name, kind, content, created_at) VALUES "
                "(:s, 'bench.bpmn', 'bpmn', '', :t)"
            ),
            {"s": "0" * 64, "t": T0},
        )
        conn.execute(
            insert(ProcessDefinitionRecord.__table__),
            [
                {
                    "id": 1,
                    "key": "skp",
                    "version": 1,
                    "name": "SKP",
                    "kind": "process",
                    "sha256": "0" * 64,
                    "main_file": "0" * 64,
                    "deployed_by": "bench",
                    "deployed_at": T0,
                    "note": None,
                }
            ],
        )
        for start in range(0, n_users, BATCH):
            ids = range(start + 1, min(start + BATCH, n_users) + 1)
            conn.execute(
                insert(UserRecord.__table__),
                [
                    {
                        "id": i,
                        "username": f"u{i:05d}",
                        "display_name": f"Pegawai {i}",
                        "password_hash": None,
                        "nip": nip(i),
                        "email": None,
                        "active": True,
                        "is_service": False,
                        "created_at": T0,
                    }
                    for i in ids
                ],
            )
            conn.execute(insert(UserRoleRecord.__table__), [{"user_id": i, "role": role_of(i)} for i in ids])
        n_instances = n_tasks // 5
        for start in range(0, n_instances, BATCH):
            ids = range(start + 1, min(start + BATCH, n_instances) + 1)
            conn.execute(
                insert(ProcessInstanceRecord.__table__),
                [
                    {
                        "id": i,
                        "definition_id": 1,
                        "process_key": "skp",
                        "business_key": f"b{i}",
                        "subject_nip": nip(subject(i, n_users)),
                        "subject_name": f"Pegawai {subject(i, n_users)}",
                        "subject_unit": None,
                        "status": "running",
                        "state": "{}",
                        "next_due_at": None,
                        "row_version": 1,
                        "started_by": "bench",
                        "started_at": T0,
                        "updated_at": T0,
                        "ended_at": None,
                        "error": None,
                        "audit_seq": 0,
                        "audit_head": None,
                    }
                    for i in ids
                ],
            )
        task_id = 0
        for start in range(0, n_instances, BATCH // 5):
            rows, candidates = [], []
            for instance in range(start + 1, min(start + BATCH // 5, n_instances) + 1):
                person = subject(instance, n_users)
                for step in range(5):
                    task_id += 1
                    row, who = task_row(task_id, instance, step, person, n_users, rng)
                    rows.append(row)
                    candidates.extend({"who": w, "task_id": task_id, "due_at": row["due_at"]} for w in who)
            conn.execute(insert(HumanTaskRecord.__table__), rows)
            if candidates:
                conn.execute(insert(TaskCandidateRecord.__table__), candidates)
    # Statistics and, on PostgreSQL, the visibility map, as autovacuum keeps them on a live database
    # (a bulk load leaves neither; index-only scans then read the table too).
    with db.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if db.dialect.name == "postgresql" else "ANALYZE"))
    db.dispose()


def role_of(i: int) -> str:
    if i % 500 == 0:
        return QUEUE_ROLES[(i // 500) % 2]
    return "penilai" if i % 10 == 0 else "pegawai"


def subject(instance: int, n_users: int) -> int:
    return (instance * 7919) % n_users + 1


def task_row(task_id: int, instance: int, step: int, person: int, n_users: int, rng: random.Random):
    """One task: the employee's own steps alternate with their supervisor's; 90% completed."""
    supervisor = max(10, person - person % 10)
    actor = f"u{person if step % 2 == 0 else supervisor:05d}"
    created = T0 + timedelta(days=rng.randrange(360), minutes=rng.randrange(1440))
    kind = rng.random()
    status, assignee, completed_at, completed_by, who = (
        "completed",
        actor,
        created + timedelta(days=2),
        actor,
        [],
    )
    if kind >= 0.9:
        completed_at = completed_by = None
        if kind < 0.97:
            status = "assigned"
        elif kind < 0.985:
            status, assignee = "open", None
            who = [f"role:{QUEUE_ROLES[task_id % 2]}"]
        elif kind < 0.99:
            status, assignee = "open", None
            who = [f"user:u{rng.randrange(1, n_users + 1):05d}", f"user:{actor}"]
        else:
            status = "claimed"
    row = {
        "id": task_id,
        "instance_id": instance,
        "spiff_task_id": str(uuid.UUID(int=task_id)),
        "bpmn_id": f"step{step}",
        "title": TITLES[step],
        "process_key": "skp",
        "lane": None,
        "candidate_roles": "[]",
        "candidate_users": "[]",
        "assignee": assignee,
        "assignment_rule": "assignee_expression",
        "assignment_detail": "{}",
        "status": status,
        "priority": 50,
        "due_at": created + timedelta(days=7),
        "follow_up_at": None,
        "subject_nip": nip(person),
        "subject_name": f"Pegawai {person}",
        "created_at": created,
        "claimed_at": None,
        "claimed_by": assignee if status == "claimed" else None,
        "completed_at": completed_at,
        "completed_by": completed_by,
    }
    return row, who


def sample_actors(n_users: int, count: int, rng: random.Random) -> list[Actor]:
    """Staff, supervisors and the queue roles' people, in the proportions of the users."""
    picks = [rng.randrange(1, n_users + 1) for _ in range(count - 20)]
    picks += [i for i in range(500, n_users + 1, 500)][:20]  # the people who work the big queues
    return [Actor(f"u{i:05d}", frozenset({role_of(i)}), nip(i)) for i in picks]


def measure(engine: Engine, actors: list[Actor]) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {"mine": [], "queue": [], "archive": [], "counts": []}
    for actor in actors:
        with engine.transaction(write=False) as tx:
            for scope in ("mine", "queue", "archive"):
                began = time.perf_counter()
                tasks.inbox(tx, actor, scope, 50, 0)
                timings[scope].append(time.perf_counter() - began)
            began = time.perf_counter()
            tasks.counts(tx, actor)
            timings["counts"].append(time.perf_counter() - began)
    return timings


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--samples", type=int, default=200, help="users timed per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("KINERJA_TEST_DATABASE_URL"))
    args = parser.parse_args()
    rng = random.Random(6)
    with tempfile.TemporaryDirectory() as tmp:
        targets = {"SQLite": f"sqlite:///{tmp}/inbox.db"}
        admin, pg_name = None, f"kinerja_bench_{uuid.uuid4().hex[:8]}"
        if args.postgres:
            admin = create_engine(normalize_url(args.postgres), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{pg_name}"'))
            targets["PostgreSQL"] = normalize_url(args.postgres).rsplit("/", 1)[0] + f"/{pg_name}"
        try:
            engines = {}
            for name, url in targets.items():
                engine = Engine(url)
                engine.database.upgrade()
                began = time.perf_counter()
                fill(url, args.tasks, args.users, random.Random(6))
                took = time.perf_counter() - began
                print(f"{name}: {args.tasks:,} tasks, {args.users:,} users loaded in {took:.0f} s")
                engines[name] = engine
            results: dict[str, dict[str, list[float]]] = {n: {} for n in engines}
            for engine in engines.values():
                measure(engine, sample_actors(args.users, 40, rng))  # warm the caches
            for _ in range(args.rounds):
                actors = sample_actors(args.users, args.samples, rng)
                for name, engine in engines.items():
                    for scope, values in measure(engine, actors).items():
                        results[name].setdefault(scope, []).extend(values)
            for engine in engines.values():
                engine.close()
        finally:
            if admin is not None:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
                admin.dispose()
    print("p95 per call (a page of 50 and its total), target <= 10 ms:")
    for name, by_scope in results.items():
        figures = ", ".join(f"{scope} {p95(v):.2f} ms" for scope, v in by_scope.items())
        print(f"  {name:<10} {figures}   ({len(by_scope['mine'])} users each)")


if __name__ == "__main__":
    main()
