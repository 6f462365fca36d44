"""Deadlines in the demo regency, with the clock moved and the scheduler firing what is due:
a missed SKP proposal goes to the pengelola kinerja, a missed SKP deadline to the unit head, silence
after 14 days makes a predikat final, an undecided objection and missing reports and feedback are
escalated, and a policy-change message starts retraining with its own deadline."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine import cycle, demo, messages, users
from engine.errors import ProcessFailed
from engine.scheduler import run_due
from tests.processes.test_evaluasi import REASON, S, ratings, start_annual
from tests.processes.test_skp import PROPOSAL, REVIEW, start_skp

DAY = timedelta(days=1)


def later(regency, days: float) -> None:
    regency.clock.advance(days * DAY)
    while True:  # the scheduler fires in batches; fire until nothing is due
        firings, failed = run_due(regency.engine)
        assert failed == 0
        if not firings:
            break


def test_a_proposal_missing_after_7_days_is_drafted_by_the_pengelola_kinerja(regency):
    started = start_skp(regency, "guru-sd-3")
    later(regency, 6.9)
    assert [t.bpmn_id for t in regency.inbox("guru-sd-3")] == ["usulkan_skp"]
    later(regency, 0.2)
    assert regency.inbox("guru-sd-3") == []  # withdrawn by the escalation
    regency.complete(
        "analis-sdm",
        "susun_skp_pengganti",
        {
            **{k: PROPOSAL[k] for k in ("pendekatan", "rencana_hasil_kerja", "iki", "target", "satuan")},
            "catatan_pengelola": "Disusun dari SKP tahun lalu dan matriks peran hasil sekolah.",
        },
        scope="queue",
    )
    regency.complete("kepsek-sd", "reviu_skp", {**REVIEW, "keputusan_skp": "SETUJU"})
    final = regency.final_data(started.instance_id)
    assert (final["disusun_pengelola"], final["status_skp"]) == (True, "DITETAPKAN")


def test_the_skp_deadline_passing_undecided_goes_to_the_unit_head(regency):
    started = start_skp(regency, "petugas-akta")
    regency.complete("petugas-akta", "usulkan_skp", PROPOSAL)
    later(regency, 5)  # the penilai's 5 days pass: overdue, but the deadline is 31 January
    assert [t.bpmn_id for t in regency.inbox("kasi-identitas", "queue")] == ["reviu_skp"]
    later(regency, 23)  # 1 February WIT
    assert regency.inbox("kasi-identitas", "queue") == []
    escalated = regency.task("kadukcapil", "tetapkan_skp_terlambat")
    assert escalated.assignment_rule == "org_chart"
    regency.complete("kadukcapil", "tetapkan_skp_terlambat", {**REVIEW, "keputusan_skp": "SETUJU"})
    final = regency.final_data(started.instance_id)
    assert (final["skp_terlambat"], final["status_skp"]) == (True, "DITETAPKAN")


def test_silence_for_14_days_makes_the_predikat_final(regency):
    started = start_annual(regency, "guru-sd-4", jp=20)
    regency.complete("kepsek-sd", "nilai_tahunan", ratings(S, S))
    later(regency, 13.9)
    assert [t.bpmn_id for t in regency.inbox("guru-sd-4")] == ["tanggapi_hasil_tahunan"]
    later(regency, 0.2)
    final = regency.final_data(started.instance_id)
    assert (final["predikat_final"], final["keberatan_diajukan"], final["memenuhi_20_jp"]) == (
        "BAIK",
        False,
        True,
    )


def test_an_objection_undecided_after_21_days_is_followed_up_by_bkpsdm(regency):
    start_annual(regency, "perawat-2")
    regency.complete("kapus", "nilai_tahunan", ratings(S, S))
    regency.complete(
        "perawat-2", "tanggapi_hasil_tahunan", {"tanggapan": "KEBERATAN", "alasan_keberatan": REASON}
    )
    regency.complete(
        "kapus", "beri_penjelasan", {"penjelasan_penilai": "Rating sesuai bukti dukung setahun."}
    )
    later(regency, 21.1)
    regency.complete(
        "analis-sdm",
        "pantau_keberatan",
        {"catatan_pemantauan": "Atasan diingatkan lewat telepon."},
        scope="queue",
    )
    # the decision stays with the atasan penilai
    assert [t.bpmn_id for t in regency.inbox("kabid-yankes")] == ["putuskan_keberatan"]


def test_missing_report_and_missing_feedback_are_escalated(regency):
    with regency.engine.transaction() as tx:
        cycle.launch(tx, 2027, "realisasi", ["smpn-wanggar-1"], month=1)
    later(regency, 10.1)
    # the report is still the employee's; the penilai is asked to follow it up
    assert [t.bpmn_id for t in regency.inbox("guru-smp-3")] == ["laporkan_realisasi"]
    reminders = [t for t in regency.inbox("kepsek-smp") if t.bpmn_id == "ingatkan_pegawai"]
    assert len(reminders) == 5  # one per teacher of the school
    regency.complete(
        "guru-smp-3",
        "laporkan_realisasi",
        {"realisasi": 12, "bukti_dukung": "Jurnal mengajar Januari", "kendala": "TIDAK_ADA"},
    )
    later(regency, 7.1)
    escalation = regency.task("kabid-dikdas", "tindak_lanjuti_umpan_balik")
    assert escalation.subject_nip == regency.nip("guru-smp-3")


def test_a_policy_change_message_retrains_the_affected_staff_by_a_deadline(regency):
    # the message names units and posts; the org chart says who holds them
    affected = sorted(regency.nip(k) for k in ("staf-yan-1", "staf-yan-2", "staf-yan-3"))
    with regency.engine.transaction() as tx:
        delivered = messages.deliver(
            tx,
            "KebijakanBaruDiterbitkan",
            {},
            {
                "judul_kebijakan": "Standar pelayanan surat keterangan",
                "nomor_kebijakan": "Perbup 7/2027",
                "unit_terdampak": ["distrik-wanggar"],
                "jabatan_terdampak": [
                    "Pengadministrasi Layanan Umum",
                    "Penata Layanan Operasional",
                    "Pengadministrasi Perkantoran",
                ],
            },
            actor=users.SYSTEM,
        )
    [instance_id] = delivered.started
    regency.complete(
        "analis-sdm",
        "analisis_dampak",
        {
            "kompetensi_berubah": "Prosedur baru penerbitan surat keterangan dalam satu hari.",
            "urgensi": "SEGERA",
            "nama_pelatihan": "Sosialisasi Perbup 7/2027",
            "jp_pelatihan": 4,
        },
        scope="queue",
    )
    for key in ("staf-yan-1", "staf-yan-2"):
        regency.complete(key, "ikuti_sosialisasi", {"jp_diperoleh": 4, "tanggal_selesai": "2027-01-20"})
    later(regency, 30.1)  # one of three has not reported: the penilai queue is told
    follow_up = regency.task("kasi-pem", "tindak_lanjuti_sosialisasi", scope="queue")
    assert follow_up.subject_nip is None
    regency.complete(
        "kasi-pem",
        "tindak_lanjuti_sosialisasi",
        {"catatan_tindak_lanjut": "Pegawai sedang cuti; dijadwalkan ulang."},
        scope="queue",
    )
    regency.complete("staf-yan-3", "ikuti_sosialisasi", {"jp_diperoleh": 4, "tanggal_selesai": "2027-02-06"})
    final = regency.final_data(instance_id)
    assert (final["status_pelatihan"], final["peserta_terdampak"]) == ("SELESAI", affected)


def test_a_policy_change_reaches_units_below_and_named_employees_and_refuses_unknown_units(regency):
    def deliver(payload):
        with regency.engine.transaction() as tx:
            [instance_id] = messages.deliver(
                tx,
                "KebijakanBaruDiterbitkan",
                {},
                {"judul_kebijakan": "Standar layanan", **payload},
                actor=users.SYSTEM,
            ).started
        return instance_id

    # the Puskesmas and its Pustu below it, midwives only, and one named teacher besides
    reached = deliver(
        {
            "unit_terdampak": "pkm-wanggar",
            "jabatan_terdampak": "bidan terampil",
            "peserta_terdampak": [regency.nip("guru-sd-1")],
        }
    )
    bidan = [p.key for p in demo.people() if p.jabatan == "Bidan Terampil" and p.key != demo.ON_LEAVE]
    expected = sorted([*(regency.nip(k) for k in bidan), regency.nip("guru-sd-1")])
    assert regency.instance_data(reached)["peserta_terdampak"] == expected

    # a message naming a unit the regency does not have is refused whole: nothing starts
    with pytest.raises(ProcessFailed, match=r"unknown unit.*distrik-atlantis") as refused:
        deliver({"unit_terdampak": ["pkm-wanggar", "distrik-atlantis"]})
    assert refused.value.element == "tentukan_peserta"
    with regency.engine.transaction(write=False) as tx:
        assert tx.store.instances(process_key="perubahan_kebijakan")[1] == 1
