"""The auditors' pages: who may open them, search and CSV export, an instance's history with a broken
chain shown at its event, verification with checkpoints, the pack, and the access log of every look."""

from __future__ import annotations

import csv
import io
import json

import pytest

from engine import checkpoints, users
from tests.engine.test_audit import tamper
from tests.engine.test_evidence import verify_offline
from tests.processes.conftest import regency, regency_template  # noqa: F401 (fixtures)
from tests.processes.test_evaluasi import A, S, ratings, start_annual
from tests.support import GOOD_PROPOSAL, NIP_ANI, complete, start
from tests.webapp.conftest import give_password, login, post
from webapp import create_app

PAGES = [
    "/audit?name=ani",
    "/audit/export.csv?name=ani",
    "/audit/instances/1",
    "/audit/instances/1/diagram.bpmn",
    "/audit/instances/1/pack.json",
    "/audit/instances/1/print",
    "/audit/verify_pack.py",
    "/audit/verify",
    "/audit/log",
]
MAY = {"dedi": 200, "eka": 200, "ani": 403, "budi": 403, "citra": 403}


@pytest.fixture
def world(engine, deployed, people):
    """Ani's plan (about her), proposed; and a plan about Yosef, not started on."""
    subject = {"nip": NIP_ANI, "nama": "Ani Wulandari", "periode": "2027"}
    [task] = start(engine, "rencana_kerja", subject, business_key=f"{NIP_ANI}/2027").open_tasks
    complete(engine, people["ani"], task.id, GOOD_PROPOSAL)
    start(engine, "rencana_kerja", {"nip": "197001012000011001", "nama": "=Yosef+1"}, business_key="x/2028")
    return people


@pytest.mark.parametrize("who", sorted(MAY))
@pytest.mark.parametrize("path", PAGES)
def test_only_auditors_and_hr_open_the_audit_pages(app, as_user, world, path, who):
    response = as_user(who).get(path)
    assert response.status_code == MAY[who]
    if response.status_code == 403:
        assert "Yosef" not in response.get_data(as_text=True)  # no trace of anyone's evaluation


def test_signed_out_visitors_go_to_the_login_page(app, world):
    response = app.test_client().get("/audit/instances/1")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def accesses(engine):
    with engine.transaction(write=False) as tx:
        return [(a.actor, a.action, a.instance_id, json.loads(a.params)) for a in tx.store.audit.accesses()]


def test_a_search_lists_what_matches_and_is_logged(app, as_user, world, engine):
    page = as_user("dedi").get("/audit?name=wulan&period=2027").get_data(as_text=True)
    assert "Ani Wulandari" in page and "Yosef" not in page and "1 evaluasi ditemukan" in page
    assert accesses(engine) == [("dedi", "search", None, {"name": "wulan", "period": "2027"})]


def test_a_bad_search_names_its_fields_and_changes_nothing(app, as_user, world, engine):
    response = as_user("dedi").get("/audit?started_from=2027-02-30&status=bogus")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="err-started_from">Masukkan tanggal yang benar.' in page
    assert 'id="err-status">Pilih salah satu pilihan.' in page
    assert accesses(engine) == []


def test_the_csv_export_has_every_result_and_no_formulas(app, as_user, world, engine):
    response = as_user("eka").get("/audit/export.csv?period=20")
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["instance_id"], r["name"]) for r in rows] == [("2", "'=Yosef+1"), ("1", "Ani Wulandari")]
    assert accesses(engine)[0][:2] == ("eka", "export")


def test_the_history_shows_who_did_what_in_which_role(app, as_user, world, engine):
    page = as_user("dedi").get("/audit/instances/1").get_data(as_text=True)
    assert 'id="event-3"' in page and "Tugas diselesaikan: Usulkan rencana kerja" in page
    assert "20 laporan pelayanan" in page and "Ani Wulandari" in page and "pegawai" in page
    assert "Rantai utuh" in page
    assert 'data-runs="{&#34;mulai&#34;: 1, &#34;usulkan_rencana&#34;: 1}"' in page
    assert accesses(engine) == [("dedi", "instance", 1, {})]


def test_a_row_altered_in_sql_shows_as_broken_at_that_event(app, as_user, world, database_url):
    tamper(database_url, "UPDATE audit_event SET actor = 'budi' WHERE chain = 'instance/1' AND seq = 3")
    page = as_user("dedi").get("/audit/instances/1").get_data(as_text=True)
    assert "Rantai putus pada peristiwa 3" in page
    assert 'id="event-3" class="event broken"' in page and 'id="event-2" class="event"' in page


