"""SKP planning for one employee of the demo regency: the pegawai proposes after the dialog, the
penilai (resolved from the org chart) sets expectations and approves or asks for rework."""

from __future__ import annotations

from engine.status import InstanceStatus

PROPOSAL = {
    "pendekatan": "KUANTITATIF",
    "rencana_hasil_kerja": "Meningkatnya cakupan imunisasi dasar lengkap di Kampung Wiraska",
    "iki": "Persentase bayi yang mendapat imunisasi dasar lengkap",
    "target": 95,
    "satuan": "persen",
    "tanggal_dialog": "2027-01-05",
    "catatan_dialog": "Dibahas bersama kepala puskesmas: fokus pada posyandu di kampung pesisir.",
}
REVIEW = {
    "ekspektasi_pimpinan": "Cakupan imunisasi naik setiap triwulan dengan laporan posyandu yang lengkap.",
    "umpan_balik_skp": "Target sudah jelas; lengkapi rencana kunjungan posyandu per bulan.",
}


def start_skp(regency, key):
    return regency.start(
        "skp_perencanaan",
        {**regency.subject(key), "tahun": 2027, "batas_skp": "2027-01-31T23:59:00+09:00"},
        business_key=f"{regency.nip(key)}/2027",
    )


def test_skp_agreed_after_one_rework_round(regency):
    started = start_skp(regency, "bidan-1")
    # the employee's proposal is in her own inbox, due in 7 days with a reminder after 5
    [proposal] = regency.inbox("bidan-1")
    assert (proposal.bpmn_id, proposal.status) == ("usulkan_skp", "assigned")
    regency.complete("bidan-1", "usulkan_skp", PROPOSAL)

    # the penilai is the Kepala Puskesmas, chosen by the org chart, and the task says so: it waits in
    # her queue (offered to her alone, not to every penilai) until she takes it
    review = regency.task("kapus", "reviu_skp", "queue")
    assert (review.assignment_rule, review.status) == ("candidate_users", "open")
    detail = regency.detail(review.id, "kapus")
    assert detail["assignment_detail"]["org"][0]["rule"] == "atasan_langsung"
    assert detail["data"]["rencana_hasil_kerja"] == PROPOSAL["rencana_hasil_kerja"]
    assert regency.inbox("perawat-1") == [] and regency.inbox("kepsek-sd", "queue") == []
    assert regency.claim("kapus", "reviu_skp").status == "claimed"
    regency.complete("kapus", "reviu_skp", {**REVIEW, "keputusan_skp": "REVISI"})

    # rework: back to the employee, with the penilai's feedback and her earlier values
    again = regency.task("bidan-1", "usulkan_skp")
    shown = regency.detail(again.id, "bidan-1")["data"]
    assert shown["umpan_balik_skp"] == REVIEW["umpan_balik_skp"]
    assert shown["status_skp"] == "REVISI" and shown["putaran_revisi"] == 1
    regency.complete("bidan-1", "usulkan_skp", {**PROPOSAL, "target": 98})
    outcome = regency.complete("kapus", "reviu_skp", {**REVIEW, "keputusan_skp": "SETUJU"})

    assert outcome.status == InstanceStatus.COMPLETED
    final = regency.final_data(started.instance_id)
    assert final["status_skp"] == "DITETAPKAN"
    assert (final["target"], final["keputusan_skp"], final["skp_terlambat"]) == (98, "SETUJU", False)
    created = regency.created_events(started.instance_id)
    assert [e["bpmn_id"] for e in created] == ["usulkan_skp", "reviu_skp", "usulkan_skp", "reviu_skp"]
    assert created[1]["rule"] == "candidate_users"
    assert created[1]["candidate_users"] == [regency.actor("kapus").username]
    assert created[1]["rule_detail"]["org"][0]["nip"] == regency.nip("kapus")


def test_the_plt_gets_the_skp_of_staff_whose_supervisor_is_on_leave(regency):
    start_skp(regency, "staf-yan-1")
    regency.complete("staf-yan-1", "usulkan_skp", PROPOSAL)
    review = regency.task("sekdistrik", "reviu_skp", "queue")
    detail = regency.detail(review.id, "sekdistrik")["assignment_detail"]
    assert detail["org"][0]["rule"] == "plt"
    assert detail["org"][0]["post"] == regency.nip("kasi-yanum")


def test_a_bad_proposal_is_refused_field_by_field(regency):
    start_skp(regency, "guru-sd-1")
    import pytest

    from engine.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        regency.complete("guru-sd-1", "usulkan_skp", {**PROPOSAL, "target": 0, "catatan_dialog": "singkat"})
    assert set(refused.value.errors) == {"target", "catatan_dialog"}
