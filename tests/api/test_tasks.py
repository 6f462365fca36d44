"""Tasks over the API: the three scopes, one task with its form, claim, release, complete, and refusals."""

from __future__ import annotations

import pytest

from engine import deploy, users
from tests.api.conftest import assert_error
from tests.support import GOOD_PROPOSAL, NIP_ANI, NIP_BUDI, source, start
from tests.webapp.conftest import give_password

READ_QUEUE = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="https://kinerja.example/tests">
  <bpmn:process id="periksa" name="Periksa" isExecutable="true">
    <bpmn:startEvent id="mulai"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="periksa_berkas" name="Periksa berkas" camunda:candidateGroups="auditor,pegawai">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="selesai"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="mulai" targetRef="periksa_berkas" />
    <bpmn:sequenceFlow id="f2" sourceRef="periksa_berkas" targetRef="selesai" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def queued(engine, deployed, people):
    """A task in the pegawai queue (rencana kerja about Ani)."""
    return start(engine, "rencana_kerja", {"nama": "Ani", "nip": NIP_ANI}).open_tasks[0].id


@pytest.fixture
def assigned(engine, deployed, people):
    """A task the process assigned to Budi."""
    return start(engine, "assigned_review", {"penilai_nip": NIP_BUDI, "nip": NIP_ANI}).open_tasks[0].id


@pytest.fixture
def fajar(engine, people, password_hash):
    """A second pegawai: the queue's tasks are offered to him too."""
    with engine.transaction() as tx:
        made = users.add_user(tx, "fajar", ["pegawai"], display_name="Fajar")
        give_password(tx, "fajar", password_hash)
    return made


def test_the_three_scopes_list_the_callers_tasks_with_paging(api, queued, assigned):
    ani, budi = api("ani"), api("budi")
    queue = ani.get("/tasks?scope=queue").get_json()
    assert [t["id"] for t in queue["items"]] == [queued]
    assert queue["total"] == 1 and queue["page"] == 1 and queue["pages"] == 1
    task = queue["items"][0]
    assert {
        "id",
        "title",
        "bpmn_id",
        "instance_id",
        "process_key",
        "lane",
        "assignee",
        "candidate_roles",
        "status",
        "due_at",
        "created_at",
    } <= set(task)
    assert task["candidate_roles"] == ["pegawai"] and task["status"] == "open"
    assert ani.get("/tasks").get_json()["items"] == []  # mine is the default scope
    assert [t["id"] for t in budi.get("/tasks?scope=mine").get_json()["items"]] == [assigned]
    assert budi.get("/tasks?scope=archive").get_json()["total"] == 0


def test_pages_of_a_list(api, engine, deployed, people):
    for n in range(5):
        start(engine, "rencana_kerja", {"nama": f"P{n}"})
    ani = api("ani")
    first = ani.get("/tasks?scope=queue&page_size=2").get_json()
    last = ani.get("/tasks?scope=queue&page_size=2&page=3").get_json()
    assert (first["total"], first["pages"], len(first["items"])) == (5, 3, 2)
    assert len(last["items"]) == 1 and last["page"] == 3
    ids = {
        t["id"]
        for p in (1, 2, 3)
        for t in ani.get(f"/tasks?scope=queue&page_size=2&page={p}").get_json()["items"]
    }
    assert len(ids) == 5


@pytest.mark.parametrize("query", ["scope=everything", "page=0", "page_size=201", "page=x"])
def test_bad_list_arguments_are_422_naming_the_field(api, query):
    body = assert_error(api("ani").get(f"/tasks?{query}"), 422, "validation_failed")
    assert list(body["errors"]) == [query.split("=")[0]]


def test_one_task_with_its_form_and_data(api, queued):
    body = api("ani").get(f"/tasks/{queued}").get_json()
    assert body["id"] == queued and body["documentation"].startswith("Tuliskan")
    fields = {f["id"]: f for f in body["form"]}
    assert fields["jumlah"]["type"] == "long" and fields["jumlah"]["required"] is True
    assert (fields["jumlah"]["min"], fields["jumlah"]["max"]) == (1, 100)
    assert [o["id"] for o in fields["jenis"]["options"]] == ["UTAMA", "TAMBAHAN"]
    assert fields["jenis"]["default"] == "UTAMA" and fields["periode"]["readonly"] is True
    assert body["data"]["nama"] == "Ani"


def test_someone_elses_task_is_404_and_a_task_taken_from_my_queue_is_403(api, queued, assigned, fajar):
    assert_error(api("ani").get(f"/tasks/{assigned}"), 404, "not_found")  # not offered to Ani: unknown
    assert_error(api("budi").get(f"/tasks/{queued}"), 404, "not_found")
    assert_error(api("ani").get("/tasks/999999"), 404, "not_found")
    assert api("fajar").post(f"/tasks/{queued}/claim").status_code == 200
    body = assert_error(api("ani").get(f"/tasks/{queued}"), 403, "forbidden")  # it was in her queue
    assert "Ani" not in str(body)


