"""20 JP a year: every process where an employee reports training hours credits them to one ledger,
and the annual evaluation starts from what the ledger holds for that employee and year."""

from __future__ import annotations

from engine import cycle, messages, training, users

POLICY = {
    "judul_kebijakan": "Standar pelayanan surat keterangan",
    "nomor_kebijakan": "Perbup 7/2027",
    "unit_terdampak": ["distrik-wanggar"],
    "jabatan_terdampak": ["Pengadministrasi Layanan Umum"],
}
ANALYSIS = {
    "kompetensi_berubah": "Prosedur baru penerbitan surat keterangan dalam satu hari.",
    "urgensi": "SEGERA",
    "nama_pelatihan": "Sosialisasi Perbup 7/2027",
    "jp_pelatihan": 4,
}


def policy_training(regency, hours: dict[str, int]) -> None:
    """A policy change whose affected staff report the hours given (the others stay silent)."""
    with regency.engine.transaction() as tx:
        messages.deliver(
            tx,
            "KebijakanBaruDiterbitkan",
            {},
            {**POLICY, "peserta_terdampak": [regency.nip(k) for k in hours]},
            actor=users.SYSTEM,
        )
    regency.complete("analis-sdm", "analisis_dampak", ANALYSIS, scope="queue")
    for key, jp in hours.items():
        regency.complete(key, "ikuti_sosialisasi", {"jp_diperoleh": jp, "tanggal_selesai": "2027-01-20"})


def ledger(regency, key: str, year: int = 2027) -> training.Ledger:
    with regency.engine.transaction(write=False) as tx:
        return training.ledger(tx, regency.nip(key), year)


def test_reported_hours_are_credited_to_whoever_reported_them(regency):
    policy_training(regency, {"staf-yan-1": 4, "staf-yan-2": 20})

    first, second = ledger(regency, "staf-yan-1"), ledger(regency, "staf-yan-2")
    assert (first.total, first.met, second.total, second.met) == (4, False, 20, True)
    [credit] = first.credits
    assert (credit.jp, credit.title) == (4, "Sosialisasi Perbup 7/2027")
    assert ledger(regency, "staf-yan-1", 2028).total == 0  # a year's hours are that year's
    assert ledger(regency, "staf-yan-3").total == 0  # nothing reported, nothing credited


def test_a_form_without_the_jp_property_credits_nothing(regency):
    policy_training(regency, {"staf-yan-1": 4})
    # the analysis form has a JP figure too (the planned hours), but it does not report hours earned
    assert ledger(regency, "analis-sdm").total == 0
    assert ledger(regency, "staf-yan-1").total == 4


def test_the_annual_evaluation_starts_from_the_ledger(regency):
    policy_training(regency, {"staf-yan-1": 4, "staf-yan-2": 12})
    policy_training(regency, {"staf-yan-2": 10})  # a second policy later in the year

    with regency.engine.transaction() as tx:
        launched = cycle.launch(tx, 2027, "tahunan", ["distrik-wanggar"])
    assert launched.started
    started = {}
    with regency.engine.transaction(write=False) as tx:
        for key in ("staf-yan-1", "staf-yan-2", "staf-yan-3"):
            row = tx.store.instance_by_business_key("evaluasi_tahunan", f"{regency.nip(key)}/2027")
            started[key] = row.id
    jp = {
        key: regency.instance_data(instance_id)["jp_tahun_berjalan"] for key, instance_id in started.items()
    }
    assert jp == {"staf-yan-1": 4, "staf-yan-2": 22, "staf-yan-3": 0}
