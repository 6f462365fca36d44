"""Evaluating decision tables, and the business rule task that stores their result.

Hit policies as DMN 1.3 and Camunda define them: UNIQUE (two matching rules are an error, not the
first match), FIRST, PRIORITY and OUTPUT ORDER (by the order of the output's allowed values), ANY
(matching rules must agree), RULE ORDER, COLLECT (with SUM, MIN, MAX or COUNT). Required decisions
are evaluated first and their outputs are visible to the requiring one by output name. On the task,
``camunda:resultVariable`` with ``camunda:mapDecisionResult`` (singleEntry, singleResult,
collectEntries, resultList) stores the result as Camunda does; without a result variable, the outputs
are merged into the task data (SpiffWorkflow's behaviour, which its own models rely on).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.mixins import BpmnSpecMixin
from SpiffWorkflow.camunda.parser.task_spec import CAMUNDA_MODEL_NS, CamundaTaskParser
from SpiffWorkflow.specs.base import TaskSpec
from SpiffWorkflow.task import Task as SpiffTask

from engine.bpmn.dmn import Decision, Rule

Evaluate = Callable[[str, dict[str, Any]], Any]
Result = list[dict[str, Any]]  # one entry per selected rule: output name -> value
MAPPINGS = ("singleEntry", "singleResult", "collectEntries", "resultList")


class DecisionFailed(ValueError):
    """A decision cannot give a result: overlapping UNIQUE rules, disagreeing ANY rules, a bad mapping."""


def decide(
    decision_id: str, decisions: Mapping[str, Decision], data: Mapping[str, Any], run: Evaluate
) -> Result:
    """Evaluate one decision (and the decisions it requires) over the data."""
    context = dict(data)
    for required in decisions[decision_id].required:
        context.update(_as_variables(decide(required, decisions, context, run)))
    return _evaluate_table(decisions[decision_id], context, run)


def _as_variables(result: Result) -> dict[str, Any]:
    if len(result) == 1:
        return dict(result[0])
    names = {name for entry in result for name in entry}
    return {name: [entry.get(name) for entry in result] for name in names}


def _evaluate_table(decision: Decision, context: dict[str, Any], run: Evaluate) -> Result:
    scope = dict(context)
    values = []
    for column in decision.inputs:
        value = run(column.expression, scope)
        values.append(value)
    matched = [rule for rule in decision.rules if _matches(rule, decision, values, scope, run)]
    chosen = _apply_policy(decision, matched, scope, run)
    return chosen


def _matches(rule: Rule, decision: Decision, values: list[Any], scope: dict[str, Any], run: Evaluate) -> bool:
    for test, column, value in zip(rule.tests, decision.inputs, values, strict=True):
        if test is not None and not run(test, {**scope, column.variable: value}):
            return False
    return True


def _outputs(rule: Rule, decision: Decision, scope: dict[str, Any], run: Evaluate) -> dict[str, Any]:
    return {
        column.name: (run(entry, scope) if entry is not None else None)
        for column, entry in zip(decision.outputs, rule.outputs, strict=False)
    }


def _apply_policy(decision: Decision, matched: list[Rule], scope: dict[str, Any], run: Evaluate) -> Result:
    policy = decision.hit_policy
    results = [_outputs(rule, decision, scope, run) for rule in matched]
    if policy == "UNIQUE" and len(matched) > 1:
        numbers = ", ".join(str(rule.number) for rule in matched)
        raise DecisionFailed(
            f"decision {decision.id!r}: rules {numbers} all match, but its hit policy is UNIQUE"
        )
    if policy == "ANY" and any(r != results[0] for r in results):
        raise DecisionFailed(f"decision {decision.id!r}: matching rules disagree, but its hit policy is ANY")
    if policy in ("PRIORITY", "OUTPUT ORDER"):
        results.sort(key=lambda entry: _priority(decision, entry))
    if policy in ("UNIQUE", "FIRST", "PRIORITY", "ANY"):
        return results[:1]
    if policy == "COLLECT" and decision.aggregation:
        return _aggregate(decision, results)
    return results


def _priority(decision: Decision, entry: dict[str, Any]) -> tuple[int, ...]:
    keys = []
    for column in decision.outputs:
        value = entry.get(column.name)
        keys.append(column.values.index(value) if value in column.values else len(column.values))
    return tuple(keys)


def _aggregate(decision: Decision, results: Result) -> Result:
    name = decision.outputs[0].name
    values = [entry[name] for entry in results if entry.get(name) is not None]
    if decision.aggregation == "COUNT":
        return [{name: len(values)}]
    if not values:
        return []
    combine: dict[str, Callable[[list[Any]], Any]] = {"SUM": sum, "MIN": min, "MAX": max}
    return [{name: combine[decision.aggregation or "SUM"](values)}]


def map_result(result: Result, mapping: str) -> Any:
    """Camunda's ``mapDecisionResult``: the shape the result variable takes."""
    if mapping == "resultList":
        return result
    if mapping == "collectEntries":
        return [_single_value(entry, mapping) for entry in result]
    if len(result) > 1:
        raise DecisionFailed(f"{mapping} needs at most one matching rule, but {len(result)} match")
    if mapping == "singleResult":
        return result[0] if result else None
    return _single_value(result[0], mapping) if result else None


