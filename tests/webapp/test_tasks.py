"""The task page: documentation, context, a form of native inputs, per-field messages, completion
by a client with no JavaScript (plain form posts, as this test client is)."""

from __future__ import annotations

import re

import pytest

from engine import deploy, users
from tests.support import NIP_ANI, NIP_BUDI, source, start
from tests.webapp.conftest import post

PROPOSAL = {"target": "20 laporan pelayanan", "jumlah": "20", "jenis": "UTAMA", "tanggal_mulai": "2027-01-04"}


@pytest.fixture
def proposal(engine, deployed, people):
    """Ani's SKP proposal, taken by Ani."""
    task_id = (
        start(engine, "rencana_kerja", {"nama": "Ani Wulandari", "nip": NIP_ANI, "periode": "2027"})
        .open_tasks[0]
        .id
    )
    return task_id


def test_the_form_has_native_inputs_for_each_field_type(as_user, proposal):
    ani = as_user("ani")
    post(ani, f"/tasks/{proposal}/claim")
    page = ani.get(f"/tasks/{proposal}").get_data(as_text=True)
    assert re.search(
        r'<input type="text" id="target" name="target"[^>]* required[^>]*maxlength="200" minlength="5"', page
    )
    assert re.search(
        r'<input type="number" inputmode="numeric" step="1" id="jumlah"[^>]*min="1" max="100"', page
    )
    assert (
        re.search(r'<select id="jenis" name="jenis"', page)
        and '<option value="UTAMA" selected>Utama</option>' in page
    )
    assert re.search(r'<input type="date" id="tanggal_mulai"[^>]*min="2027-01-01" max="2027-12-31"', page)
    assert '<p class="readonly" id="periode">2027</p>' in page  # read-only: shown, not sent
    assert '<label for="target">Target' in page  # every input has its label
    assert "Tanggal dari 1 Januari 2027 sampai 31 Desember 2027." in page  # the hint, in Indonesian
    assert "Tuliskan <strong>target</strong> tahun ini." in page  # documentation as Markdown
    assert "Ani Wulandari" in page and NIP_ANI in page and "2027" in page  # whose, which period


def test_bad_data_shows_messages_per_field_with_values_kept_and_changes_nothing(as_user, proposal):
    ani = as_user("ani")
    post(ani, f"/tasks/{proposal}/claim")
    bad = {"target": "abc", "jumlah": "dua puluh", "jenis": "UTAMA", "tanggal_mulai": "2026-12-31"}
    response = post(ani, f"/tasks/{proposal}", bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Isi paling sedikit 5 karakter." in page
    assert "Masukkan bilangan bulat." in page
    assert "Paling kecil 1 Januari 2027." in page
    assert 'value="abc"' in page and 'value="dua puluh"' in page and 'value="2026-12-31"' in page
    assert re.search(
        r'id="jumlah" name="jumlah" aria-describedby="err-jumlah hint-jumlah"[^>]*aria-invalid="true"', page
    )
    assert "Mohon perbaiki isian yang ditandai di bawah." in page
    assert ani.get("/").get_data(as_text=True).count(f'href="/tasks/{proposal}"') == 1  # still mine, open


def test_messages_follow_the_chosen_language(as_user, proposal):
    ani = as_user("ani")
    post(ani, "/language", {"lang": "en"})
    post(ani, f"/tasks/{proposal}/claim")
    page = post(ani, f"/tasks/{proposal}", {"target": "", "jumlah": "500"}).get_data(as_text=True)
    assert "This field is required." in page and "Must be at most 100." in page


def test_completing_goes_back_to_the_inbox_with_a_confirmation(as_user, proposal):
    ani = as_user("ani")
    post(ani, f"/tasks/{proposal}/claim")
    response = post(ani, f"/tasks/{proposal}", PROPOSAL)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    inbox = ani.get("/").get_data(as_text=True)
    assert "Berhasil: “Usulkan rencana kerja” telah diselesaikan." in inbox
    # the penilai sees the proposal in the queue, and what the employee decided on the task page
    budi = as_user("budi")
    queue = budi.get("/?scope=queue").get_data(as_text=True)
    approval = int(re.search(r'href="/tasks/(\d+)"', queue).group(1))
    post(budi, f"/tasks/{approval}/claim")
    page = budi.get(f"/tasks/{approval}").get_data(as_text=True)
    assert "Langkah sebelumnya" in page and "Ani Wulandari" in page
    assert "<dt>Jumlah</dt><dd>20</dd>" in page and "<dt>Jenis</dt><dd>Utama</dd>" in page
    assert "<dt>Tanggal mulai</dt><dd>4 Januari 2027</dd>" in page
    # a required yes/no is a pair of radio buttons; leaving it out says so
    assert 'type="radio" name="disetujui" value="true"' in page
    assert "Isian ini wajib diisi." in post(budi, f"/tasks/{approval}", {"catatan": "x"}).get_data(
        as_text=True
    )
    done = post(budi, f"/tasks/{approval}", {"disetujui": "true", "catatan": "Sesuai, lanjutkan."})
    assert done.status_code == 303
    assert budi.get("/?scope=archive").get_data(as_text=True).count(f'href="/tasks/{approval}"') == 1


def test_completing_twice_is_a_conflict(as_user, proposal):
    ani = as_user("ani")
    post(ani, f"/tasks/{proposal}/claim")
    assert post(ani, f"/tasks/{proposal}", PROPOSAL).status_code == 303
    assert post(ani, f"/tasks/{proposal}", PROPOSAL).status_code == 409


def test_documentation_cannot_carry_scripts(engine, as_user, people):
    bpmn = (source("assigned_review.bpmn").content or b"").replace(
        b"<bpmn:extensionElements>",
        b"<bpmn:documentation>&lt;script&gt;alert(1)&lt;/script&gt; [klik](javascript:alert(1)) "
        b"&lt;img src=x onerror=alert(1)&gt; **penting**</bpmn:documentation><bpmn:extensionElements>",
        1,
    )
    with engine.transaction() as tx:
        deploy.deploy(tx, [source("assigned_review.bpmn", bpmn)], users.SYSTEM)
    task = start(engine, "assigned_review", {"penilai_nip": NIP_BUDI}).open_tasks[0].id
    page = as_user("budi").get(f"/tasks/{task}").get_data(as_text=True)
    assert "<strong>penting</strong>" in page
    assert "<script>alert" not in page and "<img" not in page and 'href="javascript:' not in page
    assert "&lt;script&gt;" in page


def test_an_assigned_task_has_no_take_button_and_cannot_go_back_to_a_queue(engine, as_user, deployed):
    task = start(engine, "assigned_review", {"penilai_nip": NIP_BUDI}).open_tasks[0].id
    budi = as_user("budi")
    page = budi.get(f"/tasks/{task}").get_data(as_text=True)
    assert "/claim" not in page and "/release" not in page and 'name="skor"' in page
    assert post(budi, f"/tasks/{task}/release").status_code == 409
