"""Task completions over the HTTP API: PostgreSQL, gunicorn with 2 workers, 16 concurrent clients.

A scratch PostgreSQL database gets a small process of five sequential user tasks, each assigned to
the instance's own clerk, and ``--instances`` instances spread over 16 clerks (one per client). gunicorn
serves the app on loopback; each client thread holds one keep-alive connection and one clerk's token,
lists the clerk's tasks once, then for ``--seconds`` completes them (``POST /api/v1/tasks/<id>/complete``),
taking the instance's next task from each answer. Bounded: at most ``--seconds`` and at most the
tasks that exist (instances x 5). Then it checks, in the audit trail, that every completion the clients
saw succeed is there exactly once and that nothing else was completed.

    python bench/http_load.py [--url postgresql+psycopg://...] [--instances 2400] [--seconds 30]

Targets: at least 300 completions/s, p95 at most 50 ms, no errors. The URL defaults to
KINERJA_BENCH_DATABASE_URL, KINERJA_TEST_DATABASE_URL or the local server's postgres database.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import batch, deploy, tokens, users  # noqa: E402
from engine.bpmn.parser import ModelSource  # noqa: E402
from engine.runtime import Engine  # noqa: E402
from engine.store import Database, normalize_url  # noqa: E402

CLIENTS = 16
STEPS = 5
TARGET_RATE, TARGET_P95_MS = 300.0, 50.0
STATEMENTS = 8  # what a completion sends PostgreSQL: its 7 statements and the COMMIT


def model() -> bytes:
    """Five user tasks in a row, each the clerk's (by an assignee expression), each with a small form."""
    tasks, flows = [], []
    for n in range(1, STEPS + 1):
        tasks.append(
            f'<bpmn:userTask id="langkah_{n}" name="Langkah {n}" camunda:assignee="${{petugas}}">'
            "<bpmn:extensionElements><camunda:formData>"
            f'<camunda:formField id="catatan_{n}" label="Catatan" type="string">'
            '<camunda:validation><camunda:constraint name="maxlength" config="200"/></camunda:validation>'
            "</camunda:formField></camunda:formData></bpmn:extensionElements></bpmn:userTask>"
        )
    nodes = ["mulai", *(f"langkah_{n}" for n in range(1, STEPS + 1)), "selesai"]
    for i, (a, b) in enumerate(itertools.pairwise(nodes)):
        flows.append(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>')
    return (
        '<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">'
        '<bpmn:process id="bench_http" isExecutable="true"><bpmn:startEvent id="mulai"/>'
        + "".join(tasks)
        + '<bpmn:endEvent id="selesai"/>'
        + "".join(flows)
        + "</bpmn:process></bpmn:definitions>"
    ).encode()


def scratch_database(base: str) -> tuple[str, str]:
    base = normalize_url(base)
    name = f"kinerja_bench_http_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.rsplit("/", 1)[0] + f"/{name}", name


def drop_database(base: str, name: str) -> None:
    admin = create_engine(normalize_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def seed(url: str, instances: int) -> list[str]:
    """The process, 16 clerks with a token each, the instances spread over them; the tokens."""
    database = Database(url)
    database.upgrade()
    database.dispose()
    engine = Engine(url)
    clerks = [f"petugas-{n:02d}" for n in range(CLIENTS)]
    with engine.transaction() as tx:
        deploy.deploy(tx, [ModelSource("bench_http.bpmn", model())], users.SYSTEM)
        for clerk in clerks:
            users.add_user(tx, clerk, ["pegawai"])
        secrets = [tokens.issue(tx, clerk, name="bench").secret for clerk in clerks]
    for first in range(0, instances, 500):
        numbers = range(first, min(instances, first + 500))
        items = [({"petugas": clerks[n % CLIENTS]}, f"bench-{n}") for n in numbers]
        with engine.transaction() as tx:
            batch.start_many(tx, "bench_http", users.SYSTEM, {}, items)
    engine.close()
    return secrets


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    url: str, port: int, args: argparse.Namespace, app: str = "webapp:create_app()", **extra: str
) -> subprocess.Popen[bytes]:
    secret = "bench-" + uuid.uuid4().hex
    env = {**os.environ, "KINERJA_DATABASE_URL": url, "KINERJA_SECRET_KEY": secret, **extra}
    workers, threads, kind = args.workers, args.threads, args.worker_class
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--workers", str(workers),
        "--worker-class", kind,
        "--threads", str(threads),
        "--bind", f"127.0.0.1:{port}",
        "--log-level", "warning",
        "--pythonpath", str(ROOT / "bench"),
        app,
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not come up within 60 s")


@dataclass
class Client:
    """One keep-alive connection, one clerk's token, the clerk's open tasks."""

    port: int
    token: str
    todo: list[int] = field(default_factory=list)
    done: list[int] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        self.headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: object = None) -> tuple[int, dict]:
        payload = json.dumps(body) if body is not None else None
        self.connection.request(method, path, body=payload, headers=self.headers)
        response = self.connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")

    def list_tasks(self) -> None:
        page = 1
        while True:
            status, body = self.call("GET", f"/api/v1/tasks?scope=mine&page_size=200&page={page}")
            assert status == 200, body
            self.todo.extend(t["id"] for t in body["items"])
            if page >= body["pages"]:
                break
            page += 1
        self.todo.reverse()  # pop() takes the first

    def run(self, stop_at: float) -> None:
        while self.todo and time.monotonic() < stop_at:
            task_id = self.todo.pop()
            began = time.perf_counter()
            try:
                status, body = self.call("POST", f"/api/v1/tasks/{task_id}/complete", {"data": {}})
            except (OSError, http.client.HTTPException, ValueError) as exc:
                self.errors.append(f"task {task_id}: {type(exc).__name__}: {exc}")
                self.connection.close()
                continue
            self.latencies.append(time.perf_counter() - began)
            if status != 200:
                self.errors.append(f"task {task_id}: {status} {body}")
                continue
            self.done.append(task_id)
            self.todo.extend(t["id"] for t in body["open_tasks"])


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time the processes have used so far (Linux /proc; 0 for those gone)."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def server_pids(server: subprocess.Popen[bytes], url: str) -> dict[str, list[int]]:
    """The gunicorn workers, and the PostgreSQL backends serving the scratch database."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    db = create_engine(url)
    with db.connect() as conn:
        others = text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        backends = conn.execute(others).scalars().all()
    db.dispose()
    return {"gunicorn": [int(p) for p in children], "postgres": [int(p) for p in backends]}


def check_history(url: str, done: list[int]) -> tuple[int, int, int]:
    """(completions missing from the history, completions recorded more than once, unexpected ones)."""
    db = create_engine(url)
    with db.connect() as conn:
        rows = conn.execute(text("SELECT payload FROM audit_event WHERE type = 'task_completed'")).all()
    db.dispose()
    recorded = Counter(json.loads(r[0])["task_id"] for r in rows)
    expected = Counter(done)
    missing = sum(1 for t in expected if recorded[t] == 0)
    twice = sum(1 for t, n in recorded.items() if n > 1) + sum(1 for t, n in expected.items() if n > 1)
    unexpected = sum(1 for t in recorded if t not in expected)
    return missing, twice, unexpected


@dataclass
class Run:
    """What one sitting of clients against one server did."""

    clients: list[Client]
    elapsed: float
    cpu: dict[str, float]  # seconds of CPU by part
    load_before: float

    @property
    def count(self) -> int:
        return sum(len(c.done) for c in self.clients)

    def latencies_ms(self) -> list[float]:
        return sorted(x * 1000 for c in self.clients for x in c.latencies)

    def summary(self) -> str:
        latencies = self.latencies_ms()
        p50 = statistics.median(latencies) if latencies else float("nan")
        p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan")
        return f"{self.count / self.elapsed:.0f}/s, p50 {p50:.1f} ms, p95 {p95:.1f} ms"

    def cpu_line(self) -> str:
        per = {name: seconds * 1000 / max(self.count, 1) for name, seconds in self.cpu.items()}
        ceiling = (os.cpu_count() or 1) * 1000 / max(sum(per.values()), 1e-9)
        return (
            ", ".join(f"{name} {ms:.2f} ms" for name, ms in per.items())
            + f"; all {os.cpu_count()} cores to this alone: at most {ceiling:.0f}/s"
        )


def drive(server: subprocess.Popen[bytes], url: str, clients: list[Client], seconds: float) -> Run:
    """Run the clients against the server for ``seconds``, measuring the CPU each part spends."""
    load_before = os.getloadavg()[0]
    pids = server_pids(server, url)
    cpu_before = {name: cpu_seconds(found) for name, found in pids.items()}
    cpu_before["clients"] = time.process_time()
    stop_at = time.monotonic() + seconds
    threads = [threading.Thread(target=c.run, args=(stop_at,)) for c in clients]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    pids = server_pids(server, url)  # backends opened during the run count too (from their start)
    cpu = {name: cpu_seconds(found) - cpu_before.get(name, 0.0) for name, found in pids.items()}
    cpu["clients"] = time.process_time() - cpu_before["clients"]
    return Run(clients, elapsed, cpu, load_before)


def floor(url: str, args: argparse.Namespace, statements: int) -> Run:
    """The same gunicorn and clients against bench/floor_app.py: answering without completing."""
    db = create_engine(url)
    with db.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS floor_event (task_id bigint, n int, payload text)"))
    db.dispose()
    dsn = normalize_url(url).replace("postgresql+psycopg://", "postgresql://")
    extra = {"KINERJA_FLOOR_STATEMENTS": str(statements), "KINERJA_FLOOR_DSN": dsn}
    port = free_port()
    server = start_server(url, port, args, "floor_app:app", **extra)
    try:
        clients = [Client(port, "floor") for _ in range(CLIENTS)]
        for n, client in enumerate(clients):
            client.todo.append(n * 10_000_000)  # each answer names the next task: an endless supply
        return drive(server, url, clients, args.floor_seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = os.environ.get("KINERJA_BENCH_DATABASE_URL") or os.environ.get("KINERJA_TEST_DATABASE_URL")
    parser.add_argument("--url", default=default or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--instances", type=int, default=2400)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="gunicorn gthread threads per worker")
    parser.add_argument("--worker-class", default="gthread", help="gthread keeps connections alive")
    parser.add_argument("--floor-seconds", type=float, default=10.0, help="each floor run; 0 for none")
    parser.add_argument(
        "--floor-statements", type=int, default=STATEMENTS, help="statements of the floor with a database"
    )
    args = parser.parse_args()

    url, name = scratch_database(args.url)
    server = None
    try:
        began = time.monotonic()
        secrets = seed(url, args.instances)
        print(f"seeded {args.instances} instances ({args.instances * STEPS} tasks) for {CLIENTS} clerks "
              f"in {time.monotonic() - began:.1f} s")  # fmt: skip
        floors = []
        if args.floor_seconds > 0:
            floors = [(n, floor(url, args, n)) for n in (0, args.floor_statements)]
        port = free_port()
        server = start_server(url, port, args)
        clients = [Client(port, secret) for secret in secrets]
        for client in clients:
            client.list_tasks()
        run = drive(server, url, clients, args.seconds)
        report(url, run, args, floors)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        drop_database(args.url, name)


def report(url: str, run: Run, args: argparse.Namespace, floors: list[tuple[int, Run]]) -> None:
    done = [t for c in run.clients for t in c.done]
    latencies = run.latencies_ms()
    errors = [e for c in run.clients for e in c.errors]
    rate = len(done) / run.elapsed
    p50 = statistics.median(latencies) if latencies else float("nan")
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan")
    missing, twice, unexpected = check_history(url, done)
    server = f"{args.workers} workers x {args.threads} threads ({args.worker_class})"
    print(f"gunicorn: {server}; {CLIENTS} clients; "
          f"load average {run.load_before:.1f} before the run, {os.getloadavg()[0]:.1f} after")  # fmt: skip
    for statements, other in floors:
        what = f"Flask + {statements} INSERTs and a COMMIT" if statements else "Flask answering, no database"
        print(f"floor, {what} (bench/floor_app.py): {other.summary()}")
        print(f"  CPU per request: {other.cpu_line()}")
    print(f"completions: {len(done)} in {run.elapsed:.1f} s = {rate:.0f}/s")
    print(f"latency of a completion: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    print(f"errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    if done:
        print(f"CPU per completion: {run.cpu_line()}")
    for statements, other in floors:
        if other.count:
            ratio = rate / (other.count / other.elapsed)
            print(f"completions / floor with {statements} statements: {ratio:.2f}")
    print(f"history: {missing} completions missing, {twice} recorded twice, {unexpected} not by the clients")
    ok = rate >= TARGET_RATE and p95 <= TARGET_P95_MS and not errors and missing == twice == unexpected == 0
    targets = f">= {TARGET_RATE:.0f}/s, p95 <= {TARGET_P95_MS:.0f} ms, no errors, each completion once"
    print(f"verdict: {'PASS' if ok else 'FAIL'} (targets: {targets})")


if __name__ == "__main__":
    main()
