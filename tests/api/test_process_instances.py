"""Process instances over the API: start, search, read one, its history; who may read what."""

from __future__ import annotations

import itertools

import pytest

from tests.api.conftest import assert_error
from tests.support import GOOD_PROPOSAL, NIP_ANI, NIP_BUDI, start


@pytest.fixture
def about_ani(engine, deployed, people):
    """A rencana kerja about Ani, proposed by her: in Budi's (her penilai's) hands now."""
    return start(engine, "rencana_kerja", {"nama": "Ani", "nip": NIP_ANI}).instance_id


def test_start_answers_the_instance_and_its_open_tasks(api, deployed):
    ani = api("ani")
    response = ani.post(
        "/process-instances",
        json={
            "process_key": "rencana_kerja",
            "business_key": "ani/2027",
            "data": {"nama": "Ani", "nip": NIP_ANI},
        },
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "running" and [t["bpmn_id"] for t in body["open_tasks"]] == ["usulkan_rencana"]
    shown = ani.get(f"/process-instances/{body['instance_id']}").get_json()
    assert (shown["business_key"], shown["version"], shown["started_by"]) == ("ani/2027", 1, "ani")
    assert shown["data"]["nama"] == "Ani" and shown["subject_nip"] == NIP_ANI
    assert [t["id"] for t in shown["open_tasks"]] == [body["open_tasks"][0]["id"]]


def test_start_refusals(api, deployed):
    ani = api("ani")
    assert_error(ani.post("/process-instances", json={"process_key": "nothing"}), 404, "not_found")
    body = assert_error(ani.post("/process-instances", json={"data": {}}), 422, "validation_failed")
    assert list(body["errors"]) == ["process_key"]
    body = assert_error(
        ani.post("/process-instances", json={"process_key": "rencana_kerja", "data": [1]}),
        422,
        "validation_failed",
    )
    assert list(body["errors"]) == ["data"]
    assert_error(
        ani.post("/process-instances", json={"process_key": "rencana_kerja", "business_key": ""}),
        422,
        "validation_failed",
    )
    ani.post("/process-instances", json={"process_key": "rencana_kerja", "business_key": "k"})
    assert_error(
        ani.post("/process-instances", json={"process_key": "rencana_kerja", "business_key": "k"}),
        409,
        "conflict",
    )
    assert_error(
        api("dedi").post("/process-instances", json={"process_key": "rencana_kerja"}), 403, "read_only"
    )
    assert ani.get("/process-instances").get_json()["total"] == 1  # the refused ones left nothing


def test_search_is_paged_and_shows_each_person_what_they_may_read(api, engine, deployed, people):
    start(engine, "rencana_kerja", {"nama": "Ani", "nip": NIP_ANI})
    start(engine, "rencana_kerja", {"nama": "Budi", "nip": NIP_BUDI})
    start(engine, "assigned_review", {"penilai_nip": NIP_BUDI})
    everyone = api("eka").get("/process-instances?page_size=2").get_json()  # bkpsdm: all of them
    assert (everyone["total"], everyone["pages"], len(everyone["items"])) == (3, 2, 2)
    assert [i["subject_nip"] for i in api("ani").get("/process-instances").get_json()["items"]] == [NIP_ANI]
    assert api("citra").get("/process-instances").get_json()["total"] == 0
    only = api("dedi").get("/process-instances?process_key=assigned_review&status=running").get_json()
    assert only["total"] == 1 and only["items"][0]["process_key"] == "assigned_review"
    assert api("dedi").get(f"/process-instances?subject={NIP_BUDI}").get_json()["total"] == 1
    assert_error(api("dedi").get("/process-instances?status=lost"), 422, "validation_failed")


def test_one_persons_token_cannot_read_anothers_instance_or_history(api, about_ani):
    for who in ("citra",):  # a penilai, but not Ani's
        assert_error(api(who).get(f"/process-instances/{about_ani}"), 403, "forbidden")
        assert_error(api(who).get(f"/process-instances/{about_ani}/history"), 403, "forbidden")
    for who in ("ani", "dedi", "eka"):  # the employee herself, an auditor, HR
        assert api(who).get(f"/process-instances/{about_ani}").status_code == 200
    assert_error(api("ani").get("/process-instances/999999"), 404, "not_found")
    assert_error(api("dedi").get("/process-instances/999999/history"), 404, "not_found")


def test_history_in_order_with_actors_data_and_hashes(api, engine, about_ani, people):
    ani = api("ani")
    task = ani.get("/tasks?scope=queue").get_json()["items"][0]["id"]
    assert ani.post(f"/tasks/{task}/complete", json={"data": GOOD_PROPOSAL}).status_code == 200
    events = api("dedi").get(f"/process-instances/{about_ani}/history").get_json()["items"]
    assert [e["type"] for e in events] == [
        "instance_started",
        "task_created",
        "task_completed",
        "task_created",
    ]
    completed = [e for e in events if e["type"] == "task_completed"]
    assert completed[0]["actor"] == "ani" and completed[0]["data"]["data"]["jumlah"] == 20
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(events))
    page = api("dedi").get(f"/process-instances/{about_ani}/history?page=2&page_size=2").get_json()
    assert [e["seq"] for e in page["items"]] == [3, 4] and page["total"] == 4
