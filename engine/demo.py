"""The demo regency: Pemerintah Kabupaten Nabire with its units in Distrik Wanggar, generated.

Everything here is made up: the names are drawn from a list of common given names and family names,
the NIPs are generated in the regulation's shape (birth date, CPNS TMT, sex, sequence), and the same
seed always yields the same people, so the demo logins printed by ``kinerja demo seed`` are stable.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from engine.errors import Conflict
from engine.runtime import Tx
from engine.store.records import ActingOfficialRecord, EmployeeRecord, OrgUnitRecord
from engine.users import add_user

DEMO_PASSWORD = "wanggar2027"  # one password for every demo login; the demo is not for production
SEED = 2027

# (id, name, kind, parent, serves the public)
UNITS: tuple[tuple[str, str, str, str | None, bool], ...] = (
    ("nabire", "Pemerintah Kabupaten Nabire", "pemda", None, False),
    ("setda", "Sekretariat Daerah", "opd", "nabire", False),
    ("bkpsdm", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "opd", "nabire", False),
    ("inspektorat", "Inspektorat Daerah", "opd", "nabire", False),
    ("dinkes", "Dinas Kesehatan", "opd", "nabire", False),
    ("pkm-wanggar", "UPTD Puskesmas Wanggar", "puskesmas", "dinkes", True),
    ("pustu-wiraska", "Puskesmas Pembantu Wiraska", "puskesmas", "pkm-wanggar", True),
    ("disdik", "Dinas Pendidikan dan Kebudayaan", "opd", "nabire", False),
    ("sdn-wanggar-1", "SD Negeri Wanggar 1", "sekolah", "disdik", True),
    ("smpn-wanggar-1", "SMP Negeri Wanggar 1", "sekolah", "disdik", True),
    ("distrik-wanggar", "Kantor Distrik Wanggar", "distrik", "nabire", True),
    ("dukcapil", "Dinas Kependudukan dan Pencatatan Sipil", "opd", "nabire", True),
)

# (key, unit, jabatan, jenis jabatan, supervisor key, frontline, extra roles); a unit's first post heads it
POSTS: tuple[tuple[str, str, str, str, str | None, bool, tuple[str, ...]], ...] = (
    ("sekda", "setda", "Sekretaris Daerah", "JPT", None, False, ()),
    ("kaban-bkpsdm", "bkpsdm", "Kepala BKPSDM", "JPT", "sekda", False, ("bkpsdm",)),
    (
        "kabid-bang",
        "bkpsdm",
        "Kepala Bidang Pengembangan Kompetensi",
        "ADMINISTRATOR",
        "kaban-bkpsdm",
        False,
        ("bkpsdm",),
    ),
    (
        "analis-sdm",
        "bkpsdm",
        "Analis SDM Aparatur Ahli Pertama",
        "FUNGSIONAL",
        "kabid-bang",
        False,
        ("bkpsdm", "pengelola_kinerja"),
    ),
    (
        "prakom",
        "bkpsdm",
        "Pranata Komputer Ahli Pertama",
        "FUNGSIONAL",
        "kabid-bang",
        False,
        ("pemilik_proses",),
    ),
    (
        "pengadm-bkpsdm",
        "bkpsdm",
        "Pengadministrasi Perkantoran",
        "PELAKSANA",
        "kabid-bang",
        False,
        ("pengelola_kinerja",),
    ),
    ("inspektur", "inspektorat", "Inspektur Daerah", "JPT", "sekda", False, ()),
    ("auditor", "inspektorat", "Auditor Ahli Pertama", "FUNGSIONAL", "inspektur", False, ("auditor",)),
    ("kadinkes", "dinkes", "Kepala Dinas Kesehatan", "JPT", "sekda", False, ()),
    ("kabid-yankes", "dinkes", "Kepala Bidang Pelayanan Kesehatan", "ADMINISTRATOR", "kadinkes", False, ()),
    ("pengelola-imunisasi", "dinkes", "Pengelola Program Imunisasi", "PELAKSANA", "kabid-yankes", False, ()),
    ("kapus", "pkm-wanggar", "Kepala UPTD Puskesmas Wanggar", "PENGAWAS", "kabid-yankes", False, ()),
    ("dokter", "pkm-wanggar", "Dokter Ahli Pertama", "FUNGSIONAL", "kapus", True, ()),
    ("perawat-1", "pkm-wanggar", "Perawat Ahli Pertama", "FUNGSIONAL", "kapus", True, ()),
    ("perawat-2", "pkm-wanggar", "Perawat Terampil", "FUNGSIONAL", "kapus", True, ()),
    ("perawat-3", "pkm-wanggar", "Perawat Terampil", "FUNGSIONAL", "kapus", True, ()),
    ("bidan-1", "pkm-wanggar", "Bidan Terampil", "FUNGSIONAL", "kapus", True, ()),
    ("bidan-2", "pkm-wanggar", "Bidan Terampil", "FUNGSIONAL", "kapus", True, ()),
    ("bidan-3", "pkm-wanggar", "Bidan Terampil", "FUNGSIONAL", "kapus", True, ()),
    ("apoteker", "pkm-wanggar", "Apoteker Ahli Pertama", "FUNGSIONAL", "kapus", False, ()),
    (
        "pranata-lab",
        "pkm-wanggar",
        "Pranata Laboratorium Kesehatan Terampil",
        "FUNGSIONAL",
        "kapus",
        False,
        (),
    ),
    (
        "penyuluh",
        "pkm-wanggar",
        "Penyuluh Kesehatan Masyarakat Ahli Pertama",
        "FUNGSIONAL",
        "kapus",
        False,
        (),
    ),
    ("loket-pkm", "pkm-wanggar", "Pengadministrasi Layanan Pendaftaran", "PELAKSANA", "kapus", True, ()),
    ("perawat-pustu", "pustu-wiraska", "Perawat Terampil (Pustu)", "FUNGSIONAL", "kapus", True, ()),
    ("kadisdik", "disdik", "Kepala Dinas Pendidikan dan Kebudayaan", "JPT", "sekda", False, ()),
    ("kabid-dikdas", "disdik", "Kepala Bidang Pendidikan Dasar", "ADMINISTRATOR", "kadisdik", False, ()),
    (
        "kepsek-sd",
        "sdn-wanggar-1",
        "Kepala Sekolah (Guru Ahli Muda)",
        "FUNGSIONAL",
        "kabid-dikdas",
        False,
        (),
    ),
    *(
        (f"guru-sd-{i}", "sdn-wanggar-1", "Guru Ahli Pertama", "FUNGSIONAL", "kepsek-sd", True, ())
        for i in range(1, 7)
    ),
    ("operator-sd", "sdn-wanggar-1", "Operator Layanan Operasional", "PELAKSANA", "kepsek-sd", True, ()),
    (
        "kepsek-smp",
        "smpn-wanggar-1",
        "Kepala Sekolah (Guru Ahli Muda)",
        "FUNGSIONAL",
        "kabid-dikdas",
        False,
        (),
    ),
    *(
        (f"guru-smp-{i}", "smpn-wanggar-1", "Guru Ahli Pertama", "FUNGSIONAL", "kepsek-smp", True, ())
        for i in range(1, 6)
    ),
    ("kadistrik", "distrik-wanggar", "Kepala Distrik Wanggar", "ADMINISTRATOR", "sekda", False, ()),
    (
        "sekdistrik",
        "distrik-wanggar",
        "Sekretaris Distrik",
        "PENGAWAS",
        "kadistrik",
        False,
        ("pengelola_kinerja",),
    ),
    ("kasi-pem", "distrik-wanggar", "Kepala Seksi Pemerintahan", "PENGAWAS", "kadistrik", False, ()),
    ("kasi-yanum", "distrik-wanggar", "Kepala Seksi Pelayanan Umum", "PENGAWAS", "kadistrik", False, ()),
    ("staf-pem-1", "distrik-wanggar", "Pengadministrasi Pemerintahan", "PELAKSANA", "kasi-pem", False, ()),
    ("staf-pem-2", "distrik-wanggar", "Pengelola Data Kampung", "PELAKSANA", "kasi-pem", False, ()),
    ("staf-yan-1", "distrik-wanggar", "Pengadministrasi Layanan Umum", "PELAKSANA", "kasi-yanum", True, ()),
    ("staf-yan-2", "distrik-wanggar", "Penata Layanan Operasional", "PELAKSANA", "kasi-yanum", True, ()),
    ("staf-yan-3", "distrik-wanggar", "Pengadministrasi Perkantoran", "PELAKSANA", "kasi-yanum", True, ()),
    ("staf-umum", "distrik-wanggar", "Pengadministrasi Umum", "PELAKSANA", "sekdistrik", False, ()),
    ("kadukcapil", "dukcapil", "Kepala Dinas Kependudukan dan Pencatatan Sipil", "JPT", "sekda", False, ()),
    (
        "kabid-dafduk",
        "dukcapil",
        "Kepala Bidang Pelayanan Pendaftaran Penduduk",
        "ADMINISTRATOR",
        "kadukcapil",
        False,
        (),
    ),
    ("kasi-identitas", "dukcapil", "Kepala Seksi Identitas Penduduk", "PENGAWAS", "kabid-dafduk", False, ()),
    ("petugas-ktp-1", "dukcapil", "Pengadministrasi Kependudukan", "PELAKSANA", "kasi-identitas", True, ()),
    ("petugas-ktp-2", "dukcapil", "Pengadministrasi Kependudukan", "PELAKSANA", "kasi-identitas", True, ()),
    ("petugas-akta", "dukcapil", "Verifikator Data Kependudukan", "PELAKSANA", "kasi-identitas", True, ()),
    ("petugas-kk", "dukcapil", "Pengadministrasi Kependudukan", "PELAKSANA", "kasi-identitas", True, ()),
    ("pranata-dukcapil", "dukcapil", "Pranata Komputer Terampil", "FUNGSIONAL", "kasi-identitas", False, ()),
)
# the post heading each unit: the first post listed in it
UNIT_HEADS = {
    unit: next(p[0] for p in POSTS if p[1] == unit) for unit, *_ in UNITS if any(p[1] == unit for p in POSTS)
}
PPPK_POSTS = frozenset({"perawat-3", "bidan-2", "guru-sd-5", "guru-sd-6", "guru-smp-5", "staf-yan-3"})
# The Kepala Seksi Pelayanan Umum is on tugas belajar; the Sekretaris Distrik is Plt of that post.
ON_LEAVE = "kasi-yanum"
PLT = ("kasi-yanum", "sekdistrik", "PLT", date(2027, 1, 1), "Sprint Kepala Distrik 800/12/2027")

GIVEN_F = (
    "Ani",
    "Maria",
    "Dewi",
    "Yuliana",
    "Fitri",
    "Theresia",
    "Novita",
    "Rina",
    "Agustina",
    "Martha",
    "Intan",
    "Lidia",
    "Sarah",
    "Kristina",
    "Wulan",
    "Natalia",
    "Selvi",
    "Ester",
)
GIVEN_M = (
    "Agus",
    "Yohanes",
    "Budi",
    "Markus",
    "Hendra",
    "Paulus",
    "Samuel",
    "Eko",
    "Lukas",
    "Daniel",
    "Rudi",
    "Yosef",
    "Andi",
    "Herman",
    "Imanuel",
    "Joko",
    "Petrus",
    "Rahmat",
)
FAMILY = (
    "Pratama",
    "Saputra",
    "Lestari",
    "Wibowo",
    "Kurniawan",
    "Hidayat",
    "Susanto",
    "Sari",
    "Setiawan",
    "Nugroho",
    "Rahayu",
    "Siregar",
    "Manurung",
    "Wijaya",
    "Putri",
    "Santoso",
    "Halim",
    "Gunawan",
    "Utomo",
    "Purba",
)


@dataclass(frozen=True)
class DemoPerson:
    """One generated employee with a login."""

    key: str
    nip: str
    name: str
    username: str
    unit_id: str
    jabatan: str
    jenis_jabatan: str
    supervisor_key: str | None
    frontline: bool
    roles: tuple[str, ...]


def _nip(rng: random.Random, female: bool, seq: int) -> str:
    born = date(rng.randint(1968, 1998), rng.randint(1, 12), rng.randint(1, 28))
    tmt_year = min(born.year + rng.randint(23, 30), 2024)
    return f"{born:%Y%m%d}{tmt_year}{rng.randint(1, 12):02d}{2 if female else 1}{seq:03d}"


def people(seed: int = SEED) -> list[DemoPerson]:
    """The demo employees, the same list for the same seed."""
    rng = random.Random(seed)
    heads_of = {p[4] for p in POSTS if p[4]}
    grand_heads = {p[4] for p in POSTS if p[0] in heads_of and p[4]}
    unit_heads = {
        next(p[0] for p in POSTS if p[1] == u[0]) for u in UNITS if any(p[1] == u[0] for p in POSTS)
    }
    taken: set[str] = set()
    result = []
    for seq, (key, unit, jabatan, jenis, boss, frontline, extra) in enumerate(POSTS, start=1):
        female = rng.random() < 0.5
        while True:
            name = f"{rng.choice(GIVEN_F if female else GIVEN_M)} {rng.choice(FAMILY)}"
            if name not in taken:
                break
        taken.add(name)
        roles = {"pegawai", *extra}
        if key in heads_of:
            roles.add("penilai")
        if key in grand_heads:
            roles.add("atasan_penilai")
        if key in unit_heads:
            roles.add("pimpinan_unit")
        username = name.lower().replace(" ", ".")
        result.append(
            DemoPerson(
                key,
                _nip(rng, female, seq),
                name,
                username,
                unit,
                jabatan,
                jenis,
                boss,
                frontline,
                tuple(sorted(roles)),
            )
        )
    return result


def seeded(tx: Tx) -> bool:
    """Whether the org chart already holds data (the demo is seeded only into an empty chart)."""
    return tx.store.org.count_units() > 0


def seed(tx: Tx, password: str | None = DEMO_PASSWORD) -> list[DemoPerson]:
    """Write the demo regency: units, employees, the Plt, and a login per employee plus an admin.

    ``password=None`` makes logins that cannot sign in (tests: hashing 60 passwords takes seconds).
    """
    if seeded(tx):
        raise Conflict("the org chart already has units; the demo is seeded only once")
    staff = people()
    nip_of = {p.key: p.nip for p in staff}
    heads: dict[str, str] = {}
    for p in staff:
        heads.setdefault(p.unit_id, p.nip)
    for unit_id, name, kind, parent, service in UNITS:
        tx.store.add(
            OrgUnitRecord(
                id=unit_id,
                name=name,
                kind=kind,
                parent_id=parent,
                head_nip=heads.get(unit_id),
                service_unit=service,
            )
        )
        tx.store.flush()
    for p in staff:  # supervisors come before their staff in POSTS, so foreign keys hold
        tx.store.add(
            EmployeeRecord(
                nip=p.nip,
                name=p.name,
                jabatan=p.jabatan,
                jenis_jabatan=p.jenis_jabatan,
                jenis_asn="PPPK" if p.key in PPPK_POSTS else "PNS",
                unit_id=p.unit_id,
                supervisor_nip=nip_of[p.supervisor_key] if p.supervisor_key else None,
                active=p.key != ON_LEAVE,
                frontline=p.frontline,
            )
        )
        tx.store.flush()
    official, acting, kind, starts, decree = PLT
    tx.store.add(
        ActingOfficialRecord(
            kind=kind,
            official_nip=nip_of[official],
            acting_nip=nip_of[acting],
            starts_on=starts,
            ends_on=None,
            decree=decree,
        )
    )
    for p in staff:
        add_user(tx, p.username, p.roles, display_name=p.name, nip=p.nip, password=password)
    add_user(
        tx, "admin", ["admin", "pemilik_proses", "bkpsdm"], display_name="Administrator", password=password
    )
    return staff
