"""Many instances of one model started at one moment: the engine runs once, each is a copy."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import uuid4

from SpiffWorkflow.util.task import TaskState

from engine.bpmn.parser import CompiledModel
from engine.bpmn.runner import Execution, ReadyTask, _json_default

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_SLOT = '"__kinerja_own_data__":true'


@dataclass(frozen=True)
class Started:
    """A new instance made from a template: its state, its ready human tasks, its next timer."""

    state: str
    ready: list[ReadyTask]
    next_due_at: datetime | None


class StartTemplate:
    """Starts many instances of one model with shared data at one moment, running the engine once.

    The engine steps up to the first human tasks are the same for every instance whose own data
    (the employee: nip, nama, ...) no automatic step at the start reads. Such an instance is the
    template's state with fresh task ids and its own data at the root, where every task's data
    begins; ``fits`` says whether a given instance is such a one. A batch of thousands then costs
    one engine run, not thousands (bench/cycle_launch.py).
    """

    def __init__(self, model: CompiledModel, shared: Mapping[str, Any]) -> None:
        execution = Execution.start(model, shared)
        self.shared = dict(shared)
        self.next_due_at = execution.next_due_at()
        self._ready = execution.ready_tasks()
        # Message waits need subscriptions and a start timer a scheduled instance: not templated.
        waits = execution.waiting_events()
        self._usable = (
            not execution.completed
            and self._only_scripts_ran(execution)
            and all(w.kind == "timer" and not w.start for w in waits)
        )
        self._written = {k for r in self._ready for k in r.data} - set(self.shared)
        self._sources = " ".join(self._read_at_start(execution))
        document = json.loads(execution.dump())
        document["tasks"][document["root"]]["data"] = {"__kinerja_own_data__": True}
        text = json.dumps(document, separators=(",", ":"), default=_json_default)
        # The state split around its task ids, once: an instance is the pieces joined with new ids.
        self._pieces = _UUID.split(text)
        found = _UUID.findall(text)
        self._old_ids = list(dict.fromkeys(found))
        position = {old: i for i, old in enumerate(self._old_ids)}
        self._slots = [position[old] for old in found]

    @staticmethod
    def _only_scripts_ran(execution: Execution) -> bool:
        """Gateways and decisions at the start could branch on the data: those models never fit."""
        for task in execution._tasks(TaskState.COMPLETED):
            spec = task.task_spec
            if hasattr(spec, "cond_task_specs") or hasattr(spec, "dmnEngine"):
                return False
        return True

    @staticmethod
    def _read_at_start(execution: Execution) -> list[str]:
        sources = [getattr(t.task_spec, "script", None) or "" for t in execution._tasks(TaskState.COMPLETED)]
        for task in execution._tasks(TaskState.WAITING):
            definition = getattr(task.task_spec, "event_definition", None)
            sources.append(str(getattr(definition, "expression", "") or ""))
        return sources

    def fits(self, own: Mapping[str, Any]) -> bool:
        """Whether an instance with this own data starts exactly as the template did."""
        if not self._usable or set(own) & (set(self.shared) | self._written):
            return False
        return not any(re.search(rf"\b{re.escape(key)}\b", self._sources) for key in own)

    def instantiate(self, own: Mapping[str, Any]) -> Started:
        """A new instance: the template's state with fresh task ids and this instance's own data."""
        fresh = [str(uuid4()) for _ in self._old_ids]
        ids = dict(zip(self._old_ids, fresh, strict=True))
        pieces = self._pieces
        text = "".join(pieces[i] + fresh[slot] for i, slot in enumerate(self._slots)) + pieces[-1]
        data = {**self.shared, **own}
        body = json.dumps(data, separators=(",", ":"), default=_json_default)[1:-1]
        text = text.replace(_SLOT, body, 1)
        ready = [replace(r, spiff_id=ids[r.spiff_id], data={**r.data, **own}) for r in self._ready]
        return Started(text, ready, self.next_due_at)
