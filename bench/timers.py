"""Timers fired per second by ``kinerja worker`` processes on PostgreSQL: one worker against two.

Each round creates N instances whose one-hour timer came due an hour ago, runs W workers
(``kinerja worker --until-idle``, separate processes) and reads the rate from the audit trail: N timers
over the time from the first ``timer_fired`` event to the last (worker start-up excluded; the wall
time including it is printed too). Firing a timer here means: claim, lock, load the state, fire,
run the script task after it, settle the inbox index and subscriptions, save, audit, commit.
Rounds alternate 1 and 2 workers because this machine's speed drifts; the medians are compared.

    python bench/timers.py [--url postgresql+psycopg://...] [--timers 1000] [--rounds 3] [--batch 25]

The URL defaults to KINERJA_BENCH_DATABASE_URL or KINERJA_TEST_DATABASE_URL; a scratch database is
created next to it and dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import deploy, instances, users  # noqa: E402
from engine.bpmn.parser import ModelSource  # noqa: E402
from engine.clock import ManualClock  # noqa: E402
from engine.runtime import Engine  # noqa: E402
from engine.store import Database, normalize_url  # noqa: E402

MODEL = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="t">
  <bpmn:process id="bench_timer" isExecutable="true">
    <bpmn:startEvent id="mulai"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="sejam"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:scriptTask id="catat"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>dicatat = True</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="selesai"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="mulai" targetRef="sejam"/>
    <bpmn:sequenceFlow id="f2" sourceRef="sejam" targetRef="catat"/>
    <bpmn:sequenceFlow id="f3" sourceRef="catat" targetRef="selesai"/>
  </bpmn:process>
</bpmn:definitions>"""


def scratch_database(base_url: str) -> tuple[str, str]:
    admin = create_engine(normalize_url(base_url), isolation_level="AUTOCOMMIT")
    name = f"kinerja_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = normalize_url(base_url).rsplit("/", 1)[0] + f"/{name}"
    Database(url).upgrade()
    return url, name


def drop_database(base_url: str, name: str) -> None:
    admin = create_engine(normalize_url(base_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def due_timers(url: str, count: int) -> tuple[int, int]:
    """Create ``count`` instances whose timer is due now; return their id range."""
    engine = Engine(url, clock=ManualClock(datetime.now(UTC) - timedelta(hours=2)))
    ids = []
    while len(ids) < count:
        with engine.transaction() as tx:
            for _ in range(min(250, count - len(ids))):
                ids.append(instances.start(tx, "bench_timer", users.SYSTEM, {}).instance_id)
    engine.close()
    return min(ids), max(ids)


def run_workers(url: str, workers: int, batch: int) -> float:
    env = {**os.environ, "KINERJA_DATABASE_URL": url}
    command = [
        sys.executable,
        "-m",
        "engine.cli",
        "worker",
        "--until-idle",
        "--no-mail",
        "--batch",
        str(batch),
    ]
    began = time.perf_counter()
    procs = [
        subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(workers)
    ]
    for proc in procs:
        _out, err = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"a worker failed with exit status {proc.returncode}:\n{err}")
    return time.perf_counter() - began


def fired_span(url: str, first: int, last: int) -> tuple[int, float]:
    db = create_engine(url)
    with db.connect() as conn:
        count, earliest, latest = conn.execute(
            text(
                "SELECT COUNT(*), MIN(at), MAX(at) FROM audit_event WHERE type = 'timer_fired' "
                "AND instance_id BETWEEN :first AND :last"
            ),
            {"first": first, "last": last},
        ).one()
    db.dispose()
    return int(count), (latest - earliest).total_seconds()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url",
        default=os.environ.get("KINERJA_BENCH_DATABASE_URL") or os.environ.get("KINERJA_TEST_DATABASE_URL"),
    )
    parser.add_argument("--timers", type=int, default=1000, help="due timers per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each worker count")
    parser.add_argument("--batch", type=int, default=25, help="instances a worker claims per transaction")
    args = parser.parse_args()
    if not args.url or not normalize_url(args.url).startswith("postgresql"):
        raise SystemExit(
            "give a PostgreSQL URL: --url, KINERJA_BENCH_DATABASE_URL or KINERJA_TEST_DATABASE_URL"
        )
    url, name = scratch_database(args.url)
    try:
        engine = Engine(url)
        with engine.transaction() as tx:
            deploy.deploy(tx, [ModelSource("bench_timer.bpmn", MODEL)], users.SYSTEM)
        engine.close()
        rates: dict[int, list[float]] = {1: [], 2: []}
        walls: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(args.rounds):
            for workers in (1, 2):
                first, last = due_timers(url, args.timers)
                wall = run_workers(url, workers, args.batch)
                fired, span = fired_span(url, first, last)
                if fired != args.timers:
                    raise SystemExit(f"{fired} of {args.timers} timers fired: something is wrong")
                rates[workers].append(fired / span)
                walls[workers].append(fired / wall)
    finally:
        drop_database(args.url, name)
    report(args, rates, walls)


def report(args: argparse.Namespace, rates: dict[int, list[float]], walls: dict[int, list[float]]) -> None:
    print(
        f"timers: {args.timers} due per round, {args.rounds} rounds per worker count, batch {args.batch}; "
        "PostgreSQL, each worker a separate process"
    )
    for workers in (1, 2):
        r, wall = rates[workers], statistics.median(walls[workers])
        print(
            f"{workers} worker{'s' if workers > 1 else ' '}: {statistics.median(r):6.0f} timers fired/s"
            f"  (rounds {min(r):.0f}-{max(r):.0f}; {wall:.0f}/s counting start-up)"
        )
    print(f"2 workers / 1 worker: {statistics.median(rates[2]) / statistics.median(rates[1]):.2f}")


if __name__ == "__main__":
    main()
