"""Reading BPMN and DMN bundles: safe XML, Camunda attributes, expressions translated, specs built.

``compile_bundle`` is the one entry point. It refuses anything unsafe or unrunnable with a list of
problems, each naming the file, the element and the line, and otherwise returns one compiled model
per deployable key (every executable process and every collaboration).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.defaults import NoneTask
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.camunda.parser.task_spec import CAMUNDA_MODEL_NS, CamundaTaskParser, UserTaskParser
from SpiffWorkflow.camunda.specs.user_task import UserTask
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.bpmn import expressions
from engine.bpmn.scripting import check_compiles
from engine.errors import DeploymentFailed, DeployProblem

MAX_FILE_BYTES = 5 * 1024 * 1024
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DMN_NAMESPACES = (
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "https://www.omg.org/spec/DMN/20230324/MODEL/",
)
NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_MODEL_NS}
CAMUNDA_TASK_ATTRIBUTES = (
    "assignee",
    "candidateUsers",
    "candidateGroups",
    "dueDate",
    "followUpDate",
    "priority",
)
_UNSAFE_MARKERS = (b"<!DOCTYPE", b"<!ENTITY", b"<!doctype", b"<!entity")


@dataclass(frozen=True)
class ModelSource:
    """One uploaded file: its name and its bytes."""

    name: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass
class ParsedFile:
    """A file that passed the XML checks."""

    source: ModelSource
    kind: str  # bpmn | dmn
    root: Any  # lxml element
    lines: dict[str, int] = field(default_factory=dict)  # element id -> source line


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


def content_hash(file_hashes: Iterable[str]) -> str:
    """The hash of a definition: over the sorted hashes of the files it needs (names do not count)."""
    return hashlib.sha256("\n".join(sorted(set(file_hashes))).encode()).hexdigest()


# -- SpiffWorkflow parser extension -----------------------------------------------------------------


class KinerjaUserTaskParser(UserTaskParser):  # type: ignore[misc]
    """Reads the Camunda assignment attributes into the task spec's ``extensions``."""

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        extensions: dict[str, Any] = super().parse_extensions(node)
        for attribute in CAMUNDA_TASK_ATTRIBUTES:
            value = self.node.get(f"{{{CAMUNDA_MODEL_NS}}}{attribute}")
            if value is not None:
                extensions[f"camunda:{attribute}"] = value
                source = self.node.get(f"{{kinerja}}{attribute}")
                if source is not None:
                    extensions[f"source:{attribute}"] = source
        return extensions


