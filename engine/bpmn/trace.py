"""The path an instance took through its diagram: how often each element ran, which flows it followed.

SpiffWorkflow keeps a tree of tasks: a task's parent is the one that led to it. Each element's count is
how many of its tasks completed (a loop taken twice runs its steps twice); a sequence flow was taken
when a task of its target was reached from a task of its source (the nearest ancestor that is a
diagram element: the library puts helper tasks of its own in between, e.g. for boundary events).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from xml.etree import ElementTree

from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_REACHED = TaskState.READY | TaskState.STARTED | TaskState.WAITING | TaskState.COMPLETED | TaskState.ERROR


@dataclass(frozen=True)
class Trace:
    """Run counts per element, the elements active now, and the sequence flows taken (with counts)."""

    runs: dict[str, int] = field(default_factory=dict)
    active: tuple[str, ...] = ()
    flows: dict[str, int] = field(default_factory=dict)


def _element(task: SpiffTask | None) -> str | None:
    while task is not None:
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        if bpmn_id:
            return str(bpmn_id)
        task = task.parent
    return None


def trace_of(tasks: Iterable[SpiffTask], model_files: Iterable[str]) -> Trace:
    """The trace of an instance's tasks over the sequence flows of its model files (BPMN XML)."""
    flow_ids = sequence_flows(model_files)
    runs: Counter[str] = Counter()
    active: list[str] = []
    taken: Counter[str] = Counter()
    for task in tasks:
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        if not bpmn_id or not task.has_state(_REACHED):
            continue
        if task.state == TaskState.COMPLETED:
            runs[bpmn_id] += 1
        else:
            active.append(bpmn_id)
        source = _element(task.parent)
        flow = flow_ids.get((source, bpmn_id)) if source else None
        if flow:
            taken[flow] += 1
    return Trace(dict(runs), tuple(dict.fromkeys(active)), dict(taken))


def sequence_flows(model_files: Iterable[str]) -> dict[tuple[str, str], str]:
    """(sourceRef, targetRef) -> the sequence flow's id, over every BPMN file given."""
    found: dict[tuple[str, str], str] = {}
    for text in model_files:
        try:
            root = ElementTree.fromstring(text.encode("utf-8"))
        except ElementTree.ParseError:
            continue  # a DMN or other file: no flows
        for flow in root.iter(f"{{{BPMN_NS}}}sequenceFlow"):
            source, target, flow_id = flow.get("sourceRef"), flow.get("targetRef"), flow.get("id")
            if source and target and flow_id:
                found.setdefault((source, target), flow_id)
    return found
