"""Where instance state and compiled specs live: state-only JSON, and specs cached per definition hash.

An instance's JSON holds only its state; the specs are compiled once per definition and re-attached
when an instance is loaded, so the restricted script engine is installed on every load as well.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG

from engine.bpmn.lint import LENIENT
from engine.bpmn.parser import CompiledModel, ModelSource, compile_bundle
from engine.bpmn.scripting import restricted_engine

# -- serialization: state only, specs re-attached from the cache ------------------------------------


class _StateOnlyConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    """Writes a workflow without its specs; restores it onto spec objects handed in by the loader."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> BpmnWorkflow:
        spec = dct.pop("spec")
        subprocess_specs = dct.pop("subprocess_specs")
        workflow = self.target_class(
            spec, subprocess_specs, script_engine=restricted_engine(), deserializing=True
        )
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


CONFIG = dict(CAMUNDA_CONFIG)
CONFIG[BpmnWorkflow] = _StateOnlyConverter
SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(CONFIG))
STATE_FORMAT = f"kinerja-state/{SERIALIZER.VERSION}"


# -- compiled specs, cached per definition hash -----------------------------------------------------


class SpecCache:
    """Compiled models by (definition hash, key); compiled once per process, shared by every instance."""

    def __init__(self, size: int = 256) -> None:
        self._models: OrderedDict[tuple[str, str], CompiledModel] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, sha256: str, key: str, files: Callable[[], Sequence[ModelSource]]) -> CompiledModel:
        with self._lock:
            model = self._models.get((sha256, key))
            if model is not None:
                self._models.move_to_end((sha256, key))
                return model
        model = compile_bundle(files(), LENIENT)[key]  # it passed the full checks when deployed
        self.put(sha256, model)
        return model

    def put(self, sha256: str, model: CompiledModel) -> None:
        with self._lock:
            self._models[(sha256, model.key)] = model
            while len(self._models) > self._size:
                self._models.popitem(last=False)


SPECS = SpecCache()
