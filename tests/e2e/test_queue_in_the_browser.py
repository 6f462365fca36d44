"""In a real browser: a task waiting in a role's queue is taken ("Ambil"), given back
("Kembalikan ke antrian"), taken again and completed by someone holding that role."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.scheduler import run_due
from tests.e2e.test_skp_in_the_browser import sign_in
from tests.processes.conftest import regency, regency_template  # noqa: F401 (fixtures)
from tests.processes.test_skp import PROPOSAL, start_skp
from tests.webapp.conftest import give_password, password_hash  # noqa: F401 (fixture)
from webapp import create_app

pytestmark = pytest.mark.browser


def test_a_queue_task_is_taken_given_back_and_completed(browser, serve, shots, regency, password_hash):  # noqa: F811
    pengelola = regency.actor("analis-sdm")  # pengelola_kinerja of the BKPSDM
    with regency.engine.transaction() as tx:
        give_password(tx, pengelola.username, password_hash)
    start_skp(regency, "guru-sd-3")
    regency.clock.advance(timedelta(days=7, hours=3))  # no proposal after 7 days: the draft goes to the queue
    while run_due(regency.engine)[0]:
        pass
    base = serve(create_app({"SECRET_KEY": "e2e"}, engine=regency.engine))
    page = browser.new_context(locale="id-ID", viewport={"width": 1100, "height": 800}).new_page()

    sign_in(page, base, pengelola.username)
    page.get_by_role("link", name="Antrian").click()
    shots(page, "pengelola-queue")
    row = page.get_by_role("row", name="Susun draf SKP pengganti")
    assert regency.actor("guru-sd-3").display_name in row.inner_text()
    row.get_by_role("button", name="Ambil").click()
    shots(page, "pengelola-task-taken")
    assert "Anda mengambil tugas “Susun draf SKP pengganti”." in page.get_by_role("status").first.inner_text()

    page.get_by_role("button", name="Kembalikan ke antrian").click()
    assert "dikembalikan ke antrian" in page.get_by_role("status").first.inner_text()
    page.get_by_role("link", name="Antrian").click()
    page.get_by_role("row", name="Susun draf SKP pengganti").get_by_role("button", name="Ambil").click()

    page.get_by_label("Rencana hasil kerja utama").fill(PROPOSAL["rencana_hasil_kerja"])
    page.get_by_label("Indikator kinerja individu (IKI)").fill(PROPOSAL["iki"])
    page.get_by_label("Target tahunan").fill(str(PROPOSAL["target"]))
    page.get_by_label("Satuan target").fill(PROPOSAL["satuan"])
    page.get_by_label("Catatan pengelola kinerja").fill(
        "Disusun dari SKP tahun lalu dan matriks peran hasil."
    )
    page.get_by_role("button", name="Kirim").click()
    shots(page, "pengelola-completed")
    assert "telah diselesaikan" in page.get_by_role("status").first.inner_text()
    page.get_by_role("link", name="Selesai").click()
    assert page.get_by_role("link", name="Susun draf SKP pengganti").count() == 1
