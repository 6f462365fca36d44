"""The whole two-lane approval through the ``kinerja`` command alone, each step a separate process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import FIXTURES, GOOD_PROPOSAL, NIP_ANI

KINERJA = [sys.executable, "-m", "engine.cli"]


@pytest.fixture
def kinerja(database_url):
    env = {**os.environ, "KINERJA_DATABASE_URL": database_url}

    def run(*args: str, ok: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [*KINERJA, *args], env=env, capture_output=True, text=True, input=stdin, timeout=120
        )
        if ok:
            assert done.returncode == 0, done.stderr
        return done

    return run


def test_two_lane_approval_through_the_cli(kinerja):
    kinerja("db", "upgrade")
    kinerja(
        "users",
        "add",
        "ani",
        "--role",
        "pegawai",
        "--nip",
        NIP_ANI,
        "--name",
        "Ani",
        "--password-stdin",
        stdin="rahasia-ani\n",
    )
    kinerja("users", "add", "budi", "--role", "penilai")
    out = kinerja("deploy", str(FIXTURES / "two_lane_approval.bpmn"), "--note", "versi pertama").stdout
    assert "rencana_kerja: deployed as version 1" in out
    assert "unchanged (version 1)" in kinerja("deploy", str(FIXTURES / "two_lane_approval.bpmn")).stdout
    assert "rencana_kerja" in kinerja("definitions").stdout

    started = json.loads(
        kinerja(
            "start",
            "rencana_kerja",
            "--business-key",
            f"{NIP_ANI}/2027",
            "--data",
            json.dumps({"nip": NIP_ANI, "nama": "Ani"}),
            "--json",
        ).stdout
    )
    instance_id = started["instance_id"]
    # the task waits in the pegawai queue, not in the penilai's
    queue = json.loads(kinerja("tasks", "--user", "ani", "--scope", "queue", "--json").stdout)
    [task] = queue["items"]
    assert task["title"] == "Usulkan rencana kerja" and task["candidate_roles"] == ["pegawai"]
    assert json.loads(kinerja("tasks", "--user", "budi", "--scope", "queue", "--json").stdout)["total"] == 0

    claimed = json.loads(kinerja("claim", str(task["id"]), "--user", "ani", "--json").stdout)
    assert claimed["status"] == "claimed" and claimed["assignee"] == "ani"
    assert "Usulkan rencana kerja" in kinerja("tasks", "--user", "ani").stdout

    done = json.loads(
        kinerja(
            "complete", str(task["id"]), "--user", "ani", "--data", json.dumps(GOOD_PROPOSAL), "--json"
        ).stdout
    )
    [review] = done["open_tasks"]
    assert review["title"] == "Setujui rencana kerja" and review["lane"] == "penilai"

    kinerja("claim", str(review["id"]), "--user", "budi")
    final = json.loads(
        kinerja(
            "complete", str(review["id"]), "--user", "budi", "--data", '{"disetujui": true}', "--json"
        ).stdout
    )
    assert final["status"] == "completed" and final["open_tasks"] == []

    events = json.loads(kinerja("history", str(instance_id), "--json").stdout)
    assert [e["type"] for e in events] == [
        "instance_started",
        "task_created",
        "task_claimed",
        "task_completed",
        "task_created",
        "task_claimed",
        "task_completed",
        "instance_completed",
    ]
    assert events[3]["actor"] == "ani" and events[3]["data"]["data"] == GOOD_PROPOSAL
    assert all(len(e["hash"]) == 64 for e in events)
    assert kinerja("audit", "verify").stdout.startswith("ok:")
    assert "Usulkan rencana kerja" in kinerja("tasks", "--user", "ani", "--scope", "archive").stdout


def test_refusals_exit_non_zero_with_one_line(kinerja):
    kinerja("db", "upgrade")
    kinerja("users", "add", "ani", "--role", "pegawai")
    kinerja("deploy", str(FIXTURES / "two_lane_approval.bpmn"))
    kinerja("start", "rencana_kerja")

    cases = [
        (
            ["complete", "1", "--user", "ani", "--data", '{"jumlah": 0}'],
            3,
            "invalid data: jumlah: must be at least 1",
        ),
        (["complete", "1", "--user", "ani", "--data", "{bad json"], 3, "--data is not valid JSON"),
        (["claim", "99", "--user", "ani"], 6, "no task 99"),
        (["start", "tidak_ada"], 6, "no process 'tidak_ada'"),
        (["tasks", "--user", "nobody"], 6, "no active user nobody"),
        (["users", "add", "xena", "--role", "raja"], 3, "unknown role(s) raja"),
        (["deploy", str(Path(__file__))], 7, "not well-formed XML"),
    ]
    for args, code, message in cases:
        done = kinerja(*args, ok=False)
        assert done.returncode == code, (args, done.stderr)
        assert done.stderr.startswith("error: ") and message in done.stderr.splitlines()[0], done.stderr
    kinerja("complete", "1", "--user", "ani", "--data", json.dumps(GOOD_PROPOSAL))
    again = kinerja("complete", "1", "--user", "ani", "--data", json.dumps(GOOD_PROPOSAL), ok=False)
    assert again.returncode == 4 and "already completed" in again.stderr


def test_audit_verify_names_the_broken_instance(kinerja, database_url):
    from tests.engine.test_audit import tamper

    kinerja("db", "upgrade")
    kinerja("deploy", str(FIXTURES / "two_lane_approval.bpmn"))
    kinerja("start", "rencana_kerja")
    kinerja("start", "rencana_kerja")
    tamper(database_url, "UPDATE audit_event SET actor = 'mallory' WHERE chain = 'instance/2' AND seq = 1")
    done = kinerja("audit", "verify", ok=False)
    assert done.returncode == 9
    assert "instance 2 at event 1" in done.stderr
    report = json.loads(kinerja("audit", "verify", "--json", ok=False).stdout)
    assert report["ok"] is False and report["first_broken"]["instance_id"] == 2
