"""JUEL expressions as Camunda Modeler writes them: translated at deploy time, run over process data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from engine import deploy, users
from engine.bpmn.expressions import ExpressionError, to_python
from engine.bpmn.parser import ModelSource
from engine.bpmn.scripting import evaluate
from engine.bpmn.timing import clock as engine_clock
from engine.errors import DeploymentFailed
from tests.support import start

DATA = {
    "approved": True,
    "twitter": False,
    "amount": 1500,
    "urgent": True,
    "name": "Ani",
    "items": [],
    "invoice": {"lines": [{"price": 7}], "owner": {"nip": "1990"}},
    "missing": None,
}

CASES = {
    "${approved}": True,
    "#{!twitter}": True,
    "${not approved}": False,
    "${amount > 1000 && urgent}": True,
    "${amount gt 1000 and not urgent}": False,
    "${amount ge 1500 or twitter}": True,
    "${amount lt 10 || amount le 1500}": True,
    "${amount eq 1500 && name ne 'Budi'}": True,
    '${amount == 1500 and name != "Ani"}': False,
    "${empty items}": True,
    "${not empty name}": True,
    "${empty missing}": True,
    "${missing == null}": True,
    "${true and !false}": True,
    "${amount div 4 + 3 mod 2 - 1}": 375.0,
    "${-amount * 2}": -3000,
    "${amount > 1000 ? 'direktur' : 'kabid'}": "direktur",
    "${urgent ? amount > 2000 ? 'a' : 'b' : 'c'}": "b",
    "${invoice.owner.nip}": "1990",
    "${invoice['owner']['nip']}": "1990",
    "${invoice.lines[0].price * 3}": 21,
    "${invoice.nobody}": None,
    "${invoice.lines[5]}": None,
    "${name.lower()}": "ani",
    "Dear ${name}, total ${amount + 1}${missing}": "Dear Ani, total 1501",
    "${'it\\'s'}": "it's",
    "amount > 1000 and urgent": True,  # plain Python keeps working
}


@pytest.mark.parametrize("text,expected", CASES.items(), ids=list(CASES))
def test_juel_means_what_camunda_means(text, expected):
    assert evaluate(to_python(text), DATA) == expected


@pytest.mark.parametrize(
    "text,reason",
    [
        ("${a instanceof B}", "'instanceof' is not supported"),
        ("${fn:upper(name)}", "prefixed functions"),
        ("${x -> x + 1}", "lambda"),
        ("${class}", "cannot be used"),
        ("${amount >}", "unexpected"),
        ("${amount", "no closing"),
        ("${'open}", "no closing"),
        ("${a @ b}", "cannot read"),
    ],
)
def test_what_cannot_be_translated_is_refused_with_the_reason(text, reason):
    with pytest.raises(ExpressionError, match=reason):
        to_python(text)


def test_date_time_follows_the_engine_clock():
    moment = datetime(2027, 1, 31, 9, 30, tzinfo=UTC)
    with engine_clock(lambda: moment):
        assert evaluate(to_python("${dateTime().plusWeeks(1).toDate()}"), {}) == moment + timedelta(weeks=1)
        assert (
            evaluate(to_python("${dateTime().plusMonths(1).toLocalDate()}"), {}).isoformat() == "2027-02-28"
        )
        # the start of the business day: midnight in the deployment's zone (WIT by default)
        assert evaluate(to_python("${dateTime().minusDays(1).withTimeAtStartOfDay().toDate()}"), {}) == (
            datetime(2027, 1, 30, tzinfo=ZoneInfo("Asia/Jayapura"))
        )
        assert evaluate(to_python("${now()}"), {}) == moment
        assert evaluate(to_python("${dateTime().isBefore(dateTime().plusHours(1))}"), {}) is True


DUE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">
  <bpmn:process id="due" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="review" name="Review" camunda:candidateGroups="${approverGroups}"
        camunda:assignee="#{reviewers[0]}" camunda:dueDate="${dateTime().plusWeeks(1).toDate()}">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="review"/>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_a_camunda_due_date_and_list_expressions_reach_the_inbox(engine, clock):
    with engine.transaction() as tx:
        deploy.deploy(tx, [ModelSource("due.bpmn", DUE.encode())], users.SYSTEM)
    [task] = start(
        engine, "due", {"approverGroups": ["accounting", "sales"], "reviewers": ["budi"]}
    ).open_tasks
    assert task.due_at == clock.now() + timedelta(weeks=1)
    assert task.assignee == "budi" and task.candidate_roles == ("accounting", "sales")


def test_a_bad_expression_is_a_deploy_error_naming_its_element(engine):
    bad = DUE.replace("${dateTime().plusWeeks(1).toDate()}", "${dateTime(}")
    with engine.transaction() as tx, pytest.raises(DeploymentFailed) as caught:
        deploy.deploy(tx, [ModelSource("due.bpmn", bad.encode())], users.SYSTEM)
    [problem] = caught.value.problems
    assert (problem.element, problem.element_name, problem.file) == ("review", "Review", "due.bpmn")