def test_claim_and_release(api, queued):
    ani = api("ani")
    claimed = ani.post(f"/tasks/{queued}/claim")
    assert claimed.status_code == 200
    assert claimed.get_json()["status"] == "claimed" and claimed.get_json()["assignee"] == "ani"
    assert [t["id"] for t in ani.get("/tasks").get_json()["items"]] == [queued]
    assert_error(ani.post(f"/tasks/{queued}/claim"), 409, "conflict")
    released = ani.post(f"/tasks/{queued}/release")
    assert released.status_code == 200 and released.get_json()["status"] == "open"
    assert_error(ani.post(f"/tasks/{queued}/release"), 409, "conflict")


def test_claim_and_release_refusals(api, queued, assigned, fajar):
    assert_error(api("budi").post(f"/tasks/{queued}/claim"), 404, "not_found")
    assert_error(api("ani").post("/tasks/999999/claim"), 404, "not_found")
    assert_error(api("budi").post(f"/tasks/{assigned}/claim"), 409, "conflict")  # assigned: already his
    assert_error(api("budi").post(f"/tasks/{assigned}/release"), 409, "conflict")
    api("ani").post(f"/tasks/{queued}/claim")
    assert_error(api("fajar").post(f"/tasks/{queued}/claim"), 409, "conflict")
    assert_error(api("fajar").post(f"/tasks/{queued}/release"), 409, "conflict")


def test_an_auditor_may_not_claim_release_or_complete_any_task(api, engine, people, queued):
    with engine.transaction() as tx:
        deploy.deploy(tx, [source("periksa.bpmn", READ_QUEUE)], users.SYSTEM)
    task = start(engine, "periksa").open_tasks[0].id
    dedi = api("dedi")
    assert dedi.get(f"/tasks/{task}").status_code == 200  # offered to auditors: they may read it
    for target in (task, queued, 999999):  # even one offered to them; even one they may not see
        assert_error(dedi.post(f"/tasks/{target}/claim"), 403, "read_only")
        assert_error(dedi.post(f"/tasks/{target}/complete", json={"data": {}}), 403, "read_only")
        assert_error(dedi.post(f"/tasks/{target}/release"), 403, "read_only")
    assert api("ani").post(f"/tasks/{task}/claim").status_code == 200  # a pegawai may


def test_complete_returns_the_instance_and_its_open_tasks(api, queued):
    ani = api("ani")
    response = ani.post(f"/tasks/{queued}/complete", json={"data": GOOD_PROPOSAL})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "running" and [t["bpmn_id"] for t in body["open_tasks"]] == ["setujui_rencana"]
    assert [t["id"] for t in ani.get("/tasks?scope=archive").get_json()["items"]] == [queued]
    assert_error(ani.post(f"/tasks/{queued}/complete", json={"data": GOOD_PROPOSAL}), 409, "conflict")


def test_bad_data_is_422_with_a_message_per_field_in_the_callers_language(api, queued, engine):
    ani = api("ani")
    bad = {"target": "x", "jumlah": 500, "jenis": "LAIN"}
    body = assert_error(ani.post(f"/tasks/{queued}/complete", json={"data": bad}), 422, "validation_failed")
    assert sorted(body["errors"]) == ["jenis", "jumlah", "target"]
    assert body["errors"]["jumlah"] == ["Paling besar 100."]  # Bahasa Indonesia by default
    english = ani.post(f"/tasks/{queued}/complete", json={"data": bad}, headers={"Accept-Language": "en"})
    assert english.get_json()["errors"]["jumlah"] == ["Must be at most 100."]
    assert ani.get(f"/tasks/{queued}").get_json()["status"] == "open"  # nothing was written


@pytest.mark.parametrize(
    ("body", "kw", "status"),
    [
        ({"data": []}, {}, 422),
        ({"data": {}, "extra": 1}, {}, 422),
        (None, {"data": "{oops", "content_type": "application/json"}, 400),
        (None, {"data": "data=1", "content_type": "application/x-www-form-urlencoded"}, 415),
    ],
)
def test_a_malformed_completion_changes_nothing(api, queued, body, kw, status):
    ani = api("ani")
    response = ani.post(f"/tasks/{queued}/complete", json=body, **kw)
    assert response.status_code == status
    assert set(response.get_json()) <= {"error", "message", "errors"}
    assert ani.get(f"/tasks/{queued}").get_json()["status"] == "open"


def test_complete_refusals(api, queued, assigned):
    assert_error(api("ani").post(f"/tasks/{assigned}/complete", json={"data": {"skor": 1}}), 404, "not_found")
    assert_error(api("ani").post("/tasks/999999/complete", json={"data": {}}), 404, "not_found")


def test_wrong_method_is_405_with_the_error_body(api, queued):
    response = api("ani").request("PUT", f"/tasks/{queued}")
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_a_body_over_a_megabyte_is_413_and_changes_nothing(api, queued):
    ani = api("ani")
    huge = {"data": {"target": "x" * (1024 * 1024)}}
    assert_error(ani.post(f"/tasks/{queued}/complete", json=huge), 413, "too_large")
    assert ani.get(f"/tasks/{queued}").get_json()["status"] == "open"
