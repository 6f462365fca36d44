"""Engine throughput: raw SpiffWorkflow against Kinerja's completion through the store, in one run.

Prints three figures and two ratios:
  1. raw SpiffWorkflow: load state JSON, complete a task, run the engine, dump state JSON (in memory);
  2. Kinerja: the same completions through ``instances.complete`` on SQLite, one commit each
     (permission check, validation, inbox index, audit events, state saved);
  3. the per-completion cost with 50,000 finished instances in the database against an empty one.
Targets: (2)/(1) >= 0.5; (3) within 1.2x.

    python bench/engine_throughput.py [--instances 400] [--filler 50000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import create_engine, insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import deploy, instances, users  # noqa: E402
from engine.bpmn.parser import ModelSource  # noqa: E402
from engine.runtime import Engine  # noqa: E402
from engine.store.records import (  # noqa: E402
    AuditEventRecord,
    HumanTaskRecord,
    ProcessInstanceRecord,
)

FIXTURE = ROOT / "tests" / "fixtures" / "two_lane_approval.bpmn"
PROPOSAL = {"target": "20 laporan pelayanan", "jumlah": 20, "jenis": "UTAMA", "tanggal_mulai": "2027-01-04"}
DECISION = {"disetujui": True, "catatan": "sesuai"}


def raw_spiff(n: int) -> float:
    """Completions per second with SpiffWorkflow alone, state-only JSON round trip per completion."""
    parser = CamundaParser()
    parser.add_bpmn_str(FIXTURE.read_bytes().replace(b"${disetujui}", b"disetujui"), filename=FIXTURE.name)
    spec, subs = parser.get_spec("rencana_kerja"), parser.get_subprocess_specs("rencana_kerja")
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG))

    def dump(wf: BpmnWorkflow) -> str:
        document = serializer.to_dict(wf)
        document.pop("spec")
        document.pop("subprocess_specs")
        document[serializer.VERSION_KEY] = serializer.VERSION
        return json.dumps(document)

    def load(state: str) -> BpmnWorkflow:
        document = json.loads(state)
        document.pop(serializer.VERSION_KEY)
        document["spec"], document["subprocess_specs"] = spec, subs
        return serializer.from_dict(document)

    states = []
    for _ in range(n):
        wf = BpmnWorkflow(spec, subs)
        wf.do_engine_steps()
        states.append(dump(wf))
    began = time.perf_counter()
    completions = 0
    for data in (PROPOSAL, DECISION):
        for i, state in enumerate(states):
            wf = load(state)
            task = wf.get_next_task(state=TaskState.READY, manual=True)
            task.set_data(**data)
            task.run()
            wf.do_engine_steps()
            states[i] = dump(wf)
            completions += 1
    return completions / (time.perf_counter() - began)


def setup_engine(url: str) -> tuple[Engine, users.Actor, users.Actor]:
    engine = Engine(url)
    engine.database.upgrade()
    with engine.transaction() as tx:
        deploy.deploy(tx, [ModelSource(FIXTURE.name, FIXTURE.read_bytes())], users.SYSTEM)
        ani = users.add_user(tx, "ani", ["pegawai"])
        budi = users.add_user(tx, "budi", ["penilai"])
    return engine, ani, budi


def kinerja_completions(engine: Engine, ani: users.Actor, budi: users.Actor, n: int) -> list[float]:
    """Seconds per completion, each one transaction with its own commit."""
    first_tasks = []
    for _ in range(n):
        with engine.transaction() as tx:
            first_tasks.append(instances.start(tx, "rencana_kerja", users.SYSTEM, {}).open_tasks[0].id)
    timings = []
    second_tasks = []
    for task_id in first_tasks:
        began = time.perf_counter()
        with engine.transaction() as tx:
            outcome = instances.complete(tx, task_id, PROPOSAL, ani)
        timings.append(time.perf_counter() - began)
        second_tasks.append(outcome.open_tasks[0].id)
    for task_id in second_tasks:
        began = time.perf_counter()
        with engine.transaction() as tx:
            instances.complete(tx, task_id, DECISION, budi)
        timings.append(time.perf_counter() - began)
    return timings


def fill(url: str, count: int) -> None:
    """Copy one finished instance (row, tasks, audit events) ``count`` times, in bulk."""
    db = create_engine(url)
    with db.begin() as conn:
        instance = conn.execute(select(ProcessInstanceRecord.__table__)).mappings().first()
        tasks = (
            conn.execute(
                select(HumanTaskRecord.__table__).where(HumanTaskRecord.instance_id == instance["id"])
            )
            .mappings()
            .all()
        )
        events = (
            conn.execute(
                select(AuditEventRecord.__table__).where(AuditEventRecord.instance_id == instance["id"])
            )
            .mappings()
            .all()
        )
        base = 1_000_000
        for start in range(0, count, 5000):
            ids = range(base + start, base + min(start + 5000, count))
            conn.execute(
                insert(ProcessInstanceRecord.__table__),
                [{**instance, "id": i, "business_key": f"filler/{i}"} for i in ids],
            )
            conn.execute(
                insert(HumanTaskRecord.__table__),
                [
                    {**t, "id": None, "instance_id": i, "spiff_task_id": f"{i:012d}-{t['id']:08d}"[:36]}
                    for i in ids
                    for t in tasks
                ],
            )
            conn.execute(
                insert(AuditEventRecord.__table__),
                [{**e, "id": None, "instance_id": i, "chain": f"instance/{i}"} for i in ids for e in events],
            )
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=40, help="instances per round (2 completions each)")
    parser.add_argument(
        "--rounds", type=int, default=15, help="rounds; each measures both sides back to back"
    )
    parser.add_argument("--filler", type=int, default=50_000, help="finished instances for the scale test")
    args = parser.parse_args()
    n, rounds = args.instances, args.rounds

    # This machine's speed drifts by 2x from minute to minute, so every figure is measured in rounds
    # that alternate the two sides being compared, and the medians are compared.
    with tempfile.TemporaryDirectory() as tmp:
        engine, ani, budi = setup_engine(f"sqlite:///{tmp}/throughput.db")
        kinerja_completions(engine, ani, budi, 20)  # warm up: spec cache, statement cache
        raw_rates, our_rates = [], []
        for _ in range(rounds):
            raw_rates.append(raw_spiff(n))
            timings = kinerja_completions(engine, ani, budi, n)
            our_rates.append(len(timings) / sum(timings))
        engine.close()

        empty_engine, ani_e, budi_e = setup_engine(f"sqlite:///{tmp}/empty.db")
        full_url = f"sqlite:///{tmp}/full.db"
        full_engine, ani_f, budi_f = setup_engine(full_url)
        kinerja_completions(full_engine, ani_f, budi_f, 1)
        began = time.perf_counter()
        fill(full_url, args.filler)
        filled_in = time.perf_counter() - began
        kinerja_completions(empty_engine, ani_e, budi_e, 20)
        kinerja_completions(full_engine, ani_f, budi_f, 20)
        empty: list[float] = []
        full: list[float] = []
        for _ in range(rounds):
            empty += kinerja_completions(empty_engine, ani_e, budi_e, n)
            full += kinerja_completions(full_engine, ani_f, budi_f, n)
        empty_engine.close()
        full_engine.close()

    raw, ours = statistics.median(raw_rates), statistics.median(our_rates)
    ratios = sorted(o / r for o, r in zip(our_rates, raw_rates, strict=True))
    print(
        f"process: {FIXTURE.name} (2 user tasks, 1 gateway); {rounds} rounds of {n} instances, "
        "2 completions each"
    )
    print(
        f"raw SpiffWorkflow (load JSON, complete, engine steps, dump JSON): {raw:7.0f} completions/s"
        f"  (rounds {min(raw_rates):.0f}-{max(raw_rates):.0f})"
    )
    print(
        f"Kinerja through the store, SQLite, one commit per completion:    {ours:7.0f} completions/s"
        f"  (rounds {min(our_rates):.0f}-{max(our_rates):.0f})"
    )
    print(
        f"ratio Kinerja / raw, median of the rounds: {statistics.median(ratios):.2f}  (target >= 0.5; "
        f"rounds {ratios[0]:.2f}-{ratios[-1]:.2f})"
    )
    median_empty = statistics.median(empty) * 1000
    median_full = statistics.median(full) * 1000
    print(
        f"per completion, empty database:             median {median_empty:.3f} ms, "
        f"p95 {statistics.quantiles(empty, n=20)[18] * 1000:.3f} ms"
    )
    print(
        f"per completion, {args.filler:,} finished instances: median {median_full:.3f} ms, "
        f"p95 {statistics.quantiles(full, n=20)[18] * 1000:.3f} ms  (filled in {filled_in:.1f} s)"
    )
    print(f"ratio full / empty: {median_full / median_empty:.2f}  (target <= 1.2)")


if __name__ == "__main__":
    main()
