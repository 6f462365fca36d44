"""Acceptance 4: an evidence pack verifies offline by the README's own command and procedure; the same
pack edited anywhere fails, naming the event. Also the audit commands of the CLI around it."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from engine import evidence
from tests.engine.test_audit import tamper
from tests.engine.test_cli import kinerja  # noqa: F401 (fixture)
from tests.support import FIXTURES, GOOD_PROPOSAL, NIP_ANI, add_people, complete, deploy_files, start

ROOT = Path(__file__).resolve().parents[2]


def readme_command() -> str:
    """The one command the README's offline-verification section documents (PACK.json a placeholder)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("#### Verifying an evidence pack offline", 1)[1].split("\n### ", 1)[0]
    [block] = re.findall(r"```sh\n(.*?)```", section, re.S)
    [command] = [line for line in block.splitlines() if line.strip()]
    assert "PACK.json" in command
    return command


def verify_offline(pack: Path) -> subprocess.CompletedProcess[str]:
    args = [str(pack) if a == "PACK.json" else a for a in shlex.split(readme_command())]
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=60)


@pytest.fixture
def exported(engine, tmp_path):
    """A plan proposed by Ani, exported as a pack by the auditor."""
    deploy_files(engine, "two_lane_approval.bpmn")
    people = add_people(engine)
    [task] = start(engine, "rencana_kerja", {"nip": NIP_ANI, "nama": "Ani"}).open_tasks
    complete(engine, people["ani"], task.id, GOOD_PROPOSAL)
    with engine.transaction() as tx:
        found = evidence.pack(tx, people["dedi"], 1)
    pack = tmp_path / "pack-1.json"
    pack.write_text(json.dumps(found, indent=2, ensure_ascii=False), encoding="utf-8")
    return pack


def test_the_readme_procedure_verifies_an_exported_pack(exported):
    done = verify_offline(exported)
    assert done.returncode == 0, done.stdout + done.stderr
    pack = json.loads(exported.read_text())
    assert done.stdout.startswith(f"OK instance 1: {len(pack['events'])} events")
    assert pack["definition"]["sha256"] in done.stdout


def completed(pack):
    return next(e for e in pack["events"] if e["type"] == "task_completed")


EDITS = {
    "payload": (
        lambda p: completed(p).update(payload=completed(p)["payload"].replace("20 laporan", "99 laporan"))
    ),
    "actor": (lambda p: completed(p).update(actor="budi")),
    "time": (lambda p: p["events"][1].update(at=p["events"][1]["at"].replace(":00.", ":01."))),
    "removed": (lambda p: p["events"].pop(2)),
    "newest-cut": (lambda p: p["events"].pop()),
    "model": (
        lambda p: p["definition"]["files"][0].update(content=p["definition"]["files"][0]["content"] + " ")
    ),
}
EXPECTED = {
    "payload": "FAILED event 3: hash does not match",
    "actor": "FAILED event 3: hash does not match",
    "time": "FAILED event 2: hash does not match",
    "removed": "FAILED event 3: missing or out of order",
    "newest-cut": "FAILED head:",
    "model": "FAILED model file two_lane_approval.bpmn",
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edited_pack_fails_naming_what_changed(exported, edit):
    pack = json.loads(exported.read_text())
    EDITS[edit](pack)
    exported.write_text(json.dumps(pack, ensure_ascii=False))
    done = verify_offline(exported)
    assert done.returncode == 1
    assert done.stdout.splitlines()[0].startswith(EXPECTED[edit]), done.stdout


def test_audit_commands_export_checkpoint_log_and_refuse_the_auditor(kinerja, database_url, tmp_path):  # noqa: F811
    kinerja("db", "upgrade")
    kinerja("deploy", str(FIXTURES / "two_lane_approval.bpmn"))
    kinerja("users", "add", "dedi", "--role", "auditor")
    kinerja("start", "rencana_kerja", "--data", json.dumps({"nip": NIP_ANI, "nama": "Ani"}))
    pack = tmp_path / "pack.json"
    kinerja("audit", "pack", "1", "--user", "dedi", "-o", str(pack))
    assert verify_offline(pack).returncode == 0
    assert kinerja("audit", "checkpoint").stdout.startswith("checkpoint 1: 3 chains")
    log = json.loads(kinerja("audit", "log", "--json").stdout)
    assert [(e["actor"], e["action"], e["instance_id"]) for e in log] == [("dedi", "pack", 1)]
    refused = kinerja("start", "rencana_kerja", "--user", "dedi", ok=False)
    assert refused.returncode == 5 and "read-only" in refused.stderr
    tamper(
        database_url,
        "DELETE FROM audit_event WHERE chain = 'instance/1'",
        "DELETE FROM task_candidate",
        "DELETE FROM human_task",
        "DELETE FROM process_instance",
    )
    done = kinerja("audit", "verify", ok=False)
    assert done.returncode == 9
    assert "instance 1 at event 1: the chain is gone" in done.stderr
