"""Acting in the demo regency: people by their post, inboxes, completing tasks, reading instance data."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine import demo, deploy, history, instances, tasks, users
from engine.bpmn.parser import ModelSource
from engine.clock import ManualClock
from engine.runtime import Engine
from engine.tasks import TaskSummary
from engine.users import Actor

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
PEOPLE = {p.key: p for p in demo.people()}


def library() -> list[ModelSource]:
    """Every model file of processes/, as one bundle."""
    return [
        ModelSource(p.name, p.read_bytes())
        for p in sorted(PROCESSES.iterdir())
        if p.suffix in (".bpmn", ".dmn")
    ]


def seed_regency(engine: Engine) -> None:
    with engine.transaction() as tx:
        demo.seed(tx, password=None)


def deploy_library(engine: Engine) -> None:
    with engine.transaction() as tx:
        deploy.deploy(tx, library(), users.SYSTEM, "tests")


@dataclass
class Regency:
    """The demo regency on a test database, driven by post keys ("kapus", "perawat-1")."""

    engine: Engine
    clock: ManualClock
    _actors: dict[str, Actor] = field(default_factory=dict)

    def nip(self, key: str) -> str:
        return PEOPLE[key].nip

    def actor(self, key: str) -> Actor:
        if key not in self._actors:
            username = "admin" if key == "admin" else PEOPLE[key].username
            with self.engine.transaction(write=False) as tx:
                self._actors[key] = users.actor(tx, username)
        return self._actors[key]

    def subject(self, key: str) -> dict[str, Any]:
        """The start data that names an employee: nip, nama, unit, jabatan."""
        person = PEOPLE[key]
        return {"nip": person.nip, "nama": person.name, "unit": person.unit_id, "jabatan": person.jabatan}

    def start(self, process: str, data: dict[str, Any], business_key: str | None = None) -> instances.Outcome:
        with self.engine.transaction() as tx:
            return instances.start(tx, process, users.SYSTEM, data, business_key)

    def inbox(self, key: str, scope: str = "mine") -> list[TaskSummary]:
        with self.engine.transaction(write=False) as tx:
            return tasks.inbox(tx, self.actor(key), scope).items

    def titles(self, key: str, scope: str = "mine") -> list[str]:
        return [t.title for t in self.inbox(key, scope)]

    def task(self, key: str, bpmn_id: str, scope: str = "mine") -> TaskSummary:
        """The one open task with this BPMN id in the person's inbox (or queue)."""
        found = [t for t in self.inbox(key, scope) if t.bpmn_id == bpmn_id]
        assert len(found) == 1, f"{key} has {[t.bpmn_id for t in self.inbox(key, scope)]} in {scope}"
        return found[0]

    def claim(self, key: str, bpmn_id: str) -> TaskSummary:
        """Take the one open task with this BPMN id from the person's queue, as the claim button does."""
        task = self.task(key, bpmn_id, "queue")
        with self.engine.transaction() as tx:
            instances.claim(tx, task.id, self.actor(key))
        return self.task(key, bpmn_id)

    def complete(
        self, key: str, bpmn_id: str, data: dict[str, Any], scope: str = "mine"
    ) -> instances.Outcome:
        """Complete the task; one offered in the person's queue (e.g. the SKP review) is claimed first."""
        offered = scope == "mine" and not any(t.bpmn_id == bpmn_id for t in self.inbox(key))
        task = self.claim(key, bpmn_id) if offered else self.task(key, bpmn_id, scope)
        with self.engine.transaction() as tx:
            outcome = instances.complete(tx, task.id, data, self.actor(key))
        assert outcome.error is None, outcome.error
        return outcome

    def detail(self, task_id: int, key: str) -> dict[str, Any]:
        with self.engine.transaction(write=False) as tx:
            return tasks.show(tx, task_id, self.actor(key)).to_dict()

    def final_data(self, instance_id: int) -> dict[str, Any]:
        """The data an instance finished with (its completion audit event)."""
        with self.engine.transaction(write=False) as tx:
            events = tx.store.instance_events(instance_id)
        last = json.loads(events[-1].payload)
        assert events[-1].type == "instance_completed", events[-1].type
        return dict(last["data"])

    def instance_data(self, instance_id: int) -> dict[str, Any]:
        """The data of a running instance, as it stands now."""
        with self.engine.transaction(write=False) as tx:
            return history.current_data(tx, instance_id)

    def created_events(self, instance_id: int) -> list[dict[str, Any]]:
        with self.engine.transaction(write=False) as tx:
            events = tx.store.instance_events(instance_id)
        return [json.loads(e.payload) for e in events if e.type == "task_created"]
