"""Reading BPMN and DMN bundles: safe XML, Camunda attributes, expressions translated, specs built.

``compile_bundle`` is the one entry point. It refuses anything unsafe or unrunnable with a list of
problems, each naming the file, the element and the line, and otherwise returns one compiled model
per deployable key (every executable process and every collaboration).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.data_spec import BpmnDataStoreSpecification
from SpiffWorkflow.bpmn.specs.defaults import NoneTask
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.camunda.parser.task_spec import CAMUNDA_MODEL_NS, CamundaTaskParser, UserTaskParser
from SpiffWorkflow.camunda.specs.user_task import UserTask
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.bpmn.decide import MAPPINGS, BusinessRuleTask, BusinessRuleTaskParser
from engine.bpmn.dmn import Decision, check_requirements, read_decisions
from engine.bpmn.files import BPMN_NS, NS, ModelSource, ParsedFile, content_hash, element_problem, read_file
from engine.bpmn.files import MAX_FILE_BYTES as MAX_FILE_BYTES
from engine.bpmn.lint import DeployPolicy, lint
from engine.bpmn.preprocess import CAMUNDA_TASK_ATTRIBUTES, SOURCE_NS, translate_expressions
from engine.bpmn.services import KinerjaServiceTask, ServiceTaskParser
from engine.errors import DeploymentFailed, DeployProblem

__all__ = ["MAX_FILE_BYTES", "CompiledModel", "DeployPolicy", "ModelSource", "compile_bundle"]


@dataclass(frozen=True)
class CompiledModel:
    """One deployable key of a bundle: its spec, the specs it calls, and the files it needs."""

    key: str
    name: str | None
    kind: str  # process | collaboration
    spec: Any
    subprocess_specs: dict[str, Any]
    files: tuple[ModelSource, ...]
    starter_groups: tuple[str, ...] | None = None  # camunda:candidateStarterGroups; None: anyone
    starter_users: tuple[str, ...] | None = None

    @property
    def sha256(self) -> str:
        return content_hash(f.sha256 for f in self.files)


# -- SpiffWorkflow parser extension -----------------------------------------------------------------


class KinerjaUserTaskParser(UserTaskParser):  # type: ignore[misc]
    """Reads the Camunda assignment attributes into the task spec's ``extensions``."""

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        extensions: dict[str, Any] = super().parse_extensions(node)
        for attribute in CAMUNDA_TASK_ATTRIBUTES:
            value = self.node.get(f"{{{CAMUNDA_MODEL_NS}}}{attribute}")
            if value is not None:
                extensions[f"camunda:{attribute}"] = value
                source = self.node.get(f"{{{SOURCE_NS}}}{attribute}")
                if source is not None:
                    extensions[f"source:{attribute}"] = source
        return extensions


