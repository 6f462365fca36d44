"""Decision tables as dmn-js writes them: every FEEL unary test form, every hit policy, Camunda's invoice."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from engine.bpmn.lint import LENIENT
from engine.bpmn.parser import ModelSource, compile_bundle
from engine.bpmn.runner import Execution
from engine.errors import DeploymentFailed, ProcessFailed

COMPAT = Path(__file__).resolve().parents[3] / "shared" / "compat"

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">
  <bpmn:process id="decide" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:businessRuleTask id="rule" name="Rule" camunda:decisionRef="{ref}" {result}><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:businessRuleTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="rule"/>
    <bpmn:sequenceFlow id="f2" sourceRef="rule" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>"""


def dmn(table: str, decision_id: str = "d") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" '
        'xmlns:camunda="http://camunda.org/schema/1.0/dmn" id="defs" name="t" namespace="t">'
        f'<decision id="{decision_id}" name="Decision">{table}</decision></definitions>'
    )


def table(
    policy: str,
    inputs: list[str],
    outputs: list[str],
    rules: list[tuple[list[str], list[str]]],
    extra: str = "",
) -> str:
    cols = "".join(
        f'<input id="i{n}" label="{e}"><inputExpression id="ie{n}"><text>{e}</text></inputExpression></input>'
        for n, e in enumerate(inputs)
    )
    outs = "".join(f'<output id="o{n}" name="{o}" />' for n, o in enumerate(outputs))
    rows = "".join(
        f'<rule id="r{n}">'
        + "".join(
            f"<inputEntry id='r{n}i{k}'><text>{escape(c)}</text></inputEntry>" for k, c in enumerate(cells)
        )
        + "".join(
            f"<outputEntry id='r{n}o{k}'><text>{escape(c)}</text></outputEntry>" for k, c in enumerate(outs_)
        )
        + "</rule>"
        for n, (cells, outs_) in enumerate(rules, start=1)
    )
    return f'<decisionTable id="t" hitPolicy="{policy}" {extra}>{cols}{outs}{rows}</decisionTable>'


def run(dmn_text: str, data: dict, mapping: str | None = "resultList", ref: str = "d"):
    result = f'camunda:resultVariable="result" camunda:mapDecisionResult="{mapping}"' if mapping else ""
    bpmn = BPMN.replace("{ref}", ref).replace("{result}", result)
    models = compile_bundle(
        [ModelSource("p.bpmn", bpmn.encode()), ModelSource("d.dmn", dmn_text.encode())], LENIENT
    )
    execution = Execution.start(models["decide"], data)
    assert execution.completed
    return execution.data["result"] if mapping else execution.data


UNARY = [
    ('"A","B"', "B", True),
    ('"A","B"', "C", False),
    ("[250..1000]", 250, True),
    ("[250..1000]", 1000, True),
    ("[250..1000]", 1000.5, False),
    ("]1..5[", 1, False),
    ("]1..5[", 3, True),
    ("]1..5[", 5, False),
    ("(1..5]", 1, False),
    ("(1..5]", 5, True),
    ("[1..5)", 5, False),
    ("< 1000", 999, True),
    ("< 1000", 1000, False),
    ("<= 10", 10, True),
    ("> 10", 10, False),
    (">= 10", 10, True),
    ('!= "x"', "y", True),
    ('!= "x"', "x", False),
    ('not("x")', "y", True),
    ('not("x")', "x", False),
    ('not("a", "b")', "b", False),
    ("not([1..3])", 4, True),
    ("-", "anything", True),
    ("", None, True),
    ("null", None, True),
    ("null", 0, False),
    ("true", True, True),
    ("false", True, False),
    ("? > 3 and ? < 9", 5, True),
    ("? > 3 and ? < 9", 9, False),
    ("> limit", 7, True),
    ("[limit - 2..limit * 2]", 10, True),
    ("< 1, > 100", 50, False),
    ("< 1, > 100", 101, True),
    ('>= date("2027-01-01")', date(2027, 2, 1), True),
    ('>= date("2027-01-01")', date(2026, 12, 31), False),
    ("${cellInput > 5}", 6, True),
    ("'x'", "x", True),  # JUEL and SpiffWorkflow's Python cells too
]


@pytest.mark.parametrize("cell,value,matches", UNARY, ids=[f"{c} @ {v}" for c, v, _ in UNARY])
def test_feel_unary_tests(cell, value, matches):
    decision = dmn(table("UNIQUE", ["value"], ["hit"], [([cell], ["true"])]))
    assert run(decision, {"value": value, "limit": 5}) == ([{"hit": True}] if matches else [])


OVERLAP = [([">= 0"], ['"low"', "1"]), ([">= 100"], ['"high"', "5"]), ([">= 100"], ['"mid"', "3"])]
LEVELS = '<outputValues><text>"high","mid","low"</text></outputValues>'


