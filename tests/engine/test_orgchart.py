"""Who evaluates whom, read from the org chart of the demo regency: supervisors, the pengawas floor,
Plt and Plh with their dates, and the rule recorded with every answer."""

from __future__ import annotations

from datetime import date

from engine import demo, orgchart
from engine.store.records import ActingOfficialRecord, EmployeeRecord

NIP = {p.key: p.nip for p in demo.people()}


def seeded(engine):
    with engine.transaction() as tx:
        demo.seed(tx, password=None)


def test_the_penilai_is_the_direct_supervisor_and_the_atasan_is_the_next_post_up(engine):
    seeded(engine)
    with engine.transaction(write=False) as tx:
        org = orgchart.directory(tx)
        penilai = org.penilai(NIP["perawat-1"])
        atasan = org.atasan_penilai(NIP["perawat-1"])
    assert (penilai.nip, penilai.rule) == (NIP["kapus"], "atasan_langsung")
    assert (atasan.nip, atasan.rule) == (NIP["kabid-yankes"], "atasan_langsung")


def test_a_plt_carries_out_the_post_and_the_atasan_follows_the_post_not_the_person(engine):
    seeded(engine)  # the Kepala Seksi Pelayanan Umum is on study leave; the Sekretaris Distrik is Plt
    with engine.transaction(write=False) as tx:
        org = orgchart.directory(tx)
        penilai = org.penilai(NIP["staf-yan-1"])
        atasan = org.atasan_penilai(NIP["staf-yan-1"])
    assert (penilai.nip, penilai.rule, penilai.post) == (NIP["sekdistrik"], "plt", NIP["kasi-yanum"])
    assert penilai.decree == "Sprint Kepala Distrik 800/12/2027"
    # the post of Kasi Pelayanan Umum reports to the Kepala Distrik, whatever the Plt's own post is
    assert (atasan.nip, atasan.rule) == (NIP["kadistrik"], "atasan_langsung")


def test_a_plh_counts_only_between_its_dates(engine, clock):
    seeded(engine)
    with engine.transaction() as tx:
        tx.store.add(
            ActingOfficialRecord(
                kind="PLH",
                official_nip=NIP["kapus"],
                acting_nip=NIP["dokter"],
                starts_on=date(2027, 3, 1),
                ends_on=date(2027, 3, 14),
            )
        )
    clock.set(clock.now().replace(month=3, day=10))
    with engine.transaction(write=False) as tx:
        during = orgchart.directory(tx).penilai(NIP["bidan-1"])
    clock.set(clock.now().replace(month=3, day=15))
    with engine.transaction(write=False) as tx:
        after = orgchart.directory(tx).penilai(NIP["bidan-1"])
    assert (during.nip, during.rule) == (NIP["dokter"], "plh")
    assert (after.nip, after.rule) == (NIP["kapus"], "atasan_langsung")


def test_inactive_supervisors_and_pelaksana_are_passed_over_with_the_reason(engine):
    seeded(engine)
    with engine.transaction() as tx:
        kapus = tx.store.org.employee(NIP["kapus"])
        kapus.active = False  # left the post, no Plt appointed yet
        tx.store.add(
            EmployeeRecord(
                nip="199901012024011999",
                name="Pegawai Uji",
                jabatan="Pengadministrasi",
                jenis_jabatan="PELAKSANA",
                unit_id="pkm-wanggar",
                supervisor_nip=NIP["loket-pkm"],  # a pelaksana cannot rate
            )
        )
    with engine.transaction(write=False) as tx:
        org = orgchart.directory(tx)
        skipped = org.penilai(NIP["bidan-1"])
        below = org.penilai("199901012024011999")
    assert (skipped.nip, skipped.rule) == (NIP["kabid-yankes"], "atasan_berikutnya")
    assert skipped.passed_over == ((NIP["kapus"], "tidak aktif"),)
    assert below.passed_over == (
        (NIP["loket-pkm"], "di bawah jenjang pengawas"),
        (NIP["kapus"], "tidak aktif"),
    )
    assert below.nip == NIP["kabid-yankes"]


def test_the_top_of_the_chart_has_nobody_above_and_strangers_are_unknown(engine):
    seeded(engine)
    with engine.transaction(write=False) as tx:
        org = orgchart.directory(tx)
        top = org.penilai(NIP["sekda"])
        atasan_of_head = org.atasan_penilai(NIP["kadinkes"])
        stranger = org.penilai("123456789012345678")
        head = org.pimpinan_unit("pkm-wanggar")
    assert (top.nip, top.rule) == (None, "tidak_ada")
    assert (atasan_of_head.nip, atasan_of_head.rule) == (None, "tidak_ada")
    assert (stranger.nip, stranger.rule) == (None, "tidak_dikenal")
    assert (head.nip, head.rule) == (NIP["kapus"], "pimpinan_unit")


def test_prefetch_reads_the_chart_once_and_answers_the_same(engine):
    seeded(engine)
    with engine.transaction(write=False) as tx:
        org = orgchart.directory(tx)
        org.prefetch()
        answers = {key: org.penilai(NIP[key]).nip for key in ("staf-yan-2", "guru-sd-1", "petugas-kk")}
    assert answers == {
        "staf-yan-2": NIP["sekdistrik"],
        "guru-sd-1": NIP["kepsek-sd"],
        "petugas-kk": NIP["kasi-identitas"],
    }
