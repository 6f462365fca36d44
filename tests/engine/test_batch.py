"""Starting many instances at once: each is what instances.start would have made (own task ids,
own data, same inbox tasks, same audit start), and an instance the template cannot stand for is
started the ordinary way."""

from __future__ import annotations

import json

from engine import batch, demo, deploy, instances, users
from engine.bpmn.template import StartTemplate
from engine.deploy import definition_ref, latest, model_of
from tests.processes.regency import library

SHARED = {"tahun": 2027, "periode": "2027", "batas_skp": "2027-01-31T23:59:00+09:00"}


def own(person):
    return {"nip": person.nip, "nama": person.name, "unit": person.unit_id}


def test_a_batch_makes_the_same_instances_as_starting_one_by_one(engine):
    with engine.transaction() as tx:
        deploy.deploy(tx, library(), users.SYSTEM)
        demo.seed(tx, password=None)
    staff = [p for p in demo.people() if p.unit_id == "dukcapil"]
    with engine.transaction() as tx:
        one = instances.start(tx, "skp_perencanaan", users.SYSTEM, {**SHARED, **own(staff[0])}, "a/2027")
        many = batch.start_many(
            tx, "skp_perencanaan", users.SYSTEM, SHARED, [(own(p), f"{p.nip}/2027") for p in staff[1:]]
        )
    with engine.transaction(write=False) as tx:
        rows = [tx.store.instance(o.instance_id) for o in (one, *many)]
        started = [json.loads(tx.store.instance_events(r.id)[0].payload) for r in rows]
    states = [json.loads(r.state) for r in rows]
    # every instance has its own task ids, the same shape, its own subject and the shared data
    ids = [set(s["tasks"]) for s in states]
    assert all(not (a & b) for i, a in enumerate(ids) for b in ids[i + 1 :])
    shape = [sorted((t["task_spec"], t["state"]) for t in s["tasks"].values()) for s in states]
    assert all(x == shape[0] for x in shape)
    assert [r.subject_nip for r in rows] == [p.nip for p in staff]
    assert [s["data"] for s in started] == [{**SHARED, **own(p)} for p in staff]
    assert [r.next_due_at for r in rows] == [rows[0].next_due_at] * len(rows)
    # and each one's first task is in its own employee's inbox
    assert [o.open_tasks[0].assignee for o in (one, *many)] == [p.username for p in staff]


def test_a_batch_started_instance_runs_to_the_end_like_any_other(engine):
    with engine.transaction() as tx:
        deploy.deploy(tx, library(), users.SYSTEM)
        demo.seed(tx, password=None)
    person = next(p for p in demo.people() if p.key == "petugas-kk")
    with engine.transaction() as tx:
        [outcome] = batch.start_many(tx, "skp_perencanaan", users.SYSTEM, SHARED, [(own(person), "x/2027")])
        employee = users.actor(tx, person.username)
    proposal = {
        "pendekatan": "KUALITATIF",
        "rencana_hasil_kerja": "Layanan KK selesai di hari yang sama",
        "iki": "Persentase KK selesai sehari",
        "target": 90,
        "satuan": "persen",
        "tanggal_dialog": "2027-01-05",
        "catatan_dialog": "Dibahas bersama kepala seksi identitas.",
    }
    with engine.transaction() as tx:
        review = instances.complete(tx, outcome.open_tasks[0].id, proposal, employee).open_tasks[0]
    assert review.bpmn_id == "reviu_skp"
    with engine.transaction() as tx:  # offered to the penilai alone, who takes it
        boss = users.actor(tx, *review.candidate_users)
        instances.claim(tx, review.id, boss)
    with engine.transaction() as tx:
        done = instances.complete(
            tx,
            review.id,
            {
                "ekspektasi_pimpinan": "Semua KK selesai di hari yang sama.",
                "umpan_balik_skp": "Target menantang namun wajar.",
                "keputusan_skp": "SETUJU",
            },
            boss,
        )
    assert done.status == "completed"


def test_data_the_start_reads_or_writes_is_not_templated(engine):
    with engine.transaction() as tx:
        deploy.deploy(tx, library(), users.SYSTEM)
        model = model_of(tx, definition_ref(tx, latest(tx, "skp_perencanaan").id))
    template = StartTemplate(model, SHARED)
    assert template.fits({"nip": "199001012020012001", "nama": "Ani"})
    assert not template.fits({"tahun": 2028})  # shared data is the template's
    assert not template.fits({"putaran_revisi": 3})  # the start script writes it


FIRST_STEP = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">
  <bpmn:process id="mulai" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    {first}
    <bpmn:userTask id="isi" name="Isi" camunda:assignee="${{nip}}"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="langkah"/>
    <bpmn:sequenceFlow id="f2" sourceRef="langkah" targetRef="isi"/>
    <bpmn:sequenceFlow id="f3" sourceRef="isi" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>"""
SERVICE = (
    '<bpmn:serviceTask id="langkah" name="Ambil data" camunda:type="hr.lookup">'
    "<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>"
)
ENDLESS = (
    '<bpmn:scriptTask id="langkah" name="Ulang" scriptFormat="python"><bpmn:incoming>f1</bpmn:incoming>'
    "<bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>while True:\n    x = 1</bpmn:script></bpmn:scriptTask>"
)


def deploy_first_step(engine, first: str) -> None:
    from engine.bpmn.parser import ModelSource

    with engine.transaction() as tx:
        deploy.deploy(tx, [ModelSource("mulai.bpmn", FIRST_STEP.format(first=first).encode())], users.SYSTEM)


def test_a_service_task_at_the_start_runs_once_per_instance_with_its_own_data(engine):
    seen = []
    engine.services.register("hr.lookup", lambda data, ctx: seen.append(data["nip"]) or {"golongan": "III/a"})
    deploy_first_step(engine, SERVICE)
    with engine.transaction() as tx:
        started = batch.start_many(
            tx, "mulai", users.SYSTEM, {"tahun": 2027}, [({"nip": n}, n) for n in ("1", "2")]
        )
    assert seen == ["1", "2"]  # never once for a template with no employee in it
    assert [(o.status, o.open_tasks[0].assignee) for o in started] == [("running", "1"), ("running", "2")]


def test_a_script_that_never_ends_at_the_start_is_stopped_and_the_launch_refused(database_url, clock):
    import pytest

    from engine.errors import ProcessFailed
    from engine.runtime import Engine, Settings

    engine = Engine(database_url, clock=clock, settings=Settings(script_seconds=0.2))
    try:
        deploy_first_step(engine, ENDLESS)
        with pytest.raises(ProcessFailed, match="ran longer than") as refused, engine.transaction() as tx:
            batch.start_many(tx, "mulai", users.SYSTEM, {}, [({"nip": "1"}, "1"), ({"nip": "2"}, "2")])
        assert refused.value.element == "langkah"
        with engine.transaction(write=False) as tx:
            assert tx.store.instances(process_key="mulai")[1] == 0
    finally:
        engine.close()
