"""Who may open and act on what: roles x pages and actions, including other people's tasks by id.

Anything that is not yours is 404, so an id reveals nothing; but an auditor is refused every action with
403 (their roles only read, and they may know the task exists); signed-out visitors are sent to the
login page.
"""

from __future__ import annotations

import pytest

from tests.support import NIP_ANI, NIP_BUDI, complete, start
from tests.webapp.conftest import post

PEOPLE = ["ani", "budi", "citra", "dedi", "eka", None]  # pegawai, penilai, penilai, auditor, bkpsdm, nobody


@pytest.fixture
def world(engine, deployed, people):
    """A queue task for pegawai, a task assigned to Budi, and a task Ani completed."""
    queued = start(engine, "rencana_kerja", {"nama": "Yosef", "periode": "2027"}).open_tasks[0].id
    assigned = start(engine, "assigned_review", {"penilai_nip": NIP_BUDI, "nip": NIP_ANI}).open_tasks[0].id
    done = start(engine, "rencana_kerja", {"nama": "Ani", "nip": NIP_ANI}).open_tasks[0].id
    complete(engine, people["ani"], done, {"target": "20 laporan", "jumlah": 20, "jenis": "UTAMA"})
    return {"queued": queued, "assigned": assigned, "done": done}


def client_for(app, as_user, who):
    return as_user(who) if who else app.test_client()


VIEW = {
    # page or object: {person: expected status}
    "inbox": {"ani": 200, "budi": 200, "citra": 200, "dedi": 200, "eka": 200, None: 302},
    "queued": {"ani": 200, "budi": 404, "citra": 404, "dedi": 404, "eka": 404, None: 302},
    "assigned": {"ani": 404, "budi": 200, "citra": 404, "dedi": 404, "eka": 404, None: 302},
    "done": {"ani": 200, "budi": 404, "citra": 404, "dedi": 404, "eka": 404, None: 302},
}


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("target", sorted(VIEW))
def test_who_may_open_what(app, as_user, world, target, who):
    client = client_for(app, as_user, who)
    path = "/" if target == "inbox" else f"/tasks/{world[target]}"
    response = client.get(path)
    assert response.status_code == VIEW[target][who]
    if response.status_code == 404:
        assert "Yosef" not in response.get_data(as_text=True)  # no trace of the task's data


ACT = {
    # (action, task): {person: expected status}
    ("claim", "queued"): {"ani": 303, "budi": 404, "citra": 404, "dedi": 403, "eka": 404},
    ("claim", "assigned"): {"ani": 404, "budi": 409, "citra": 404, "dedi": 403, "eka": 404},
    ("release", "assigned"): {"ani": 404, "budi": 409, "citra": 404, "dedi": 403, "eka": 404},
    ("complete", "assigned"): {"ani": 404, "budi": 303, "citra": 404, "dedi": 403, "eka": 404},
    ("complete", "done"): {"ani": 409, "budi": 404, "citra": 404, "dedi": 403, "eka": 404},
    ("claim", "missing"): {"ani": 404, "budi": 404, "citra": 404, "dedi": 403, "eka": 404},
}


@pytest.mark.parametrize("who", PEOPLE[:-1])
@pytest.mark.parametrize(("action", "target"), sorted(ACT))
def test_who_may_act_on_what(app, as_user, world, action, target, who):
    client = client_for(app, as_user, who)
    task = world.get(target, 999_999)
    path = f"/tasks/{task}" if action == "complete" else f"/tasks/{task}/{action}"
    data = {"skor": "80"} if target == "assigned" else {"target": "20 laporan", "jumlah": "20"}
    assert post(client, path, data).status_code == ACT[(action, target)][who]


@pytest.mark.parametrize("path", ["/tasks/1/claim", "/tasks/1/release", "/tasks/1", "/logout"])
def test_signed_out_posts_change_nothing(app, world, path):
    from tests.webapp.conftest import token

    client = app.test_client()
    response = client.post(path, data={"csrf_token": token(client)})
    assert response.status_code in (302, 303)
    assert response.headers["Location"].startswith("/login")
