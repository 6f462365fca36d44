"""Needs analysis: each employee's self-assessment validated by the penilai turns a competency gap
into a development proposal; the unit head prioritises within the budget; the orchestrator launches
stages through the same functions its service tasks are meant to call."""

from __future__ import annotations

from engine import cycle

SELF = {"level_mandiri": 3, "preferensi_jalur": "NK_ELEARNING", "kendala_akses": "INTERNET"}


def start_assessment(regency, key):
    with regency.engine.transaction() as tx:
        cycle.launch(tx, 2027, "analisis", [regency.subject(key)["unit"]])


def test_a_gap_of_two_levels_becomes_a_high_priority_training_proposal(regency):
    start_assessment(regency, "petugas-ktp-1")
    regency.complete("petugas-ktp-1", "asesmen_mandiri", SELF)
    # a rating two levels below the self-assessment needs the penilai's reasons
    regency.complete("kasi-identitas", "validasi_asesmen", {"level_penilai": 1})
    again = regency.task("kasi-identitas", "validasi_asesmen")
    outcome = regency.complete(
        "kasi-identitas",
        "validasi_asesmen",
        {
            "level_penilai": 1,
            "alasan_penilai": "Belum menguasai aplikasi pencetakan KTP-el tanpa pendampingan.",
        },
    )
    assert again.bpmn_id == "validasi_asesmen"
    [proposal] = [t for t in outcome.open_tasks if t.bpmn_id == "catat_usulan_pengembangan"]
    data = regency.detail(proposal.id, "analis-sdm")["data"]
    assert (data["kesenjangan"], data["usulan_pengembangan"], data["prioritas"]) == (
        2,
        "PELATIHAN_TEKNIS_ATAU_FUNGSIONAL",
        "TINGGI",
    )
    regency.complete(
        "analis-sdm",
        "catat_usulan_pengembangan",
        {"nama_pelatihan": "Bimtek layanan KTP-el", "jp_direncanakan": 24, "tahun_rencana": 2028},
        scope="queue",
    )
    assert regency.final_data(outcome.instance_id)["diisi_oleh_penilai"] is False


def test_no_gap_ends_without_a_proposal(regency):
    start_assessment(regency, "guru-smp-1")
    regency.complete("guru-smp-1", "asesmen_mandiri", SELF)
    outcome = regency.complete("kepsek-smp", "validasi_asesmen", {"level_penilai": 3})
    assert outcome.status == "completed"
    assert regency.final_data(outcome.instance_id)["usulan_pengembangan"] is None


def test_the_unit_head_reprioritises_until_within_budget_then_bkpsdm_consolidates(regency):
    with regency.engine.transaction() as tx:
        instance_id = cycle.start_unit_process(tx, "analisis", "pkm-wanggar", 2028)
    regency.complete(
        "kapus",
        "tinjau_kebutuhan_unit",
        {"kebutuhan_pegawai": 16, "kompetensi_kritis": "Pelayanan prima, imunisasi, gawat darurat"},
    )
    over = {
        "prioritas_usulan": "1. Pelayanan prima 2. Imunisasi 3. PPGD",
        "total_biaya_usulan": 90_000_000,
        "pagu_unit": 60_000_000,
    }
    regency.complete("kapus", "prioritaskan_usulan", over)
    regency.complete("kapus", "prioritaskan_usulan", {**over, "total_biaya_usulan": 55_000_000})
    regency.complete(
        "kabid-bang",
        "konsolidasi_rencana",
        {
            "jenis_kompetensi": "Pelayanan prima puskesmas",
            "jalur_pengembangan": "KLASIKAL_PELATIHAN",
            "penyelenggara": "BKPSDM Kabupaten Nabire",
            "jadwal": "Maret 2028",
            "anggaran": 55_000_000,
        },
        scope="queue",
    )
    final = regency.final_data(instance_id)
    assert (final["selisih_pegawai"], final["putaran_prioritas"], final["status_rencana"]) == (
        4,
        2,
        "DIKONSOLIDASI",
    )


def test_the_orchestrators_stages_launch_per_employee_and_per_unit(regency):
    with regency.engine.transaction() as tx:
        data = cycle.orchestrator_data("smpn-wanggar-1", 2027)
        assert cycle.run_stage(tx, {**data, "bulan": 3}, "realisasi") == {"tahap": "realisasi", "dimulai": 6}
        assert cycle.run_stage(tx, {**data, "bulan": 3}, "triwulan") == {"tahap": "triwulan", "dimulai": 6}
        assert cycle.run_stage(tx, data, "penetapan") == {"tahap": "penetapan", "dimulai": 1}
        assert cycle.run_stage(tx, data, "penetapan") == {"tahap": "penetapan", "dimulai": 0}
    assert {t.bpmn_id for t in regency.inbox("guru-smp-2")} == {"laporkan_realisasi"}
    assert {t.bpmn_id for t in regency.inbox("kepsek-smp")} >= {
        "nilai_periodik",
        "tetapkan_capaian_organisasi",
    }
