"""Deploy-time checks of a BPMN tree: every mistake found is reported, each at its element.

The checks run on the XML, before SpiffWorkflow builds specs, so that one upload gets every problem
back at once: scripts in an unsupported language or refused by the restrictions, user tasks that
nobody could receive, form fields of unknown types, references to messages, errors, escalations or
signals that are not defined, exclusive gateways that cannot choose, service tasks without a handler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from engine.bpmn.files import BPMN_NS, CAMUNDA_NS, NS, ParsedFile, element_problem
from engine.bpmn.forms import FormDefinitionError, field_from_spec
from engine.bpmn.scripting import check_compiles
from engine.bpmn.services import handler_names
from engine.errors import DeployProblem

OTHER_LANGUAGES = {"javascript", "js", "ecmascript", "groovy", "juel", "ruby", "jruby", "kotlin", "nashorn"}
_REFERENCES = (
    ("messageEventDefinition", "messageRef", "message"),
    ("receiveTask", "messageRef", "message"),
    ("sendTask", "messageRef", "message"),
    ("errorEventDefinition", "errorRef", "error"),
    ("escalationEventDefinition", "escalationRef", "escalation"),
    ("signalEventDefinition", "signalRef", "signal"),
)


@dataclass(frozen=True)
class DeployPolicy:
    """How strict the deploy-time checks are.

    ``service_handler`` tells whether a handler is registered under any of a task's names; None skips
    the check (a stored definition being compiled again). ``allow_unhandled_service_tasks`` lets a service
    task with no handler complete with no data, as the compatibility corpus expects.
    """

    require_assignment: bool = True
    service_handler: Callable[[tuple[str, ...]], bool] | None = None
    allow_unhandled_service_tasks: bool = False


LENIENT = DeployPolicy(require_assignment=False, allow_unhandled_service_tasks=True)


def lint(pf: ParsedFile, problems: list[DeployProblem], policy: DeployPolicy) -> None:
    """Append every problem of one BPMN file to ``problems``."""
    _scripts(pf, problems)
    if policy.require_assignment:
        _assignment(pf, problems)
    _forms(pf, problems)
    _references(pf, problems)
    _gateways(pf, problems)
    _services(pf, problems, policy)


def _scripts(pf: ParsedFile, problems: list[DeployProblem]) -> None:
    for el in pf.root.iterfind(".//bpmn:scriptTask", NS):
        fmt = (el.get("scriptFormat") or "python").strip().lower()
        if fmt in OTHER_LANGUAGES:
            problems.append(element_problem(pf, el, f"script format {fmt!r} is not supported; write Python"))
            continue
        script = el.find("bpmn:script", NS)
        if script is None or not (script.text or "").strip():
            problems.append(element_problem(pf, el, "the script task has no script"))
            continue
        reason = check_compiles(script.text, "exec")
        if reason:
            problems.append(element_problem(pf, script, f"script refused: {reason}"))


def _assignment(pf: ParsedFile, problems: list[DeployProblem]) -> None:
    in_lane = {ref.text.strip() for ref in pf.root.iterfind(".//bpmn:flowNodeRef", NS) if ref.text}
    attributes = ("assignee", "candidateGroups", "candidateUsers")
    for el in pf.root.iterfind(".//bpmn:userTask", NS):
        if any((el.get(f"{{{CAMUNDA_NS}}}{a}") or "").strip() for a in attributes):
            continue
        owner = el
        while owner is not None and owner.get("id") not in in_lane:
            owner = owner.getparent()  # a task inside a subprocess belongs to the subprocess's lane
        if owner is None:
            problems.append(
                element_problem(
                    pf, el, "the user task has no lane, candidate group, candidate user or assignee"
                )
            )


def _forms(pf: ParsedFile, problems: list[DeployProblem]) -> None:
    element_ids = {el.get("id") for el in pf.root.iter(f"{{{BPMN_NS}}}*") if el.get("id")}
    for el in pf.root.iterfind(".//camunda:formField", NS):
        field_id = el.get("id")
        if not field_id:
            problems.append(element_problem(pf, el, "a form field has no id"))
            continue
        if field_id in element_ids:
            message = f"form field {field_id!r} has the id of a diagram element; rename it"
            problems.append(element_problem(pf, el.getparent(), message))
        try:
            field_from_spec(_field_of(el))
        except FormDefinitionError as exc:
            problems.append(element_problem(pf, el, str(exc)))


def _field_of(el: Any) -> SimpleNamespace:
    """The shape ``forms.field_from_spec`` reads, taken from the XML (SpiffWorkflow's parse comes later)."""

    def children(tag: str) -> list[Any]:
        return list(el.iterfind(f"camunda:{tag}", NS))

    return SimpleNamespace(
        id=el.get("id"),
        type=el.get("type"),
        label=el.get("label"),
        default_value=el.get("defaultValue"),
        validation=[
            SimpleNamespace(name=c.get("name"), config=c.get("config"))
            for v in children("validation")
            for c in v.iterfind("camunda:constraint", NS)
        ],
        properties=[
            SimpleNamespace(id=p.get("id"), value=p.get("value"))
            for ps in children("properties")
            for p in ps.iterfind("camunda:property", NS)
        ],
        options=[SimpleNamespace(id=v.get("id"), name=v.get("name")) for v in children("value")],
    )


def _references(pf: ParsedFile, problems: list[DeployProblem]) -> None:
    for tag, attribute, target in _REFERENCES:
        defined = {el.get("id") for el in pf.root.iterfind(f"bpmn:{target}", NS)}
        for el in pf.root.iterfind(f".//bpmn:{tag}", NS):
            ref = el.get(attribute)
            if ref and ref not in defined:
                problems.append(
                    element_problem(pf, el, f"{attribute} {ref!r} names no {target} of this file")
                )


def _gateways(pf: ParsedFile, problems: list[DeployProblem]) -> None:
    flows: dict[str, list[Any]] = {}
    for flow in pf.root.iterfind(".//bpmn:sequenceFlow", NS):
        flows.setdefault(flow.get("sourceRef"), []).append(flow)
    for gateway in pf.root.iterfind(".//bpmn:exclusiveGateway", NS):
        outgoing = flows.get(gateway.get("id"), [])
        if len(outgoing) < 2 or gateway.get("default"):
            continue
        conditions = [f.find("bpmn:conditionExpression", NS) for f in outgoing]
        if not any(c is not None and (c.text or "").strip() for c in conditions):
            message = (
                f"the exclusive gateway has {len(outgoing)} outgoing flows but no condition and no default"
            )
            problems.append(element_problem(pf, gateway, message))


def _services(pf: ParsedFile, problems: list[DeployProblem], policy: DeployPolicy) -> None:
    if policy.service_handler is None or policy.allow_unhandled_service_tasks:
        return
    for el in pf.root.iterfind(".//bpmn:serviceTask", NS):
        keys = ("type", "topic", "delegateExpression", "expression", "class")
        names = handler_names({k: el.get(f"{{{CAMUNDA_NS}}}{k}") or "" for k in keys})
        if not names:
            problems.append(element_problem(pf, el, "the service task names no implementation"))
        elif not policy.service_handler(names):
            listed = ", ".join(repr(n) for n in names)
            problems.append(element_problem(pf, el, f"no service handler is registered for {listed}"))
