"""processes/ is data, and this test reads all of it: every file deploys through the engine's own
deploy, every process is drawn (diagram interchange for every element), and every human task has a
typed, constrained form, people, a due date and a reminder."""

from __future__ import annotations

import pytest
from lxml import etree

from engine import deploy, users
from tests.processes.regency import PROCESSES, library

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
}
CAMUNDA = "{http://camunda.org/schema/1.0/bpmn}"
BPMN_FILES = sorted(PROCESSES.glob("*.bpmn"))
ROLES = {"pegawai", "penilai", "atasan_penilai", "pimpinan_unit", "bkpsdm", "pengelola_kinerja"}


def test_every_file_deploys_as_one_bundle(engine):
    with engine.transaction() as tx:
        deployed = deploy.deploy(tx, library(), users.SYSTEM, "library check")
    keys = {d.key for d in deployed}
    processes = {
        p.get("id") for f in BPMN_FILES for p in etree.parse(str(f)).getroot().iterfind("bpmn:process", NS)
    }
    assert processes <= keys
    assert len(BPMN_FILES) >= 1


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_every_element_and_flow_is_drawn_in_lanes_named_after_roles(path):
    root = etree.parse(str(path)).getroot()
    drawn = {s.get("bpmnElement") for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    drawn |= {e.get("bpmnElement") for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    for process in root.iterfind("bpmn:process", NS):
        elements = [
            el
            for el in process.iterchildren(f"{{{NS['bpmn']}}}*")
            if etree.QName(el).localname not in ("laneSet", "documentation", "extensionElements")
        ]
        elements += process.findall(".//bpmn:lane", NS) + root.findall(".//bpmn:participant", NS)
        missing = [el.get("id") for el in elements if el.get("id") not in drawn]
        assert missing == [], f"{path.name}: not drawn: {missing}"
        lanes = {lane.get("name") for lane in process.iterfind(".//bpmn:lane", NS)}
        assert lanes and lanes <= ROLES, f"{path.name}: lanes {lanes}"
    for edge in root.iterfind(".//bpmndi:BPMNEdge", NS):
        assert len(edge.findall("{http://www.omg.org/spec/DD/20100524/DI}waypoint")) >= 2


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_every_human_task_has_a_typed_constrained_form_people_a_due_date_and_a_reminder(path):
    root = etree.parse(str(path)).getroot()
    for task in root.iterfind(".//bpmn:userTask", NS):
        name = f"{path.name}#{task.get('id')}"
        assert task.get(f"{CAMUNDA}dueDate"), f"{name}: no due date"
        assert task.get(f"{CAMUNDA}followUpDate"), f"{name}: no reminder (follow-up date)"
        people = ("assignee", "candidateUsers", "candidateGroups")
        assert any(task.get(f"{CAMUNDA}{p}") for p in people), f"{name}: nobody"
        fields = task.findall(".//camunda:formField", NS)
        assert fields, f"{name}: no form"
        for f in fields:
            assert f.get("type") in ("string", "long", "boolean", "date", "enum"), f"{name}.{f.get('id')}"
            assert f.get("label"), f"{name}.{f.get('id')}: no label"
            constraints = {c.get("name") for c in f.iterfind(".//camunda:constraint", NS)}
            assert constraints or f.get("type") in ("boolean", "enum"), f"{name}.{f.get('id')}: unconstrained"
            if f.get("type") == "string" and "readonly" not in constraints:
                assert "maxlength" in constraints, f"{name}.{f.get('id')}: text without a maximum length"
