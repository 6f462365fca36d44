"""Periodic and annual evaluation: the predikat from the 3x3 kuadran (every cell), the objection to
the atasan penilai (rejected and upheld), and the training nomination that follows a weak predikat."""

from __future__ import annotations

import pytest

from engine.status import InstanceStatus

A, S, B = "DI_ATAS_EKSPEKTASI", "SESUAI_EKSPEKTASI", "DI_BAWAH_EKSPEKTASI"
# domain brief 1.6.3; the two "perilaku di bawah" cells are pinned as Kurang/Misconduct
KUADRAN = [
    (A, A, "SANGAT_BAIK"),
    (A, S, "BAIK"),
    (A, B, "KURANG_MISCONDUCT"),
    (S, A, "BAIK"),
    (S, S, "BAIK"),
    (S, B, "KURANG_MISCONDUCT"),
    (B, A, "BUTUH_PERBAIKAN"),
    (B, S, "BUTUH_PERBAIKAN"),
    (B, B, "SANGAT_KURANG"),
]
FEEDBACK = {
    "umpan_balik_hasil": "Laporan posyandu lengkap dan tepat waktu setiap bulan.",
    "umpan_balik_perilaku": "Ramah kepada warga dan sigap membantu rekan kerja.",
}


def ratings(hasil, perilaku):
    return {**FEEDBACK, "rating_hasil_kerja": hasil, "rating_perilaku_kerja": perilaku}


def test_every_cell_of_the_kuadran_gives_its_predikat(regency):
    for i, (hasil, perilaku, predikat) in enumerate(KUADRAN):
        regency.start(
            "evaluasi_periodik", {**regency.subject("perawat-1"), "tahun": 2027, "periode": f"2027-TW{i}"}
        )
        regency.complete("kapus", "nilai_periodik", ratings(hasil, perilaku))
        shown = regency.task("perawat-1", "baca_hasil_periodik")
        data = regency.detail(shown.id, "perawat-1")["data"]
        assert (hasil, perilaku, data["predikat"]) == (hasil, perilaku, predikat)
        assert data["perlu_pembinaan"] is (predikat not in ("SANGAT_BAIK", "BAIK"))
        outcome = regency.complete("perawat-1", "baca_hasil_periodik", {"sudah_dibaca": True})
        assert outcome.status == InstanceStatus.COMPLETED


def start_annual(regency, key, jp=12):
    return regency.start(
        "evaluasi_tahunan",
        {**regency.subject(key), "tahun": 2027, "periode": "2027", "jp_tahun_berjalan": jp},
        business_key=f"{regency.nip(key)}/2027",
    )


REASON = "Realisasi cakupan imunisasi saya 97 persen dengan bukti laporan posyandu setiap bulan, " * 2


def test_accepted_baik_is_final_with_the_20_jp_check(regency):
    started = start_annual(regency, "guru-sd-2", jp=24)
    regency.complete("kepsek-sd", "nilai_tahunan", ratings(S, S))
    regency.complete("guru-sd-2", "tanggapi_hasil_tahunan", {"tanggapan": "TERIMA"})
    final = regency.final_data(started.instance_id)
    assert (final["predikat_final"], final["status_evaluasi"], final["keberatan_diajukan"]) == (
        "BAIK",
        "FINAL",
        False,
    )
    assert (final["perlu_pengembangan"], final["memenuhi_20_jp"]) == (False, True)


def test_an_objection_without_reasons_comes_back_to_the_employee(regency):
    start_annual(regency, "bidan-2")
    regency.complete("kapus", "nilai_tahunan", ratings(B, S))
    regency.complete("bidan-2", "tanggapi_hasil_tahunan", {"tanggapan": "KEBERATAN"})
    again = regency.task("bidan-2", "tanggapi_hasil_tahunan")
    assert regency.detail(again.id, "bidan-2")["data"]["catatan_sistem"] == "Alasan keberatan wajib diisi"


@pytest.mark.parametrize("decision", ["TETAP", "DIUBAH"])
def test_the_atasan_penilai_decides_the_objection_and_that_is_final(regency, decision):
    started = start_annual(regency, "bidan-2", jp=8)
    regency.complete("kapus", "nilai_tahunan", ratings(B, S))
    regency.complete(
        "bidan-2",
        "tanggapi_hasil_tahunan",
        {"tanggapan": "KEBERATAN", "alasan_keberatan": REASON, "rating_hasil_kerja_diusulkan": S},
    )
    # the penilai explains, then the atasan penilai (Kabid Yankes, from the org chart) decides
    regency.complete("kapus", "beri_penjelasan", {"penjelasan_penilai": "Dua bulan tanpa laporan posyandu."})
    decide = regency.task("kabid-yankes", "putuskan_keberatan")
    assert decide.assignment_rule == "org_chart"
    assert regency.inbox("kapus") == []
    regency.complete(
        "kabid-yankes",
        "putuskan_keberatan",
        {
            "keputusan_keberatan": decision,
            "rating_hasil_kerja_baru": S if decision == "DIUBAH" else None,
            "pertimbangan": "Bukti laporan posyandu diperiksa bersama pejabat penilai dan pegawai. " * 2,
        },
    )
    if decision == "TETAP":
        # Butuh Perbaikan stands: BKPSDM nominates training, the employee reports the JP
        regency.complete(
            "analis-sdm",
            "nominasikan_pelatihan",
            {
                "jenis_pengembangan": "RENCANA_PENGEMBANGAN_INDIVIDU",
                "nama_pelatihan": "Manajemen imunisasi",
                "jp_direncanakan": 16,
                "batas_selesai": "2028-03-31",
            },
            scope="queue",
        )
        regency.complete(
            "bidan-2",
            "laporkan_pelatihan",
            {"jp_diperoleh": 16, "tanggal_selesai": "2028-03-20", "bukti_pelatihan": "SERT-2028-001"},
        )
    final = regency.final_data(started.instance_id)
    assert final["keberatan_diajukan"] is True and final["predikat_awal"] == "BUTUH_PERBAIKAN"
    if decision == "TETAP":
        assert (final["predikat_final"], final["keberatan_diubah"]) == ("BUTUH_PERBAIKAN", False)
        assert (final["jp_tahun_berjalan"], final["memenuhi_20_jp"]) == (24, True)
    else:
        assert (final["predikat_final"], final["keberatan_diubah"]) == ("BAIK", True)
        assert (final["perlu_pengembangan"], final["memenuhi_20_jp"]) == (False, False)
