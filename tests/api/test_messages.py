"""Messages over the API: an IKM result reaches the instance waiting for it; refusals store nothing."""

from __future__ import annotations

import pytest

from engine import deploy, users
from tests.api.conftest import assert_error
from tests.support import source, start


@pytest.fixture
def waiting(engine, people):
    """Two units' services, each waiting for its IKM result."""
    with engine.transaction() as tx:
        deploy.deploy(tx, [source("ikm_tindak_lanjut.bpmn")], users.SYSTEM)
    return {
        unit: start(engine, "tindak_lanjut_ikm", {"unit": unit}, business_key=f"ikm/{unit}/2027").instance_id
        for unit in ("pkm-wanggar", "distrik-wanggar")
    }


def test_an_ikm_result_reaches_the_instance_it_correlates_with(api, waiting):
    eka = api("eka")  # bkpsdm sends messages
    message = {
        "name": "HasilIkmDipublikasikan",
        "correlation": {"business_key": "ikm/pkm-wanggar/2027"},
        "payload": {"nilai_ikm": 78.4, "mutu": "B"},
        "key": "ikm-pkm-2027",
    }
    response = eka.post("/messages", json=message)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "delivered" and body["instance_ids"] == [waiting["pkm-wanggar"]]
    shown = eka.get(f"/process-instances/{waiting['pkm-wanggar']}").get_json()
    assert shown["data"]["nilai_ikm"] == 78.4 and [t["bpmn_id"] for t in shown["open_tasks"]] == ["rencana"]
    assert eka.get(f"/process-instances/{waiting['distrik-wanggar']}").get_json()["open_tasks"] == []
    again = eka.post("/messages", json=message).get_json()  # the same key: delivered once
    assert again["duplicate"] is True and again["message_id"] == body["message_id"]


def test_a_message_nothing_waits_for_is_404_and_kept_only_when_asked(api, waiting, engine):
    eka = api("eka")
    lost = {
        "name": "HasilIkmDipublikasikan",
        "correlation": {"business_key": "ikm/nowhere/2027"},
        "payload": {},
    }
    assert_error(eka.post("/messages", json=lost), 404, "not_found")
    with engine.transaction(write=False) as tx:
        assert tx.store.queues.messages(None, 10) == []  # nothing was stored
    kept = eka.post("/messages", json={**lost, "keep": True})
    assert kept.status_code == 202 and kept.get_json()["status"] == "pending"


def test_bad_messages_are_422_naming_the_field(api, waiting):
    eka = api("eka")
    for body, field in [
        ({"correlation": {}}, "name"),
        ({"name": "X", "correlation": {"nip": [1]}}, "correlation.nip"),
        ({"name": "X", "result_var": "1 bad"}, "result_var"),
        ({"name": ""}, "name"),
        ({"name": "X", "payload": [1, 2]}, "payload"),
    ]:
        answer = assert_error(eka.post("/messages", json=body), 422, "validation_failed")
        assert list(answer["errors"]) == [field], answer


def test_staff_and_auditors_may_not_send_messages(api, waiting):
    for who, code in (("ani", "forbidden"), ("dedi", "read_only")):
        assert_error(api(who).post("/messages", json={"name": "HasilIkmDipublikasikan"}), 403, code)