def _single_value(entry: dict[str, Any], mapping: str) -> Any:
    if len(entry) != 1:
        raise DecisionFailed(f"{mapping} needs exactly one output, but the decision has {len(entry)}")
    return next(iter(entry.values()))


def merge_into(data: dict[str, Any], result: Result) -> None:
    """Without a result variable: each output under its name (``item.y`` into ``item``); lists if several."""
    for name, value in _as_variables(result).items():
        *path, last = name.split(".")
        target = data
        for part in path:
            target = target.setdefault(part, {})
        target[last] = value


class BusinessRuleTask(BpmnSpecMixin, TaskSpec):  # type: ignore[misc]
    """A ``businessRuleTask`` with ``camunda:decisionRef``, evaluated with the restricted engine."""

    def __init__(
        self,
        wf_spec: Any,
        bpmn_id: str,
        decision_id: str = "",
        decisions: Mapping[str, Decision] | None = None,
        result_variable: str | None = None,
        mapping: str = "resultList",
        **kwargs: Any,
    ) -> None:
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.decision_id = decision_id
        self.decisions = dict(decisions or {})
        self.result_variable = result_variable
        self.mapping = mapping

    def _run_hook(self, my_task: SpiffTask) -> bool:
        environment = my_task.workflow.script_engine.environment
        try:
            result = decide(self.decision_id, self.decisions, my_task.data, environment.evaluate)
            if self.result_variable:
                my_task.data[self.result_variable] = map_result(result, self.mapping)
            else:
                merge_into(my_task.data, result)
        except (DecisionFailed, ArithmeticError, LookupError, NameError, TypeError, ValueError) as exc:
            message = f"decision {self.decision_id!r} failed: {type(exc).__name__}: {exc}"
            if isinstance(exc, DecisionFailed):
                message = f"decision failed: {exc}"
            raise WorkflowTaskException(message, task=my_task, exception=exc) from exc
        return True


class BusinessRuleTaskParser(CamundaTaskParser):  # type: ignore[misc]
    """Builds our business rule task from ``camunda:decisionRef`` and the bundle's decisions."""

    def create_task(self) -> BusinessRuleTask:
        def attribute(name: str) -> str | None:
            value: str | None = self.node.get(f"{{{CAMUNDA_MODEL_NS}}}{name}")
            return value

        return BusinessRuleTask(
            self.spec,
            self.bpmn_id,
            decision_id=attribute("decisionRef") or "",
            decisions=getattr(self.process_parser.parser, "decisions", {}),
            result_variable=attribute("resultVariable") or None,
            mapping=attribute("mapDecisionResult") or "resultList",
            **self.bpmn_attributes,
        )

    @staticmethod
    def get_decision_ref(node: Any) -> str | None:
        ref: str | None = node.get(f"{{{CAMUNDA_MODEL_NS}}}decisionRef")
        return ref