class PassThroughTask(NoneTask):  # type: ignore[misc]
    """A plain ``bpmn:task`` does nothing and needs no one, as in Camunda."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.manual = False


class KinerjaParser(CamundaParser):  # type: ignore[misc]
    """CamundaParser with assignment attributes and pass-through plain tasks."""

    OVERRIDE_PARSER_CLASSES: ClassVar[dict[str, tuple[type, type]]] = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        f"{{{BPMN_NS}}}userTask": (KinerjaUserTaskParser, UserTask),
        f"{{{BPMN_NS}}}task": (CamundaTaskParser, PassThroughTask),
    }


# -- reading files ----------------------------------------------------------------------------------


def read_file(source: ModelSource, problems: list[DeployProblem]) -> ParsedFile | None:
    """Parse one file as XML without ever loading a DTD or resolving an entity."""
    if len(source.content) > MAX_FILE_BYTES:
        problems.append(
            DeployProblem(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB", source.name)
        )
        return None
    if any(marker in source.content for marker in _UNSAFE_MARKERS):
        problems.append(
            DeployProblem("DOCTYPE and ENTITY declarations are not allowed in models", source.name)
        )
        return None
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )
    try:
        root = etree.fromstring(source.content, parser)
    except etree.XMLSyntaxError as exc:
        problems.append(DeployProblem(f"not well-formed XML: {exc.msg}", source.name, line=exc.lineno))
        return None
    if root.getroottree().docinfo.internalDTD is not None:
        problems.append(DeployProblem("DTDs are not allowed in models", source.name))
        return None
    namespace = etree.QName(root).namespace
    if namespace == BPMN_NS and etree.QName(root).localname == "definitions":
        kind = "bpmn"
    elif namespace in DMN_NAMESPACES and etree.QName(root).localname == "definitions":
        kind = "dmn"
    else:
        problems.append(DeployProblem("not a BPMN 2.0 or DMN document", source.name, line=root.sourceline))
        return None
    lines = {el.get("id"): el.sourceline for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    return ParsedFile(source, kind, root, lines)


def _element_problem(pf: ParsedFile, element: Any, message: str) -> DeployProblem:
    owner = element
    while owner is not None and not owner.get("id"):
        owner = owner.getparent()
    return DeployProblem(
        message,
        pf.source.name,
        element=owner.get("id") if owner is not None else None,
        element_name=owner.get("name") if owner is not None else None,
        line=element.sourceline,
    )


def preprocess(pf: ParsedFile, problems: list[DeployProblem]) -> None:
    """Translate every expression in a BPMN tree to Python in place, and check it compiles."""
    root = pf.root

    def translate(element: Any, text: str, how: Any) -> str | None:
        try:
            python: str = how(text)
        except expressions.ExpressionError as exc:
            problems.append(_element_problem(pf, element, str(exc)))
            return None
        reason = check_compiles(python)
        if reason:
            problems.append(_element_problem(pf, element, f"expression refused: {reason}"))
            return None
        return python

    for el in root.iterfind(".//bpmn:conditionExpression", NS):
        if (el.text or "").strip():
            el.text = translate(el, el.text, expressions.to_python) or el.text
    for tag in ("timeDate", "timeDuration", "timeCycle"):
        for el in root.iterfind(f".//bpmn:{tag}", NS):
            el.text = translate(el, el.text or "", expressions.timer_to_python) or el.text
    for tag in ("loopCardinality", "completionCondition"):
        for el in root.iterfind(f".//bpmn:{tag}", NS):
            if (el.text or "").strip():
                el.text = translate(el, el.text, expressions.to_python) or el.text
    for el in root.iterfind(".//bpmn:messageEventDefinition", NS):
        attribute = f"{{{CAMUNDA_MODEL_NS}}}expression"
        if el.get(attribute):
            el.set(attribute, translate(el, el.get(attribute), expressions.to_python) or el.get(attribute))
    for el in root.iterfind(".//bpmn:userTask", NS):
        _translate_task_attributes(el, translate)
    element_ids = {el.get("id") for el in root.iter(f"{{{BPMN_NS}}}*") if el.get("id")}
    for el in root.iterfind(".//camunda:formField", NS):
        if el.get("id") in element_ids:
            problems.append(
                _element_problem(
                    pf,
                    el.getparent(),
                    f"form field {el.get('id')!r} has the id of a diagram element; rename it",
                )
            )
    for el in root.iterfind(".//bpmn:scriptTask", NS):
        fmt = (el.get("scriptFormat") or "python").strip().lower()
        if fmt not in ("python", "py", "text/x-python"):
            problems.append(_element_problem(pf, el, f"script format {fmt!r} is not supported; write Python"))
            continue
        script = el.find("bpmn:script", NS)
        if script is not None and script.text:
            reason = check_compiles(script.text, "exec")
            if reason:
                problems.append(_element_problem(pf, script, f"script refused: {reason}"))


def _translate_task_attributes(el: Any, translate: Any) -> None:
    for attribute in CAMUNDA_TASK_ATTRIBUTES:
        qualified = f"{{{CAMUNDA_MODEL_NS}}}{attribute}"
        text = el.get(qualified)
        if text is None or not text.strip():
            continue
        how: Callable[[str], str]
        if attribute in ("dueDate", "followUpDate"):
            how = expressions.timer_to_python
        elif attribute == "priority":
            how = expressions.to_python
        else:
            how = _literal_or_expression
        python = translate(el, text, how)
        if python is not None:
            el.set(f"{{kinerja}}{attribute}", text)
            el.set(qualified, python)


def _literal_or_expression(text: str) -> str:
    return expressions.literal_or_expression(text)[0]


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


def compile_bundle(sources: Sequence[ModelSource]) -> dict[str, CompiledModel]:
    """Parse, check and compile a bundle of .bpmn and .dmn files; raise DeploymentFailed on any problem."""
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
    for pf in files.values():
        if pf.kind == "bpmn":
            preprocess(pf, problems)
    if problems:
        raise DeploymentFailed(problems)

    parser = KinerjaParser()
    for pf in files.values():
        try:
            if pf.kind == "dmn":
                parser.add_dmn_xml(pf.root, filename=pf.source.name)
            else:
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
