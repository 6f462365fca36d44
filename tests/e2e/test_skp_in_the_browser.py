"""Acceptance 1, in a real browser: a pegawai of the demo regency proposes her SKP (first with a
mistake, then correctly), her penilai takes it from the queue and approves it with feedback, and she
reads it in "Kinerja saya"."""

from __future__ import annotations

import pytest

from tests.processes.conftest import regency, regency_template  # noqa: F401 (fixtures)
from tests.processes.test_skp import PROPOSAL, start_skp
from tests.webapp.conftest import PASSWORD, give_password, password_hash  # noqa: F401
from webapp import create_app

pytestmark = pytest.mark.browser
FEEDBACK = "Target sudah jelas dan terukur; kirim laporan posyandu setiap akhir bulan."


def sign_in(page, base, username):
    page.goto(f"{base}/login")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()


def test_skp_proposed_approved_and_feedback_seen(browser, serve, shots, regency, password_hash):  # noqa: F811
    pegawai, penilai = regency.actor("bidan-1"), regency.actor("kapus")
    with regency.engine.transaction() as tx:
        for person in (pegawai, penilai):
            give_password(tx, person.username, password_hash)
    start_skp(regency, "bidan-1")
    base = serve(create_app({"SECRET_KEY": "e2e"}, engine=regency.engine))
    context = browser.new_context(locale="id-ID", viewport={"width": 1100, "height": 800})
    page = context.new_page()

    # the pegawai signs in and finds her SKP proposal in "Tugas saya"
    sign_in(page, base, pegawai.username)
    shots(page, "pegawai-inbox")
    assert page.get_by_role("link", name="Tugas saya").get_attribute("aria-current") == "page"
    page.get_by_role("link", name="Usulkan SKP").click()
    shots(page, "pegawai-task")

    # first attempt: the dialogue note is too short and the target is not a number
    page.get_by_label("Rencana hasil kerja utama").fill(PROPOSAL["rencana_hasil_kerja"])
    page.get_by_label("Indikator kinerja individu (IKI)").fill(PROPOSAL["iki"])
    page.get_by_label("Target tahunan").fill("")
    page.get_by_label("Satuan target").fill(PROPOSAL["satuan"])
    page.get_by_label("Tanggal dialog kinerja").fill(PROPOSAL["tanggal_dialog"])
    page.get_by_label("Catatan dialog kinerja").fill("terlalu pendek")
    page.get_by_role("button", name="Kirim").click()
    shots(page, "pegawai-validation-error")
    assert page.get_by_role("alert").inner_text() == "Mohon perbaiki isian yang ditandai di bawah."
    assert page.locator("#err-catatan_dialog").inner_text() == "Isi paling sedikit 20 karakter."
    assert page.locator("#err-target").inner_text() == "Isian ini wajib diisi."
    assert page.get_by_label("Rencana hasil kerja utama").input_value() == PROPOSAL["rencana_hasil_kerja"]

    # corrected: back to the inbox with a confirmation
    page.get_by_label("Target tahunan").fill(str(PROPOSAL["target"]))
    page.get_by_label("Catatan dialog kinerja").fill(PROPOSAL["catatan_dialog"])
    page.get_by_role("button", name="Kirim").click()
    shots(page, "pegawai-submitted")
    assert "Berhasil: “Usulkan SKP” telah diselesaikan." in page.get_by_role("status").first.inner_text()
    page.get_by_role("button", name="Keluar").click()

    # the penilai (the org chart chose her) finds it in her queue, offered to her alone, and claims it
    sign_in(page, base, penilai.username)
    shots(page, "penilai-inbox")
    page.get_by_role("link", name="Antrian").click()
    shots(page, "penilai-queue")
    row = page.get_by_role("row", name="Tetapkan ekspektasi dan setujui SKP")
    assert pegawai.display_name in row.inner_text()
    row.get_by_role("button", name="Ambil").click()
    assert "Anda mengambil tugas “Tetapkan ekspektasi dan setujui SKP”." in (
        page.get_by_role("status").first.inner_text()
    )
    # she approves it with feedback
    shots(page, "penilai-task")
    assert PROPOSAL["rencana_hasil_kerja"] in page.locator("#earlier").locator("..").inner_text()
    page.get_by_label("Ekspektasi pimpinan atas hasil kerja").fill(
        "Cakupan imunisasi naik setiap triwulan dengan laporan lengkap."
    )
    page.get_by_label("Umpan balik untuk pegawai").fill(FEEDBACK)
    page.get_by_label("Keputusan").select_option("SETUJU")
    page.get_by_role("button", name="Kirim").click()
    shots(page, "penilai-approved")
    assert "telah diselesaikan" in page.get_by_role("status").first.inner_text()
    page.get_by_role("link", name="Tim saya").click()
    shots(page, "penilai-team")
    page.get_by_role("button", name="Keluar").click()

    # the pegawai reads the feedback in "Kinerja saya"; her SKP is now set
    sign_in(page, base, pegawai.username)
    page.get_by_role("link", name="Kinerja saya").click()
    shots(page, "pegawai-kinerja-saya")
    feedback = page.locator("section", has=page.locator("#feedback")).inner_text()
    assert FEEDBACK in feedback and penilai.display_name in feedback
    assert "DITETAPKAN" in page.locator("section", has=page.locator("#targets")).inner_text()

    # English by the switch, kept while she moves around
    page.get_by_role("button", name="English").click()
    shots(page, "pegawai-kinerja-saya-english")
    assert page.get_by_role("heading", level=1).inner_text() == "My performance"
    context.close()
