"""Plain functions the tests share: deploying fixtures, adding people, acting as them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine import deploy, instances, tasks, users
from engine.bpmn.parser import ModelSource
from engine.runtime import Engine
from engine.tasks import TaskSummary
from engine.users import Actor

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NIP_ANI = "199001012020012001"
NIP_BUDI = "198505052010011002"


def source(name: str, content: bytes | None = None) -> ModelSource:
    return ModelSource(name, content if content is not None else (FIXTURES / name).read_bytes())


def deploy_files(engine: Engine, *names: str, note: str | None = None) -> list[deploy.DeployedDefinition]:
    with engine.transaction() as tx:
        return deploy.deploy(tx, [source(n) for n in names], users.SYSTEM, note)


def add_people(engine: Engine) -> dict[str, Actor]:
    """Ani (pegawai), Budi (penilai), Citra (penilai too), Dedi (auditor)."""
    with engine.transaction() as tx:
        return {
            "ani": users.add_user(tx, "ani", ["pegawai"], display_name="Ani", nip=NIP_ANI),
            "budi": users.add_user(tx, "budi", ["penilai"], display_name="Budi", nip=NIP_BUDI),
            "citra": users.add_user(tx, "citra", ["penilai"], display_name="Citra"),
            "dedi": users.add_user(tx, "dedi", ["auditor"], display_name="Dedi"),
        }


def start(engine: Engine, key: str, data: dict[str, Any] | None = None, **kw: Any) -> instances.Outcome:
    with engine.transaction() as tx:
        return instances.start(tx, key, users.SYSTEM, data or {}, **kw)


def inbox(engine: Engine, actor: Actor, scope: str = "mine") -> list[TaskSummary]:
    with engine.transaction(write=False) as tx:
        return tasks.inbox(tx, actor, scope).items


def titles(items: list[TaskSummary]) -> list[str]:
    return [t.title for t in items]


def complete(engine: Engine, actor: Actor, task_id: int, data: dict[str, Any]) -> instances.Outcome:
    with engine.transaction() as tx:
        return instances.complete(tx, task_id, data, actor)


def claim(engine: Engine, actor: Actor, task_id: int) -> TaskSummary:
    with engine.transaction() as tx:
        return instances.claim(tx, task_id, actor)


GOOD_PROPOSAL = {
    "target": "20 laporan pelayanan",
    "jumlah": 20,
    "jenis": "UTAMA",
    "tanggal_mulai": "2027-01-04",
}
