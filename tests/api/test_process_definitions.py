"""Process definitions over the API: list, versions, deploying files; only process owners deploy."""

from __future__ import annotations

import io

from tests.api.conftest import assert_error
from tests.support import FIXTURES


def upload(*names: str, content: bytes | None = None, note: str | None = None) -> dict:
    files = [(io.BytesIO(content if content is not None else (FIXTURES / n).read_bytes()), n) for n in names]
    return {"file": files, **({"note": note} if note else {})}


def test_list_and_versions(api, engine, deployed):
    client = api("ani")
    body = client.get("/process-definitions").get_json()
    keys = [d["key"] for d in body["items"]]
    assert "rencana_kerja" in keys and "assigned_review" in keys and body["total"] == len(keys)
    versions = client.get("/process-definitions/rencana_kerja/versions").get_json()
    assert [v["version"] for v in versions["items"]] == [1]
    assert_error(client.get("/process-definitions/nothing/versions"), 404, "not_found")


def test_a_process_owner_deploys_a_new_version(api, engine, people, deployed):
    with engine.transaction() as tx:
        tx.store.set_roles(tx.store.user("eka").id, ["bkpsdm", "pemilik_proses"])
    eka = api("eka")
    changed = (
        (FIXTURES / "two_lane_approval.bpmn").read_bytes().replace(b"Rencana kerja (test)", b"Rencana v2")
    )
    response = eka.post(
        "/process-definitions",
        data=upload("two_lane_approval.bpmn", content=changed, note="v2"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    [item] = [d for d in response.get_json()["items"] if d["key"] == "rencana_kerja"]
    assert (item["version"], item["new"], item["note"], item["deployed_by"]) == (2, True, "v2", "eka")
    again = eka.post(
        "/process-definitions",
        data=upload("two_lane_approval.bpmn", content=changed),
        content_type="multipart/form-data",
    )
    assert [d["new"] for d in again.get_json()["items"] if d["key"] == "rencana_kerja"] == [False]
    versions = eka.get("/process-definitions/rencana_kerja/versions?page_size=1").get_json()
    assert (versions["total"], versions["items"][0]["version"]) == (2, 2)


def test_staff_and_auditors_may_not_deploy(api, people):
    for who, code in (("ani", "forbidden"), ("dedi", "read_only")):
        response = api(who).post(
            "/process-definitions", data=upload("assigned_review.bpmn"), content_type="multipart/form-data"
        )
        assert_error(response, 403, code)


def test_a_bad_model_is_422_with_its_problems_by_element(api, engine, people):
    with engine.transaction() as tx:
        tx.store.set_roles(tx.store.user("eka").id, ["pemilik_proses"])
    eka = api("eka")
    broken = (
        (FIXTURES / "assigned_review.bpmn")
        .read_bytes()
        .replace(b'camunda:assignee="${penilai_nip}" camunda:candidateGroups="penilai"', b"")
    )
    body = assert_error(
        eka.post(
            "/process-definitions", data=upload("r.bpmn", content=broken), content_type="multipart/form-data"
        ),
        422,
        "deployment_failed",
    )
    assert [(e["element"], e["file"]) for e in body["errors"]] == [("nilai", "r.bpmn")]
    body = assert_error(
        eka.post(
            "/process-definitions",
            data=upload("notes.txt", content=b"hello"),
            content_type="multipart/form-data",
        ),
        422,
        "deployment_failed",
    )
    assert body["errors"][0]["file"] == "notes.txt"
    body = assert_error(
        eka.post("/process-definitions", data={}, content_type="multipart/form-data"),
        422,
        "deployment_failed",
    )
    assert "file" in body["errors"][0]["message"]
    assert_error(
        eka.post(
            "/process-definitions", data={"note": "x", "colour": "red"}, content_type="multipart/form-data"
        ),
        422,
        "validation_failed",
    )
    assert eka.get("/process-definitions").get_json()["total"] == 0  # nothing was deployed
