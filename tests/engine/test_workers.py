"""Workers are separate processes: any number of them fire each due timer exactly once, and one killed
with SIGKILL in the middle of a batch leaves nothing half done. Real ``kinerja worker`` processes
against PostgreSQL (``FOR UPDATE SKIP LOCKED``); the single worker and the message commands on both."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from engine import audit, deploy, instances, users
from engine.clock import ManualClock
from engine.runtime import Engine
from tests.conftest import ROOT, _truncate
from tests.support import source

WAIT_AN_HOUR = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="t">
  <bpmn:message id="m" name="Lanjutkan"/>
  <bpmn:process id="tunggu_sejam" isExecutable="true">
    <bpmn:startEvent id="mulai"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="sejam"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:scriptTask id="hitung"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>ronde = ronde + 1</bpmn:script></bpmn:scriptTask>
    <bpmn:intermediateCatchEvent id="pesan"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:messageEventDefinition messageRef="m"/></bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="selesai"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="mulai" targetRef="sejam"/>
    <bpmn:sequenceFlow id="f2" sourceRef="sejam" targetRef="hitung"/>
    <bpmn:sequenceFlow id="f3" sourceRef="hitung" targetRef="pesan"/>
    <bpmn:sequenceFlow id="f4" sourceRef="pesan" targetRef="selesai"/>
  </bpmn:process>
</bpmn:definitions>"""


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue("postgres_url")
    _truncate(url)
    return url


def due_instances(url: str, count: int) -> list[int]:
    """``count`` instances whose one-hour timer came due an hour ago (by the real clock the workers use)."""
    engine = Engine(url, clock=ManualClock(datetime.now(UTC) - timedelta(hours=2)))
    try:
        with engine.transaction() as tx:
            deploy.deploy(tx, [source("sejam.bpmn", WAIT_AN_HOUR.encode())], users.SYSTEM)
        ids: list[int] = []
        while len(ids) < count:
            with engine.transaction() as tx:
                for n in range(len(ids), min(count, len(ids) + 250)):
                    ids.append(
                        instances.start(
                            tx, "tunggu_sejam", users.SYSTEM, {"ronde": 0, "nomor": n}
                        ).instance_id
                    )
        return ids
    finally:
        engine.close()


def worker(url: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "engine.cli", "worker", "--no-mail", *args],
        env={**os.environ, "KINERJA_DATABASE_URL": url},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def fired_per_instance(url: str) -> dict[int, int]:
    db = create_engine(url)
    with db.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT i.id, COUNT(e.id) FROM process_instance i LEFT JOIN audit_event e "
                "ON e.instance_id = i.id AND e.type = 'timer_fired' GROUP BY i.id"
            )
        ).all()
    db.dispose()
    return {int(i): int(n) for i, n in rows}


def scalar(url: str, sql: str, **params: object) -> object:
    db = create_engine(url)
    with db.connect() as conn:
        value = conn.execute(text(sql), params).scalar()
    db.dispose()
    return value


def chains_intact(url: str) -> bool:
    engine = Engine(url)
    try:
        with engine.transaction(write=False) as tx:
            return audit.verify(tx).ok
    finally:
        engine.close()


@pytest.mark.postgres
@pytest.mark.slow
def test_four_workers_fire_two_thousand_timers_each_exactly_once(pg_url):
    ids = due_instances(pg_url, 2000)
    workers = [worker(pg_url, "--until-idle", "--batch", "25") for _ in range(4)]
    outputs = [w.communicate(timeout=600) for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0, 0], [err for _, err in outputs]
    fired_by = [int(re.search(r"fired (\d+) instance", out).group(1)) for out, _ in outputs]
    assert sum(fired_by) == 2000
    assert sum(1 for n in fired_by if n > 0) >= 2  # they really shared the work
    per_instance = fired_per_instance(pg_url)
    assert sorted(per_instance) == sorted(ids)
    assert set(per_instance.values()) == {1}  # one audit event each: none twice, none never
    assert (
        scalar(pg_url, "SELECT COUNT(*) FROM message_subscription WHERE message_name = 'Lanjutkan'") == 2000
    )
    assert scalar(pg_url, "SELECT COUNT(*) FROM process_instance WHERE next_due_at IS NOT NULL") == 0
    assert chains_intact(pg_url)