def test_a_whole_instance_deleted_is_reported_by_the_checkpoint(app, as_user, world, engine, database_url):
    with engine.transaction() as tx:
        checkpoints.create(tx, users.SYSTEM)
    tamper(
        database_url,
        "DELETE FROM audit_event WHERE chain = 'instance/2'",
        "DELETE FROM task_candidate WHERE task_id IN (SELECT id FROM human_task WHERE instance_id = 2)",
        "DELETE FROM human_task WHERE instance_id = 2",
        "DELETE FROM process_instance WHERE id = 2",
    )
    page = as_user("dedi").get("/audit/verify").get_data(as_text=True)
    assert "1 rantai rusak." in page
    assert 'href="/audit/instances/2#event-1">instance/2</a>' in page and "the chain is gone" in page


def test_the_downloaded_pack_verifies_offline(app, as_user, world, engine, tmp_path):
    response = as_user("dedi").get("/audit/instances/1/pack.json")
    assert 'filename="kinerja-evidence-1.json"' in response.headers["Content-Disposition"]
    pack = tmp_path / "pack.json"
    pack.write_bytes(response.get_data())
    assert verify_offline(pack).returncode == 0
    printed = as_user("dedi").get("/audit/instances/1/print").get_data(as_text=True)
    assert json.loads(response.get_data())["head"]["hash"] in printed
    assert [a[1] for a in accesses(engine)] == ["pack", "pack"]


def test_the_access_log_shows_every_look(app, as_user, world, engine):
    client = as_user("dedi")
    client.get("/audit/instances/1")
    client.get("/audit/verify")
    page = client.get("/audit/log").get_data(as_text=True)
    assert page.count("<td>dedi</td>") == 2 and "Riwayat" in page and "Verifikasi" in page
    assert [a[1] for a in accesses(engine)] == ["log", "verify", "instance"]


def test_the_diagram_is_the_deployed_xml_and_the_viewer_is_served(app, as_user, world):
    client = as_user("dedi")
    xml = client.get("/audit/instances/1/diagram.bpmn")
    assert xml.mimetype == "application/xml" and b'<bpmn:process id="rencana_kerja"' in xml.get_data()
    for name, marker in (("bpmn-navigated-viewer.js", b"BpmnJS"), ("diagram-js.css", b".djs-")):
        served = client.get(f"/vendor/{name}")
        assert served.status_code == 200 and marker in served.get_data()
        served.close()


def test_the_demo_auditor_employee_too_gets_403_on_claiming_and_completing_others_work(
    regency,  # noqa: F811
    password_hash,
):
    """The demo regency's auditor is an employee as well (pegawai): he still changes nothing of anyone
    else's, but answers his own evaluation, which the process assigned to him."""
    auditor = regency.actor("auditor")
    assert auditor.roles == {"auditor", "pegawai"}
    with regency.engine.transaction() as tx:
        give_password(tx, auditor.username, password_hash)
    start_annual(regency, "guru-sd-2")
    rating = regency.task("kepsek-sd", "nilai_tahunan")
    start_annual(regency, "auditor")
    regency.complete("inspektur", "nilai_tahunan", ratings(S, S))
    own = regency.task("auditor", "tanggapi_hasil_tahunan")
    client = create_app({"TESTING": True, "SECRET_KEY": "k"}, engine=regency.engine).test_client()
    assert login(client, auditor.username).status_code == 303
    assert post(client, f"/tasks/{rating.id}/claim").status_code == 403
    assert post(client, f"/tasks/{rating.id}", ratings(A, A)).status_code == 403
    assert post(client, f"/tasks/{own.id}", {"tanggapan": "TERIMA"}).status_code == 303
    assert regency.task("kepsek-sd", "nilai_tahunan").status == "assigned"  # untouched


def test_an_auditors_look_at_an_evaluation_is_logged_too(app, as_user, world, engine):
    for who in ("dedi", "eka", "ani"):
        client = as_user(who)
        assert client.get(f"/performance/{NIP_ANI}").status_code == 200
        assert client.get("/evaluations/1").status_code == 200
    # only the auditor's looks: HR's and the employee's own are their daily work
    assert accesses(engine) == [("dedi", "evaluation", 1, {}), ("dedi", "record", None, {"nip": NIP_ANI})]
    page = as_user("dedi").get("/audit/log").get_data(as_text=True)
    assert "Rekam kinerja" in page and "Evaluasi" in page


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/modeler"),
        ("post", "/modeler/rencana_kerja/1/deploy"),
        ("get", "/modeler/rencana_kerja/migrate?to=1"),
        ("post", "/modeler/rencana_kerja/migrate"),
    ],
)
def test_the_auditor_gets_403_on_deploying_and_migrating(app, as_user, world, engine, method, path):
    with engine.transaction() as tx:  # even an auditor who also owns processes
        tx.store.set_roles(tx.store.user("dedi").id, ["auditor", "pemilik_proses"])
    client = as_user("dedi")
    data = {"name": "two_lane_approval.bpmn", "content": "<x/>", "to": "1", "instance": "1"}
    response = client.get(path) if method == "get" else post(client, path, data)
    assert response.status_code == 403
