"""Every expression of a BPMN tree translated to Python in place, before SpiffWorkflow reads it.

Conditions, timers, loop cardinalities, message payloads and the assignment attributes of user tasks
may be JUEL (``${...}``) or Python; after this pass they are all Python that compiles under the
restrictions, or the problem is recorded against the element.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from engine.bpmn import expressions
from engine.bpmn.files import CAMUNDA_NS, NS, ParsedFile, element_problem
from engine.bpmn.scripting import check_compiles
from engine.errors import DeployProblem

CAMUNDA_TASK_ATTRIBUTES = (
    "assignee",
    "candidateUsers",
    "candidateGroups",
    "dueDate",
    "followUpDate",
    "priority",
)
SOURCE_NS = "kinerja"  # the original text of a translated attribute, kept for messages and the audit
_NAME = re.compile(r"^\s*(?:[$#]\{\s*)?([A-Za-z_][A-Za-z0-9_]*)\s*\}?\s*$")

Translate = Callable[[Any, str, Callable[[str], str]], "str | None"]


def translate_expressions(pf: ParsedFile, problems: list[DeployProblem]) -> None:
    """Translate every expression in a BPMN tree to Python in place, and check it compiles."""
    root = pf.root

    def translate(element: Any, text: str, how: Callable[[str], str]) -> str | None:
        try:
            python = how(text)
        except expressions.ExpressionError as exc:
            problems.append(element_problem(pf, element, str(exc)))
            return None
        reason = check_compiles(python)
        if reason:
            problems.append(element_problem(pf, element, f"expression refused: {reason}"))
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
        attribute = f"{{{CAMUNDA_NS}}}expression"
        if el.get(attribute):
            el.set(attribute, translate(el, el.get(attribute), expressions.to_python) or el.get(attribute))
    for el in root.iterfind(".//bpmn:multiInstanceLoopCharacteristics", NS):
        _collection_name(pf, el, problems)
    for el in root.iterfind(".//bpmn:userTask", NS):
        _translate_task_attributes(el, translate)


def _collection_name(pf: ParsedFile, el: Any, problems: list[DeployProblem]) -> None:
    """``camunda:collection`` names a variable (SpiffWorkflow reads and writes it): ``${items}`` -> items."""
    attribute = f"{{{CAMUNDA_NS}}}collection"
    text = el.get(attribute)
    if text is None:
        return
    match = _NAME.match(text)
    if match is None:
        problems.append(element_problem(pf, el, f"the collection {text!r} must name a variable"))
        return
    el.set(attribute, match.group(1))


def _translate_task_attributes(el: Any, translate: Translate) -> None:
    for attribute in CAMUNDA_TASK_ATTRIBUTES:
        qualified = f"{{{CAMUNDA_NS}}}{attribute}"
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
            el.set(f"{{{SOURCE_NS}}}{attribute}", text)
            el.set(qualified, python)


def _literal_or_expression(text: str) -> str:
    return expressions.literal_or_expression(text)[0]
