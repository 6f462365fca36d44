"""Acceptance 1, in a real browser: in the demo regency a teacher's annual evaluation is rated by her
penilai (the headmaster) and accepted; the auditor of the Inspektorat searches her by name, opens the
evaluation, reads the penilai's rating in the timeline, sees the path highlighted in the diagram, and
downloads the evidence pack, which then verifies offline by the README's procedure."""

from __future__ import annotations

import json

import pytest

from tests.engine.test_evidence import verify_offline
from tests.processes.conftest import regency, regency_template  # noqa: F401 (fixtures)
from tests.processes.regency import PEOPLE
from tests.processes.test_evaluasi import A, S, ratings, start_annual
from tests.webapp.conftest import PASSWORD, give_password, password_hash  # noqa: F401
from webapp import create_app

pytestmark = pytest.mark.browser
TEACHER = "guru-sd-2"


def sign_in(page, base, username):
    page.goto(f"{base}/login")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()


def test_the_auditor_traces_an_annual_evaluation(browser, serve, shots, regency, password_hash, tmp_path):  # noqa: F811
    auditor = regency.actor("auditor")
    with regency.engine.transaction() as tx:
        give_password(tx, auditor.username, password_hash)
    started = start_annual(regency, TEACHER, jp=24)
    regency.complete("kepsek-sd", "nilai_tahunan", ratings(A, S))
    regency.complete(TEACHER, "tanggapi_hasil_tahunan", {"tanggapan": "TERIMA"})
    penilai = regency.actor("kepsek-sd")
    base = serve(create_app({"SECRET_KEY": "e2e"}, engine=regency.engine))
    context = browser.new_context(
        locale="id-ID", viewport={"width": 1200, "height": 900}, accept_downloads=True
    )
    page = context.new_page()

    # the auditor signs in and searches the teacher by part of her name
    sign_in(page, base, auditor.username)
    page.get_by_role("link", name="Audit").click()
    page.get_by_label("Nama", exact=True).fill(PEOPLE[TEACHER].name.split()[0])
    page.get_by_role("button", name="Cari").click()
    shots(page, "auditor-search")
    results = page.locator("#results")
    assert PEOPLE[TEACHER].nip in results.inner_text()

    # she opens the annual evaluation: the penilai's rating is in the timeline
    results.get_by_role("link", name="Evaluasi kinerja tahunan").click()
    page.locator("#diagram[data-ready=true]").wait_for()
    shots(page, "auditor-history")
    rated = page.locator(".event[data-type=task_completed]", has_text="Evaluasi kinerja tahunan")
    text = rated.inner_text()
    assert penilai.display_name in text and "Rating hasil kerja" in text and "Di atas ekspektasi" in text
    assert "penilai" in text and "org_chart" in text
    assert "Rantai utuh" in page.locator("#chain-status").inner_text()

    # the diagram marks the path taken and how often each step ran
    assert page.locator("#diagram .djs-element.passed[data-element-id=nilai_tahunan]").count() == 1
    assert page.locator("#diagram .djs-connection.taken").count() >= 4
    assert page.locator("#diagram .run-count").first.inner_text() == "×1"

    # she downloads the evidence pack; it verifies offline
    with page.expect_download() as download:
        page.locator("#download-pack").click()
    pack = tmp_path / download.value.suggested_filename
    download.value.save_as(pack)
    assert json.loads(pack.read_text())["instance"]["id"] == started.instance_id
    checked = verify_offline(pack)
    assert checked.returncode == 0 and checked.stdout.startswith(f"OK instance {started.instance_id}")

    # her looks are in the access log
    page.get_by_role("link", name="Log akses").click()
    shots(page, "auditor-access-log")
    log = page.locator("#accesses").inner_text()
    assert "Cari" in log and "Riwayat" in log and "Paket bukti" in log
    context.close()
