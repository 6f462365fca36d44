"""A diagram with several mistakes: every one comes back in one response, each at its element."""

from __future__ import annotations

import pytest

from engine import deploy, users
from engine.bpmn.parser import ModelSource
from engine.errors import DeploymentFailed

MISTAKES = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">
  <bpmn:message id="Msg_ok" name="ok" />
  <bpmn:process id="keliru" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="tanpa_orang" name="Tanpa orang"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="formulir" name="Formulir" camunda:candidateGroups="pegawai">
      <bpmn:extensionElements><camunda:formData>
        <camunda:formField id="warna" label="Warna" type="color" />
        <camunda:formField id="jumlah" label="Jumlah" type="long"><camunda:validation><camunda:constraint name="maxi" config="3" /></camunda:validation></camunda:formField>
      </camunda:formData></bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:intermediateCatchEvent id="tunggu" name="Tunggu surat"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:messageEventDefinition messageRef="Msg_hilang" /></bpmn:intermediateCatchEvent>
    <bpmn:exclusiveGateway id="pilih" name="Pilih?"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing><bpmn:outgoing>f6</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:scriptTask id="hitung" name="Hitung"><bpmn:incoming>f5</bpmn:incoming><bpmn:outgoing>f7</bpmn:outgoing>
      <bpmn:script>import os</bpmn:script></bpmn:scriptTask>
    <bpmn:scriptTask id="js" name="JavaScript" scriptFormat="javascript"><bpmn:incoming>f6</bpmn:incoming><bpmn:outgoing>f8</bpmn:outgoing>
      <bpmn:script>var x = 1;</bpmn:script></bpmn:scriptTask>
    <bpmn:serviceTask id="kirim" name="Kirim" camunda:class="org.example.Kirim"><bpmn:incoming>f7</bpmn:incoming><bpmn:outgoing>f9</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:exclusiveGateway id="gabung"><bpmn:incoming>f8</bpmn:incoming><bpmn:incoming>f9</bpmn:incoming><bpmn:outgoing>f10</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="e"><bpmn:incoming>f10</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="tanpa_orang"/>
    <bpmn:sequenceFlow id="f2" sourceRef="tanpa_orang" targetRef="formulir"/>
    <bpmn:sequenceFlow id="f3" sourceRef="formulir" targetRef="tunggu"/>
    <bpmn:sequenceFlow id="f4" sourceRef="tunggu" targetRef="pilih"/>
    <bpmn:sequenceFlow id="f5" sourceRef="pilih" targetRef="hitung"/>
    <bpmn:sequenceFlow id="f6" sourceRef="pilih" targetRef="js"/>
    <bpmn:sequenceFlow id="f7" sourceRef="hitung" targetRef="kirim"/>
    <bpmn:sequenceFlow id="f8" sourceRef="js" targetRef="gabung"/>
    <bpmn:sequenceFlow id="f9" sourceRef="kirim" targetRef="gabung"><bpmn:conditionExpression>${ok &amp;&amp;}</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f10" sourceRef="gabung" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_every_mistake_comes_back_at_once_with_its_element(engine):
    with engine.transaction() as tx, pytest.raises(DeploymentFailed) as caught:
        deploy.deploy(tx, [ModelSource("keliru.bpmn", MISTAKES.encode())], users.SYSTEM)
    found = {(p.element, p.element_name): p.message for p in caught.value.problems}
    assert all(p.file == "keliru.bpmn" and p.line for p in caught.value.problems)
    expected = {
        ("f9", None): "expected",  # the JUEL condition does not parse
        ("tanpa_orang", "Tanpa orang"): "no lane, candidate group, candidate user or assignee",
        ("warna", None): "type 'color'",
        ("jumlah", None): "unknown constraint 'maxi'",
        ("tunggu", "Tunggu surat"): "messageRef 'Msg_hilang' names no message",
        ("pilih", "Pilih?"): "2 outgoing flows but no condition and no default",
        ("hitung", "Hitung"): "imports are not allowed",
        ("js", "JavaScript"): "script format 'javascript' is not supported",
        ("kirim", "Kirim"): "no service handler is registered for 'org.example.Kirim'",
    }
    assert set(found) == set(expected)
    for where, reason in expected.items():
        assert reason in found[where], (where, found[where])
    # the response body an API client gets lists them all, each with its element
    assert len(caught.value.to_dict()["errors"]) == len(expected)
