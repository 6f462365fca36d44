"""Reading DMN decision tables as dmn-js and Camunda Modeler write them, compiled to Python once.

Every decision of every file is read (SpiffWorkflow reads only the first), with its required
decisions, hit policy and aggregation. Input expressions, input entries (FEEL unary tests) and output
entries are turned into Python that compiles under the restrictions; a cell that does not is a deploy
problem naming the rule and the decision.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.bpmn import expressions, feel
from engine.bpmn.files import ParsedFile, element_problem
from engine.bpmn.scripting import check_compiles
from engine.errors import DeployProblem

HIT_POLICIES = ("UNIQUE", "FIRST", "PRIORITY", "ANY", "RULE ORDER", "OUTPUT ORDER", "COLLECT")
AGGREGATIONS = ("SUM", "MIN", "MAX", "COUNT")
DEFAULT_INPUT_VARIABLE = "cellInput"  # Camunda's name for the input value inside an input entry


@dataclass(frozen=True)
class Input:
    """One input column: the Python expression giving its value, and the name entries see it under."""

    id: str
    label: str | None
    expression: str
    variable: str


@dataclass(frozen=True)
class Output:
    """One output column; ``values`` (its allowed values, in priority order) serve PRIORITY tables."""

    id: str
    name: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Rule:
    """One row: a Python condition per input (None: any value) and a Python expression per output."""

    id: str
    number: int
    tests: tuple[str | None, ...]
    outputs: tuple[str | None, ...]


@dataclass(frozen=True)
class Decision:
    """One decision table, ready to evaluate."""

    id: str
    name: str | None
    hit_policy: str
    aggregation: str | None
    inputs: tuple[Input, ...]
    outputs: tuple[Output, ...]
    rules: tuple[Rule, ...]
    required: tuple[str, ...]
    file: str


def _local(el: Any) -> str:
    tag = el.tag if isinstance(el.tag, str) else ""
    return tag.rsplit("}", 1)[-1]


def _children(el: Any, name: str) -> list[Any]:
    return [c for c in el if _local(c) == name]


def _text(el: Any, name: str) -> str:
    found = _children(el, name)
    return (found[0].text or "").strip() if found else ""


def read_decisions(pf: ParsedFile, problems: list[DeployProblem]) -> dict[str, Decision]:
    """Every decision table of one DMN file."""
    decisions: dict[str, Decision] = {}
    for el in pf.root.iter():
        if _local(el) != "decision" or not el.get("id"):
            continue
        tables = _children(el, "decisionTable")
        if not tables:
            problems.append(element_problem(pf, el, "only decision tables are supported"))
            continue
        decision = _read_decision(pf, el, tables[0], problems)  # kept even when refused: no echo errors
        decisions[decision.id] = decision
    return decisions


def _read_decision(pf: ParsedFile, el: Any, table: Any, problems: list[DeployProblem]) -> Decision:
    policy = (table.get("hitPolicy") or "UNIQUE").strip().upper()
    aggregation = (table.get("aggregation") or "").strip().upper() or None
    if policy not in HIT_POLICIES:
        problems.append(element_problem(pf, table, f"hit policy {policy!r} is not supported"))
    if aggregation is not None and (policy != "COLLECT" or aggregation not in AGGREGATIONS):
        problems.append(element_problem(pf, table, f"aggregation {aggregation!r} needs hit policy COLLECT"))
    inputs = tuple(_read_input(pf, i, problems) for i in _children(table, "input"))
    outputs = tuple(_read_output(pf, o, problems) for o in _children(table, "output"))
    if aggregation and len(outputs) != 1:
        problems.append(element_problem(pf, table, "an aggregated table needs exactly one output"))
    rules = tuple(
        _read_rule(pf, r, n, inputs, problems) for n, r in enumerate(_children(table, "rule"), start=1)
    )
    required = []
    for requirement in _children(el, "informationRequirement"):
        for ref in _children(requirement, "requiredDecision"):
            required.append((ref.get("href") or "").split("#")[-1])
    return Decision(
        el.get("id"),
        el.get("name"),
        policy,
        aggregation,
        inputs,
        outputs,
        rules,
        tuple(required),
        pf.source.name,
    )


def _compiled(pf: ParsedFile, el: Any, python: str, problems: list[DeployProblem]) -> str:
    reason = check_compiles(python)
    if reason:
        problems.append(element_problem(pf, el, f"expression refused: {reason}"))
    return python


def _expression(text: str) -> str:
    """A cell expression: JUEL if wrapped in ``${}``, else FEEL, else Python."""
    if expressions.is_el(text):
        return expressions.to_python(text)
    try:
        return feel.expression(text)
    except feel.FeelError:
        expressions.check_syntax(text)  # not FEEL: SpiffWorkflow-style Python, if it parses
        return text


def _read_input(pf: ParsedFile, el: Any, problems: list[DeployProblem]) -> Input:
    expression_el = _children(el, "inputExpression")
    text = _text(expression_el[0], "text") if expression_el else ""
    label = el.get("label")
    variable = el.get("{http://camunda.org/schema/1.0/dmn}inputVariable") or DEFAULT_INPUT_VARIABLE
    try:
        python = _expression(text or (label or "").strip())  # an empty expression names the label
    except (expressions.ExpressionError, feel.FeelError) as exc:
        problems.append(element_problem(pf, el, f"input {label or el.get('id')!r}: {exc}"))
        python = "None"
    return Input(el.get("id") or "", label, _compiled(pf, el, python, problems), variable)


def _read_output(pf: ParsedFile, el: Any, problems: list[DeployProblem]) -> Output:
    name = (el.get("name") or el.get("label") or el.get("id") or "").strip()
    values: list[Any] = []
    allowed = _children(el, "outputValues")
    if allowed:
        try:
            values = [_literal(v) for v in _split_list(_text(allowed[0], "text"))]
        except (feel.FeelError, ValueError) as exc:
            problems.append(element_problem(pf, el, f"output values: {exc}"))
    return Output(el.get("id") or "", name, tuple(values))


def _split_list(text: str) -> list[str]:
    parts, depth, quote, current = [], 0, False, ""
    for char in text:
        if char == '"':
            quote = not quote
        elif not quote and char in "[(":
            depth += 1
        elif not quote and char in "])":
            depth -= 1
        if char == "," and not quote and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return [*parts, current.strip()] if current.strip() else parts


def _literal(text: str) -> Any:
    from ast import literal_eval

    return literal_eval(feel.expression(text))


def _read_rule(
    pf: ParsedFile, el: Any, number: int, inputs: tuple[Input, ...], problems: list[DeployProblem]
) -> Rule:
    entries, outputs = _children(el, "inputEntry"), _children(el, "outputEntry")
    tests: list[str | None] = []
    for entry, column in zip(entries, inputs, strict=False):
        text = _text(entry, "text")
        try:
            if expressions.is_el(text):
                test: str | None = expressions.to_python(text)
            else:
                test = _unary(text, column.variable)
        except (expressions.ExpressionError, feel.FeelError) as exc:
            problems.append(element_problem(pf, entry, f"rule {number}: {exc}"))
            test = None
        tests.append(_compiled(pf, entry, test, problems) if test else None)
    if len(entries) != len(inputs):
        problems.append(element_problem(pf, el, f"rule {number} has {len(entries)} input entries"))
    results: list[str | None] = []
    for entry in outputs:
        text = _text(entry, "text")
        try:
            results.append(_compiled(pf, entry, _expression(text), problems) if text else None)
        except (expressions.ExpressionError, feel.FeelError) as exc:
            problems.append(element_problem(pf, entry, f"rule {number}: {exc}"))
            results.append(None)
    return Rule(el.get("id") or str(number), number, tuple(tests), tuple(results))


def _unary(text: str, variable: str) -> str | None:
    try:
        return feel.unary_tests(text, variable)
    except feel.FeelError:
        # SpiffWorkflow-style Python cells: "?" for the input ("65 <= ? < 76.61"), a comparison to
        # complete ("> 3"), or a value to equal
        marked = re.sub(r"\?(?=(?:[^'\"]|'[^']*'|\"[^\"]*\")*$)", variable, text) if "?" in text else None
        for candidate in (marked, f"{variable} {text}", f"{variable} == ({text})"):
            if candidate is None:
                continue
            if not check_compiles(candidate):
                return candidate
        raise


def check_requirements(decisions: Mapping[str, Decision]) -> list[tuple[Decision, str]]:
    """Required decisions that are missing, or that lead back to the requiring decision."""
    problems = []
    for decision in decisions.values():
        for required in decision.required:
            if required not in decisions:
                problems.append((decision, f"requires decision {required!r}, which is not deployed"))
        seen, pending = set(), list(decision.required)
        while pending:
            current = pending.pop()
            if current == decision.id:
                problems.append((decision, "requires itself through its required decisions"))
                break
            if current not in seen and current in decisions:
                seen.add(current)
                pending.extend(decisions[current].required)
    return problems
