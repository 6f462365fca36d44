"""The unit's predikat distribution against SE MenPANRB 3/2023: a pattern that does not fit is a
warning the unit head must justify in writing, never a block."""

from __future__ import annotations

BASIS = "Capaian perjanjian kinerja 2027 melampaui target pada tujuh dari delapan indikator utama."


def counts(sb=0, b=0, bp=0, km=0, sk=0):
    return {
        "jumlah_sangat_baik": sb,
        "jumlah_baik": b,
        "jumlah_butuh_perbaikan": bp,
        "jumlah_kurang_misconduct": km,
        "jumlah_sangat_kurang": sk,
    }


def start(regency, unit="pkm-wanggar"):
    return regency.start(
        "penetapan_predikat_unit", {"unit": unit, "periode": "2027"}, business_key=f"{unit}/2027"
    )


def test_a_distribution_that_fits_the_pattern_is_set_at_once(regency):
    started = start(regency)
    regency.complete(
        "kapus",
        "tetapkan_capaian_organisasi",
        {"predikat_organisasi": "BAIK", "dasar_penetapan": BASIS, **counts(sb=2, b=6, bp=2)},
    )
    final = regency.final_data(started.instance_id)
    assert (final["status_penetapan"], final["pelanggaran"], final["jumlah_pegawai"]) == (
        "DITETAPKAN",
        [],
        10,
    )


def test_a_baik_unit_without_anyone_below_baik_is_warned_and_justified_not_blocked(regency):
    started = start(regency)
    regency.complete(
        "kapus",
        "tetapkan_capaian_organisasi",
        {"predikat_organisasi": "BAIK", "dasar_penetapan": BASIS, **counts(sb=2, b=8)},
    )
    warning = regency.task("kapus", "justifikasi_distribusi")
    shown = regency.detail(warning.id, "kapus")["data"]
    assert shown["pelanggaran"] == [
        "Baik lebih dari 70%",
        "Harus ada pegawai Butuh Perbaikan dan/atau Kurang/Misconduct",
    ]
    regency.complete(
        "kapus",
        "justifikasi_distribusi",
        {
            "tindakan_distribusi": "JUSTIFIKASI",
            "justifikasi_sebaran": "Seluruh pegawai mencapai target SKP dengan bukti dukung lengkap; tidak ada "
            "catatan disiplin selama 2027 sehingga tidak ada yang layak diberi Butuh Perbaikan.",
        },
    )
    final = regency.final_data(started.instance_id)
    assert final["status_penetapan"] == "DITETAPKAN_DENGAN_JUSTIFIKASI"


def test_revising_ratings_brings_the_unit_head_back_to_set_the_counts_again(regency):
    start(regency)
    regency.complete(
        "kapus",
        "tetapkan_capaian_organisasi",
        {"predikat_organisasi": "ISTIMEWA", "dasar_penetapan": BASIS, **counts(sb=9, b=1)},
    )
    shown = regency.detail(regency.task("kapus", "justifikasi_distribusi").id, "kapus")["data"]
    assert shown["pelanggaran"] == ["Sangat Baik lebih dari 70%"]
    regency.complete("kapus", "justifikasi_distribusi", {"tindakan_distribusi": "REVISI_RATING"})
    regency.complete("kapus", "tetapkan_capaian_organisasi", {**counts(sb=7, b=3)})
    assert regency.inbox("kapus") == []


def test_a_tiny_unit_cannot_follow_percentages_and_says_why(regency):
    start(regency, "pustu-wiraska")  # one employee, who is also the unit's head
    regency.complete(
        "perawat-pustu",
        "tetapkan_capaian_organisasi",
        {"predikat_organisasi": "BAIK", "dasar_penetapan": BASIS, **counts(b=1)},
    )
    shown = regency.detail(regency.task("perawat-pustu", "justifikasi_distribusi").id, "perawat-pustu")[
        "data"
    ]
    assert shown["pelanggaran"] == [
        "Unit dengan kurang dari 5 pegawai: pola distribusi tidak dapat diterapkan"
    ]
