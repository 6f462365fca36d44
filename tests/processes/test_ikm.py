"""The IKM survey of a service unit: the 25-100 index, the A-D category with its exact boundaries,
and retraining for the unit's front-line staff when the category is C or D or an element is weak."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine import cycle, deploy, instances, tasks, users
from engine.bpmn.parser import ModelSource
from tests.processes.regency import PEOPLE, PROCESSES

# a model that only asks the real decision table, to pin its boundaries
PROBE = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">
  <bpmn:process id="probe_mutu" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:businessRuleTask id="mutu" camunda:decisionRef="mutu_pelayanan_ikm"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:businessRuleTask>
    <bpmn:userTask id="lihat" camunda:candidateGroups="bkpsdm"><bpmn:extensionElements><camunda:formData>
      <camunda:formField id="catatan" label="Catatan" type="string" /></camunda:formData></bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="mutu" /><bpmn:sequenceFlow id="f2" sourceRef="mutu" targetRef="lihat" />
    <bpmn:sequenceFlow id="f3" sourceRef="lihat" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>"""
BOUNDARIES = [
    (25.0, "D"),
    (64.99, "D"),
    (65.0, "C"),
    (76.6, "C"),
    (76.61, "B"),
    (88.3, "B"),
    (88.31, "A"),
    (100.0, "A"),
]


def test_the_category_boundaries_are_exactly_those_of_permenpanrb_14_2017(engine):
    dmn = PROCESSES / "mutu_pelayanan_ikm.dmn"
    with engine.transaction() as tx:
        deploy.deploy(
            tx, [ModelSource("probe.bpmn", PROBE), ModelSource(dmn.name, dmn.read_bytes())], users.SYSTEM
        )
    found = []
    for value, _ in BOUNDARIES:
        with engine.transaction() as tx:
            [task] = instances.start(tx, "probe_mutu", users.SYSTEM, {"ikm_konversi": value}).open_tasks
            hr = users.Actor("uji", frozenset({"bkpsdm"}))
            found.append((value, tasks.show(tx, task.id, hr).data["mutu_pelayanan"]))
    assert found == BOUNDARIES


def survey(regency, unit="pkm-wanggar"):
    with regency.engine.transaction() as tx:
        data = cycle.survey_data(tx, unit, "2027-S1")
    return regency.start("survei_ikm", data, business_key=f"{unit}/2027-S1")


def scores(each, **special):
    values = {f"skor_u{i}": each for i in range(1, 10)}
    values.update(special)
    return {"jumlah_responden": 10, **values}


PUBLISH = {"tanggal_publikasi": "2027-07-10", "media_publikasi": "Papan pengumuman puskesmas"}
FRONTLINE = ["dokter", "perawat-1", "perawat-2", "perawat-3", "bidan-1", "bidan-2", "bidan-3", "loket-pkm"]


@pytest.mark.parametrize(
    ("each", "special", "index", "mutu", "weak"),
    [
        (25, {}, 62.5, "D", [f"U{i}" for i in range(1, 10)]),
        (28, {}, 70.0, "C", [f"U{i}" for i in range(1, 10)]),
        (38, {"skor_u6": 28}, 92.22, "A", ["U6"]),
    ],
    ids=["D", "C", "A-with-weak-U6"],
)
def test_weak_service_retrains_every_front_line_employee(regency, each, special, index, mutu, weak):
    started = survey(regency)
    regency.complete("kapus", "rekap_survei", scores(each, **special))
    publish = regency.task("kapus", "publikasikan_ikm")
    data = regency.detail(publish.id, "kapus")["data"]
    assert (data["ikm_konversi"], data["mutu_pelayanan"], data["unsur_lemah"]) == (index, mutu, weak)
    regency.complete("kapus", "publikasikan_ikm", PUBLISH)
    regency.complete(
        "kapus",
        "susun_rencana_tindak_lanjut",
        {
            "akar_masalah": "Petugas loket belum terlatih menangani antrean pagi.",
            "tindakan": "Pelatihan pelayanan prima dan pengaturan ulang alur pendaftaran.",
            "jenis_tindakan": "PELATIHAN",
        },
    )
    regency.complete(
        "analis-sdm",
        "jadwalkan_pelatihan_ulang",
        {
            "nama_pelatihan": "Pelayanan prima di puskesmas",
            "jp_pelatihan": 8,
            "batas_pelatihan": "2027-08-31",
        },
        scope="queue",
    )
    # every front-line employee of the unit, and nobody else, has the retraining task
    for key in FRONTLINE:
        task = regency.task(key, "ikuti_pelatihan_ulang")
        assert task.assignee == PEOPLE[key].username
    assert regency.inbox("apoteker") == [] and regency.inbox("perawat-pustu") == []
    for key in FRONTLINE:
        outcome = regency.complete(
            key, "ikuti_pelatihan_ulang", {"jp_diperoleh": 8, "bukti_pelatihan": f"SERT-{key}"}
        )
    # then the follow-up is monitored after 90 days
    assert outcome.status == "running" and outcome.open_tasks == []
    with regency.engine.transaction(write=False) as tx:
        row = tx.store.instance(started.instance_id)
    assert row.next_due_at == regency.clock.now() + timedelta(days=90)


def test_good_service_is_published_and_needs_nothing_more(regency):
    started = survey(regency, "distrik-wanggar")
    regency.complete("kadistrik", "rekap_survei", scores(33))
    regency.complete("kadistrik", "publikasikan_ikm", PUBLISH)
    final = regency.final_data(started.instance_id)
    assert (final["ikm_konversi"], final["mutu_pelayanan"], final["perlu_tindak_lanjut"]) == (
        82.5,
        "B",
        False,
    )
    assert regency.inbox("staf-yan-1") == []


def test_impossible_scores_come_back_for_correction(regency):
    survey(regency)
    regency.complete("kapus", "rekap_survei", scores(33, skor_u3=50))  # more than 4 x 10 respondents
    again = regency.task("kapus", "rekap_survei")
    assert "antara 1 dan 4 kali" in regency.detail(again.id, "kapus")["data"]["catatan_sistem"]


def test_only_service_units_run_a_survey(regency):
    with regency.engine.transaction() as tx, pytest.raises(Exception, match="does not serve the public"):
        cycle.survey_data(tx, "bkpsdm", "2027-S1")