def levels(policy: str) -> str:
    text = table(policy, ["amount"], ["level", "points"], OVERLAP)
    return dmn(
        text.replace('<output id="o0" name="level" />', f'<output id="o0" name="level">{LEVELS}</output>')
    )


@pytest.mark.parametrize(
    "policy,expected",
    [
        ("FIRST", ["low"]),
        ("PRIORITY", ["high"]),
        ("OUTPUT ORDER", ["high", "mid", "low"]),
        ("RULE ORDER", ["low", "high", "mid"]),
        ("COLLECT", ["low", "high", "mid"]),
    ],
)
def test_hit_policies_choose_their_rules(policy, expected):
    assert [r["level"] for r in run(levels(policy), {"amount": 150})] == expected
    assert [r["level"] for r in run(levels(policy), {"amount": 50})] == ["low"]


def test_unique_refuses_overlapping_rules_instead_of_taking_the_first():
    assert run(levels("UNIQUE"), {"amount": 50}) == [{"level": "low", "points": 1}]
    with pytest.raises(
        ProcessFailed, match="rules 1, 2, 3 all match, but its hit policy is UNIQUE"
    ) as caught:
        run(levels("UNIQUE"), {"amount": 150})
    assert caught.value.element == "rule"


def test_any_needs_agreeing_rules():
    agreeing = [([">= 0"], ['"ok"']), (["> 10"], ['"ok"']), (["> 100"], ['"no"'])]
    decision = dmn(table("ANY", ["amount"], ["verdict"], agreeing))
    assert run(decision, {"amount": 50}) == [{"verdict": "ok"}]
    with pytest.raises(ProcessFailed, match="matching rules disagree"):
        run(decision, {"amount": 500})


@pytest.mark.parametrize(
    "aggregation,amount,expected",
    [
        ("SUM", 150, 9),
        ("MIN", 150, 1),
        ("MAX", 150, 5),
        ("COUNT", 150, 3),
        ("COUNT", -1, 0),
        ("SUM", -1, None),
    ],
)
def test_collect_aggregations(aggregation, amount, expected):
    points = [(cells, [outs[1]]) for cells, outs in OVERLAP]
    decision = dmn(table("COLLECT", ["amount"], ["points"], points, f'aggregation="{aggregation}"'))
    assert run(decision, {"amount": amount}, "singleEntry") == expected


def test_result_mappings_and_merging_without_a_result_variable():
    decision = levels("RULE ORDER")
    assert run(decision, {"amount": 50}, "singleResult") == {"level": "low", "points": 1}
    assert run(decision, {"amount": 150}, "resultList")[1] == {"level": "high", "points": 5}
    one_output = dmn(table("RULE ORDER", ["amount"], ["level"], [(c, [o[0]]) for c, o in OVERLAP]))
    assert run(one_output, {"amount": 150}, "collectEntries") == ["low", "high", "mid"]
    assert run(one_output, {"amount": 50}, "singleEntry") == "low"
    with pytest.raises(ProcessFailed, match="singleEntry needs at most one matching rule, but 3 match"):
        run(one_output, {"amount": 150}, "singleEntry")
    merged = run(decision, {"amount": 150}, mapping=None)  # SpiffWorkflow style: outputs into the data
    assert merged["level"] == ["low", "high", "mid"] and merged["points"] == [1, 5, 3]


def test_bad_cells_are_deploy_errors_naming_the_rule():
    bad = dmn(table("UNIQUE", ["amount"], ["level"], [(["[1..]"], ['"a"']), (["< 3"], ["__import__('os')"])]))
    with pytest.raises(DeploymentFailed) as caught:
        run(bad, {})
    assert [(p.element, p.file) for p in caught.value.problems] == [("r1i0", "d.dmn"), ("r2o0", "d.dmn")]
    assert "rule 1" in caught.value.problems[0].message


INVOICE = [
    (100, "Misc", ["accounting", "sales"]),
    (250, "Misc", ["management"]),
    (1000, "Misc", ["management"]),
    (1000.01, "Misc", ["management"]),
    (5000, "Travel Expenses", ["accounting", "sales"]),
    (10, "Software License Costs", ["management"]),
]


@pytest.mark.parametrize("amount,category,approvers", INVOICE)
def test_the_camunda_invoice_decisions_with_their_required_decision(amount, category, approvers):
    decisions = (COMPAT / "camunda-platform__invoiceBusinessDecisions.dmn").read_text()
    result = run(
        decisions,
        {"amount": amount, "invoiceCategory": category},
        "collectEntries",
        "invoice-assign-approver",
    )
    assert result == approvers
    classification = run(
        decisions, {"amount": amount, "invoiceCategory": category}, "singleEntry", "invoiceClassification"
    )
    assert classification == {"accounting": "day-to-day expense"}.get(approvers[0], classification)
