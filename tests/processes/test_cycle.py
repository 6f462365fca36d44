"""Launching the cycle: `kinerja cycle start` puts every employee's first task in the right inbox, a
repeated launch starts nothing twice, and later stages carry the agreed SKP into the monthly report."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from engine import cycle, demo
from tests.processes.regency import PEOPLE


def test_cycle_start_all_puts_every_first_task_in_its_owners_inbox(regency, tmp_path):
    env = {**os.environ, "KINERJA_DATABASE_URL": str(regency.engine.database.url)}
    done = subprocess.run(
        [sys.executable, "-m", "engine.cli", "cycle", "start", "--year", "2027", "--all", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(done.stdout)
    active = [p for p in demo.people() if p.key != demo.ON_LEAVE]
    assert (report["started"], report["skipped"]) == (len(active), 0)
    heads = {demo.UNIT_HEADS[u] for u in demo.UNIT_HEADS}
    for person in active:
        mine = {t.bpmn_id: t for t in regency.inbox(person.key)}
        expected = {"usulkan_skp", "asesmen_mandiri"} | (
            {"tinjau_kebutuhan_unit"} if person.key in heads else set()
        )
        assert set(mine) == expected, person.key
        assert (mine["usulkan_skp"].subject_nip, mine["usulkan_skp"].assignee) == (
            person.nip,
            person.username,
        )
    # one orchestrator per unit with staff, waiting at its first stage
    with regency.engine.transaction(write=False) as tx:
        _running, total = tx.store.instances(process_key="siklus_kinerja", status="running")
    assert total == len(demo.UNIT_HEADS)
    # the Kasi on study leave gets nothing; running it again for one unit starts nothing new
    assert regency.inbox(demo.ON_LEAVE) == []
    again = subprocess.run(
        [sys.executable, "-m", "engine.cli", "cycle", "start", "--year", "2027", "--unit", "pkm-wanggar"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "started 0, skipped 12" in again.stdout
    # seeding again changes nothing and prints the logins
    seeded = subprocess.run(
        [sys.executable, "-m", "engine.cli", "demo", "seed"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "already seeded" in seeded.stdout and PEOPLE["kapus"].username in seeded.stdout


def test_the_launch_records_penilai_and_the_monthly_report_carries_the_skp_target(regency):
    with regency.engine.transaction() as tx:
        first = cycle.launch(tx, 2027, "perencanaan", ["distrik-wanggar"])
    assert first.per_unit == {"distrik-wanggar": 9}
    regency.complete(
        "staf-yan-2",
        "usulkan_skp",
        {
            "pendekatan": "KUANTITATIF",
            "rencana_hasil_kerja": "Pelayanan surat keterangan tepat waktu",
            "iki": "Jumlah surat keterangan selesai dalam 1 hari",
            "target": 600,
            "satuan": "surat",
            "tanggal_dialog": "2027-01-06",
            "catatan_dialog": "Disepakati bersama Plt Kepala Seksi Pelayanan Umum.",
        },
    )
    review = regency.task("sekdistrik", "reviu_skp", "queue")  # the Plt of the Kasi Pelayanan Umum
    assert regency.detail(review.id, "sekdistrik")["data"]["penilai_nip"] == PEOPLE["sekdistrik"].nip
    regency.complete(
        "sekdistrik",
        "reviu_skp",
        {
            "ekspektasi_pimpinan": "Semua surat keterangan selesai di hari yang sama.",
            "umpan_balik_skp": "Target realistis untuk loket distrik.",
            "keputusan_skp": "SETUJU",
        },
    )
    with regency.engine.transaction() as tx:
        march = cycle.launch(tx, 2027, "realisasi", ["distrik-wanggar"], month=3)
    assert march.periode == "2027-03" and len(march.started) == 9
    report = regency.task("staf-yan-2", "laporkan_realisasi")
    data = regency.detail(report.id, "staf-yan-2")["data"]
    assert (data["iki"], data["target_bulan"], data["periode"]) == (
        "Jumlah surat keterangan selesai dalam 1 hari",
        50,
        "2027-03",
    )
    other = regency.task("staf-pem-1", "laporkan_realisasi")
    assert regency.detail(other.id, "staf-pem-1")["data"]["target_bulan"] == 0  # no SKP agreed yet


def test_a_month_of_realisation_with_feedback_and_coaching(regency):
    with regency.engine.transaction() as tx:
        cycle.launch(tx, 2027, "realisasi", ["pustu-wiraska"], month=2)
    regency.complete(
        "perawat-pustu",
        "laporkan_realisasi",
        {
            "realisasi": 30,
            "bukti_dukung": "Register kunjungan Pustu Februari",
            "kendala": "AKSES_GEOGRAFIS",
            "uraian_kendala": "Jalan ke Kampung Wiraska tergenang setelah banjir.",
        },
    )
    feedback = regency.task("kapus", "beri_umpan_balik")
    assert regency.detail(feedback.id, "kapus")["data"]["capaian_persen"] == 0  # no target: no SKP yet
    regency.complete(
        "kapus",
        "beri_umpan_balik",
        {
            "umpan_balik_rhk": "Kunjungan tetap berjalan meski akses sulit; catat kunjungan rumah.",
            "perlu_pembinaan": True,
            "jenis_pembinaan": "BIMBINGAN_KINERJA",
        },
    )
    outcome = regency.complete(
        "kapus",
        "bimbingan_kinerja",
        {"tanggal_bimbingan": "2027-03-03", "hasil_bimbingan": "Disepakati jadwal kunjungan rumah mingguan."},
    )
    assert outcome.status == "completed"
    final = regency.final_data(outcome.instance_id)
    assert (final["status_realisasi"], final["jenis_pembinaan"], final["kendala"]) == (
        "DINILAI",
        "BIMBINGAN_KINERJA",
        "AKSES_GEOGRAFIS",
    )