def open_transaction_of(url: str, pid: int) -> bool:
    """Whether the worker's database session is inside a transaction right now."""
    return bool(
        scalar(
            url,
            "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = :name "
            "AND xact_start IS NOT NULL AND state <> 'idle'",
            name=f"kinerja-worker-{pid}",
        )
    )


@pytest.mark.postgres
@pytest.mark.slow
def test_a_worker_killed_mid_batch_leaves_nothing_half_done_and_nothing_is_lost(pg_url):
    batch = 40
    ids = due_instances(pg_url, 400)
    victim = worker(pg_url, "--batch", str(batch), "--interval", "0.1")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        done = sum(fired_per_instance(pg_url).values())
        if done >= batch and open_transaction_of(pg_url, victim.pid):
            break
        time.sleep(0.01)
    else:
        victim.kill()
        pytest.fail("the worker never got going")
    os.kill(victim.pid, signal.SIGKILL)
    victim.communicate(timeout=30)
    while scalar(
        pg_url,
        "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = :n",
        n=f"kinerja-worker-{victim.pid}",
    ):
        time.sleep(0.05)  # PostgreSQL notices the dead connection and rolls its transaction back

    per_instance = fired_per_instance(pg_url)
    fired = sum(per_instance.values())
    assert fired < len(ids) and fired % batch == 0  # whole batches only: the one in flight left no trace
    assert set(per_instance.values()) <= {0, 1}
    waiting = scalar(pg_url, "SELECT COUNT(*) FROM process_instance WHERE next_due_at IS NOT NULL")
    assert waiting == len(ids) - fired  # every instance either fired (and moved on) or still due
    assert chains_intact(pg_url)

    rescuer = worker(pg_url, "--until-idle", "--batch", str(batch))
    out, err = rescuer.communicate(timeout=300)
    assert rescuer.returncode == 0, err
    assert f"fired {len(ids) - fired} instance" in out
    assert set(fired_per_instance(pg_url).values()) == {1}
    assert chains_intact(pg_url)


@pytest.fixture
def kinerja(database_url) -> Iterator:
    env = {**os.environ, "KINERJA_DATABASE_URL": database_url}

    def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "engine.cli", *args], env=env, cwd=ROOT, capture_output=True, text=True
        )
        assert (done.returncode == 0) == ok, done.stderr
        return done

    yield run


def test_a_worker_and_messages_from_the_command_line(kinerja, database_url):
    ids = due_instances(database_url, 3)
    assert "fired 3 instance(s)" in kinerja("worker", "--until-idle", "--no-mail").stdout
    sent = kinerja(
        "message", "send", "Lanjutkan", "--correlation", '{"nomor": 1}', "--payload", '{"oleh": "bkpsdm"}'
    )
    assert sent.stdout.strip() == f"message 1 (Lanjutkan) delivered to instance(s) {ids[1]}"
    again = kinerja("message", "send", "Lanjutkan", "--correlation", '{"nomor": 1}', "--key", "k1", "--json")
    assert json.loads(again.stdout)["status"] == "pending"  # instance 1 waits no more: kept
    twice = kinerja("message", "send", "Lanjutkan", "--correlation", '{"nomor": 1}', "--key", "k1")
    assert "not delivered again" in twice.stdout
    kept = json.loads(kinerja("message", "list", "--pending", "--json").stdout)
    assert [(m["name"], m["correlation"], m["idempotency_key"]) for m in kept] == [
        ("Lanjutkan", {"nomor": 1}, "k1")
    ]
    bad = kinerja("message", "send", "Lanjutkan", "--payload", "{oops", ok=False)
    assert bad.returncode == 3 and "--payload is not valid JSON" in bad.stderr
    assert (
        scalar(database_url, "SELECT status FROM process_instance WHERE id = :id", id=ids[1]) == "completed"
    )


def test_sigterm_lets_a_worker_finish_its_round_and_exit(database_url):
    running = worker(database_url, "--interval", "0.2")
    assert "firing what is due" in running.stderr.readline()  # it is ready for signals now
    running.send_signal(signal.SIGTERM)
    out, err = running.communicate(timeout=60)
    assert running.returncode == 0, err
    assert "SIGTERM, finishing the round" in err
    assert re.search(r"fired 0 instance\(s\), sent 0 email\(s\), 0 failure\(s\)", out)
