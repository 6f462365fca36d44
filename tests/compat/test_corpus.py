"""The third-party BPMN/DMN corpus (../shared/compat) runs through the engine's own commands.

Each case of ``manifest.json`` is deployed, started and driven step by step (complete a task, deliver
a message, throw an error or escalation, fire the waiting timers), every step in its own transaction,
so the instance is saved and loaded between steps as in production; then what the case expects must
hold. The engine runs with the corpus's policy: plain tasks pass through, a service task nobody
handles completes with no data, user tasks drawn without lanes go to administrators, and forms that
live outside the diagram may set any variable.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine import deploy, history, instances, messages, throwing, timers, users
from engine.bpmn.parser import ModelSource
from engine.bpmn.scripting import register_helper, unregister_helper
from engine.runtime import Engine, Settings
from engine.status import AuditType, InstanceStatus
from engine.users import Actor

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "compat"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text())
COMPAT = Settings(
    allow_unhandled_service_tasks=True,
    allow_unassigned_user_tasks=True,
    accept_undeclared_task_data=True,
)


class JobAnnouncementService:
    """The bean the job-announcement models call in their assignee expressions (Camunda's test double)."""

    def findRequester(self, announcement_id: Any) -> str:
        return "gonzo"

    def findEditor(self, announcement_id: Any) -> str:
        return "fozzie"


@pytest.fixture
def compat_engine(database_url, clock) -> Iterator[Engine]:
    engine = Engine(database_url, clock=clock, settings=COMPAT)
    register_helper("jobAnnouncementService", JobAnnouncementService())
    try:
        yield engine
    finally:
        unregister_helper("jobAnnouncementService")
        engine.close()


class Run:
    """One case being driven: the engine, and the instance the steps act on."""

    def __init__(self, engine: Engine, case: dict[str, Any]) -> None:
        self.engine, self.case = engine, case
        self.instance_id: int | None = None

    def deploy_and_start(self) -> None:
        files = [*self.case["bpmn"], *self.case.get("dmn", [])]
        with self.engine.transaction() as tx:
            deploy.deploy(tx, [ModelSource(n, (CORPUS / n).read_bytes()) for n in files], users.SYSTEM)
        key = self.case.get("process") or self.case["collaboration"]
        with self.engine.transaction() as tx:
            self.instance_id = instances.start(tx, key, users.SYSTEM, self.case.get("data", {})).instance_id

    def open_task(self, tx: Any, bpmn_id: str | None = None) -> Any:
        tasks = [t for t in tx.store.active_tasks(self.instance_id) if bpmn_id in (None, t.bpmn_id)]
        assert len(tasks) == 1, f"expected one open task {bpmn_id or ''}, found {[t.bpmn_id for t in tasks]}"
        return tasks[0]

    def step(self, step: dict[str, Any]) -> None:
        with self.engine.transaction() as tx:
            if "task" in step:
                task = self.open_task(tx, step["task"])
                instances.complete(tx, task.id, step.get("data", {}), _actor_for(task))
            elif "message" in step:
                wrapped = step.get("payload", {})
                delivery = messages.deliver(
                    tx,
                    step["message"],
                    payload=wrapped.get("payload"),
                    result_var=wrapped.get("result_var"),
                    actor=users.SYSTEM,
                )
                assert delivery.instance_ids or delivery.started, f"nobody took message {step['message']}"
            elif "error" in step or "escalation" in step:
                task = self.open_task(tx)
                throw = throwing.throw_error if "error" in step else throwing.throw_escalation
                throw(tx, task.id, step.get("error") or step["escalation"], _actor_for(task))
            elif step.get("timers") == "fire":
                assert timers.fire_waiting(tx, self.instance_id) is not None, "no timer was waiting"
            else:
                raise AssertionError(f"unknown step {step}")

    def check(self) -> None:
        expect = self.case["expect"]
        with self.engine.transaction(write=False) as tx:
            row = tx.store.instance(self.instance_id)
            assert row.error is None, row.error
            if "completed" in expect:
                assert (row.status == InstanceStatus.COMPLETED) == expect["completed"], row.status
            if "ready" in expect:
                assert sorted(t.bpmn_id for t in tx.store.active_tasks(row.id)) == sorted(expect["ready"])
            passed = set(history.passed_elements(tx, row.id))
            assert set(expect.get("reached", [])) <= passed, set(expect["reached"]) - passed
            assert not set(expect.get("not_reached", [])) & passed
            data = history.current_data(tx, row.id)
            assert {k: data.get(k) for k in expect.get("data", {})} == expect.get("data", {})
            if "human_order" in expect:
                done = [
                    e.payload["bpmn_id"]
                    for e in history.history(tx, row.id)
                    if e.type == AuditType.TASK_COMPLETED
                ]
                assert done == expect["human_order"]


def _actor_for(task: Any) -> Actor:
    """Whoever the task is for: its assignee, else someone holding its candidate roles."""
    roles = frozenset(json.loads(task.candidate_roles))
    return Actor(task.assignee or "compat", roles)


@pytest.mark.parametrize("case", MANIFEST["cases"], ids=[c["id"] for c in MANIFEST["cases"]])
def test_a_compat_case_reaches_its_outcome(compat_engine, case):
    run = Run(compat_engine, case)
    run.deploy_and_start()
    for step in case["steps"]:
        run.step(step)
    run.check()


def test_the_corpus_is_all_there():
    assert len(MANIFEST["cases"]) == 31