class PassThroughTask(NoneTask):  # type: ignore[misc]
    """A plain ``bpmn:task`` does nothing and needs no one, as in Camunda."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.manual = False


class NoDataStore(BpmnDataStoreSpecification):  # type: ignore[misc]
    """A data store the diagram draws: accepted and ignored at run time, as Camunda does."""

    def get(self, my_task: Any, **kwargs: Any) -> None:
        pass

    def set(self, my_task: Any, **kwargs: Any) -> None:
        pass


class _AnyDataStore(dict[str, type]):
    """Every data store name maps to ``NoDataStore`` (SpiffWorkflow refuses names it does not know)."""

    def __contains__(self, name: object) -> bool:
        return True

    def __getitem__(self, name: str) -> type:
        return NoDataStore


class KinerjaParser(CamundaParser):  # type: ignore[misc]
    """CamundaParser with assignment attributes, pass-through plain tasks, service tasks, data stores."""

    OVERRIDE_PARSER_CLASSES: ClassVar[dict[str, tuple[type, type]]] = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        f"{{{BPMN_NS}}}userTask": (KinerjaUserTaskParser, UserTask),
        f"{{{BPMN_NS}}}task": (CamundaTaskParser, PassThroughTask),
        f"{{{BPMN_NS}}}serviceTask": (ServiceTaskParser, KinerjaServiceTask),
        f"{{{BPMN_NS}}}businessRuleTask": (BusinessRuleTaskParser, BusinessRuleTask),
    }
    decisions: dict[str, Decision]  # the bundle's decision tables, set before any BPMN is added
    DATA_STORE_CLASSES: ClassVar[dict[str, type]] = _AnyDataStore()


# -- compiling a bundle -----------------------------------------------------------------------------


def _spiff_problem(exc: Exception, files: dict[str, ParsedFile]) -> DeployProblem:
    if isinstance(exc, ValidationException):
        pf = files.get(exc.file_name or "")
        line = pf.lines.get(exc.id) if pf and exc.id else None
        if line is None and exc.id:
            line = next((f.lines[exc.id] for f in files.values() if exc.id in f.lines), None)
        message = str(exc.args[0]) if exc.args else str(exc)
        if exc.tag:
            message = f"{exc.tag}: {message}"
        return DeployProblem(message, exc.file_name or None, exc.id or None, exc.name or None, line)
    return DeployProblem(f"{type(exc).__name__}: {exc}")


def compile_bundle(
    sources: Sequence[ModelSource], policy: DeployPolicy | None = None
) -> dict[str, CompiledModel]:
    """Parse, check and compile a bundle of .bpmn and .dmn files; raise DeploymentFailed on any problem.

    Every check that reads the XML runs on every file before any problem is raised, so one upload
    gets all of them back; SpiffWorkflow's own parse runs only on a bundle that passed them.
    """
    policy = policy or DeployPolicy()
    problems: list[DeployProblem] = []
    if not sources:
        raise DeploymentFailed([DeployProblem("no files given")])
    files: dict[str, ParsedFile] = {}
    for source in sources:
        if source.name in files:
            problems.append(DeployProblem("the same file name appears twice", source.name))
            continue
        pf = read_file(source, problems)
        if pf is not None:
            files[source.name] = pf
    decisions = _decisions(files, problems)
    for pf in files.values():
        if pf.kind == "bpmn":
            translate_expressions(pf, problems)
            lint(pf, problems, policy)
            _check_decision_refs(pf, decisions, problems)
    if problems:
        raise DeploymentFailed(problems)

    parser = KinerjaParser()
    parser.decisions = decisions
    for pf in files.values():
        if pf.kind == "dmn":
            continue  # read above, by our own DMN reader
        try:
            parser.add_bpmn_xml(pf.root, filename=pf.source.name)
        except (SpiffWorkflowException, etree.LxmlError, ValueError, KeyError, AttributeError) as exc:
            problems.append(_spiff_problem(exc, files))
    if problems:
        raise DeploymentFailed(problems)

    index = _index(files)
    models: dict[str, CompiledModel] = {}
    for key in parser.get_process_ids():
        try:
            spec = parser.get_spec(key)
            subprocess_specs = parser.get_subprocess_specs(key)
        except (SpiffWorkflowException, ValueError, KeyError, AttributeError) as exc:
            problems.append(_spiff_problem(exc, files))
            continue
        groups, users = index.starters.get(key, (None, None))
        models[key] = CompiledModel(
            key,
            spec.description or None,
            "process",
            spec,
            subprocess_specs,
            index.files_for([key]),
            groups,
            users,
        )
    for key, participants in parser.collaborations.items():
        executable = [p for p in participants if p in models]
        if not executable:
            continue
        try:
            spec, subprocess_specs = parser.get_collaboration(key)
        except (SpiffWorkflowException, ValueError, KeyError, AttributeError) as exc:
            problems.append(_spiff_problem(exc, files))
            continue
        name = index.names.get(key)
        models[key] = CompiledModel(
            key, name, "collaboration", spec, subprocess_specs, index.files_for(executable)
        )
    if not models and not problems:
        problems.append(DeployProblem('the bundle has no executable process (isExecutable="true")'))
    if problems:
        raise DeploymentFailed(problems)
    return models


def _decisions(files: dict[str, ParsedFile], problems: list[DeployProblem]) -> dict[str, Decision]:
    decisions: dict[str, Decision] = {}
    for pf in files.values():
        if pf.kind != "dmn":
            continue
        for decision_id, decision in read_decisions(pf, problems).items():
            if decision_id in decisions:
                message = f"decision {decision_id!r} is also defined in {decisions[decision_id].file}"
                problems.append(DeployProblem(message, pf.source.name, decision_id, decision.name))
            decisions[decision_id] = decision
    for decision, message in check_requirements(decisions):
        pf = files[decision.file]
        problems.append(
            DeployProblem(message, pf.source.name, decision.id, decision.name, pf.lines.get(decision.id))
        )
    return decisions


def _check_decision_refs(
    pf: ParsedFile, decisions: dict[str, Decision], problems: list[DeployProblem]
) -> None:
    for el in pf.root.iterfind(".//bpmn:businessRuleTask", NS):
        ref = (el.get(f"{{{CAMUNDA_MODEL_NS}}}decisionRef") or "").strip()
        mapping = el.get(f"{{{CAMUNDA_MODEL_NS}}}mapDecisionResult")
        if not ref:
            problems.append(element_problem(pf, el, "the business rule task has no camunda:decisionRef"))
        elif ref not in decisions:
            known = ", ".join(sorted(decisions)) or "none"
            problems.append(
                element_problem(pf, el, f"no decision {ref!r} is deployed with it (decisions: {known})")
            )
        if mapping is not None and mapping not in MAPPINGS:
            problems.append(
                element_problem(pf, el, f"mapDecisionResult {mapping!r} is not one of {MAPPINGS}")
            )


@dataclass
class _Index:
    """Which file defines each process and decision, and what each process refers to."""

    process_file: dict[str, ParsedFile] = field(default_factory=dict)
    decision_file: dict[str, ParsedFile] = field(default_factory=dict)
    calls: dict[str, set[str]] = field(default_factory=dict)
    decisions: dict[str, set[str]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    starters: dict[str, tuple[tuple[str, ...] | None, tuple[str, ...] | None]] = field(default_factory=dict)

    def files_for(self, keys: Iterable[str]) -> tuple[ModelSource, ...]:
        seen: set[str] = set()
        pending = list(keys)
        needed: dict[str, ModelSource] = {}
        while pending:
            key = pending.pop()
            if key in seen:
                continue
            seen.add(key)
            pf = self.process_file.get(key)
            if pf is not None:
                needed[pf.source.name] = pf.source
            pending.extend(self.calls.get(key, ()))
            for decision in self.decisions.get(key, ()):
                dmn = self.decision_file.get(decision)
                if dmn is not None:
                    needed[dmn.source.name] = dmn.source
        return tuple(needed[name] for name in sorted(needed))


def _index(files: dict[str, ParsedFile]) -> _Index:
    index = _Index()
    decision_ref = f"{{{CAMUNDA_MODEL_NS}}}decisionRef"
    for pf in files.values():
        if pf.kind == "dmn":
            for el in pf.root.iter():
                if isinstance(el.tag, str) and etree.QName(el).localname == "decision" and el.get("id"):
                    index.decision_file[el.get("id")] = pf
            continue
        for collaboration in pf.root.iterfind("bpmn:collaboration", NS):
            index.names[collaboration.get("id")] = collaboration.get("name") or ""
        for process in pf.root.iterfind("bpmn:process", NS):
            key = process.get("id")
            index.process_file[key] = pf
            index.starters[key] = (
                _csv(process.get(f"{{{CAMUNDA_MODEL_NS}}}candidateStarterGroups")),
                _csv(process.get(f"{{{CAMUNDA_MODEL_NS}}}candidateStarterUsers")),
            )
            index.calls[key] = {c.get("calledElement") for c in process.iterfind(".//bpmn:callActivity", NS)}
            index.decisions[key] = {
                b.get(decision_ref)
                for b in process.iterfind(".//bpmn:businessRuleTask", NS)
                if b.get(decision_ref)
            }
    return index


def _csv(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    return tuple(part.strip() for part in text.split(",") if part.strip())
