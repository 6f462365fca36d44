"""A whole year for one employee: SKP, 12 monthly reports, 4 quarterly evaluations, the annual one.

Each period is its own small instance (processes/README.md), so the year never becomes one long
loop. The script walks the year for several employees of the demo regency, times every completion,
and prints the median cost of each step of the year; the figure to watch is the cost of the last
completion (the annual evaluation's last task) against the first (the SKP proposal), and of the last
monthly report against the first. Target: at most 1.5x.

    python bench/cycle_year.py [--employees 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import cycle, demo, deploy, instances, tasks, users  # noqa: E402
from engine.bpmn.parser import ModelSource  # noqa: E402
from engine.runtime import Engine  # noqa: E402

RATING = {
    "umpan_balik_hasil": "Laporan bulanan lengkap dengan bukti dukung.",
    "rating_hasil_kerja": "SESUAI_EKSPEKTASI",
    "umpan_balik_perilaku": "Berorientasi pelayanan dan kolaboratif.",
    "rating_perilaku_kerja": "SESUAI_EKSPEKTASI",
}
SKP = {
    "pendekatan": "KUANTITATIF",
    "rencana_hasil_kerja": "Layanan administrasi tepat waktu",
    "iki": "Jumlah layanan selesai",
    "target": 1200,
    "satuan": "layanan",
    "tanggal_dialog": "2027-01-05",
    "catatan_dialog": "Dibahas bersama pejabat penilai pada awal tahun.",
}


class Year:
    """Drives one employee's year, timing each completion."""

    def __init__(self, engine: Engine, person: demo.DemoPerson, boss: demo.DemoPerson) -> None:
        self.engine, self.person, self.boss = engine, person, boss
        self.timings: list[tuple[str, float]] = []
        with engine.transaction(write=False) as tx:
            self.me, self.penilai = users.actor(tx, person.username), users.actor(tx, boss.username)

    def complete(self, who: users.Actor, bpmn_id: str, data: dict[str, Any], label: str) -> None:
        with self.engine.transaction() as tx:
            [task] = [
                t
                for scope in ("mine", "queue")  # the SKP review is offered in the penilai's queue
                for t in tasks.inbox(tx, who, scope, limit=200).items
                if t.bpmn_id == bpmn_id and t.subject_nip == self.person.nip
            ]
            if task.status == "open":
                instances.claim(tx, task.id, who)
        began = time.perf_counter()
        with self.engine.transaction() as tx:
            instances.complete(tx, task.id, data, who)
        self.timings.append((label, time.perf_counter() - began))

    def launch(self, stage: str, **period: int) -> None:
        with self.engine.transaction() as tx:
            cycle.launch(tx, 2027, stage, [self.person.unit_id], **period)

    def run(self, launched: Callable[[str, dict[str, int]], None]) -> None:
        launched("perencanaan", {})
        self.complete(self.me, "usulkan_skp", SKP, "first: SKP proposal")
        self.complete(
            self.penilai,
            "reviu_skp",
            {
                "ekspektasi_pimpinan": "Semua layanan selesai sesuai standar waktu.",
                "umpan_balik_skp": "Target sesuai beban kerja unit.",
                "keputusan_skp": "SETUJU",
            },
            "SKP review",
        )
        for month in range(1, 13):
            launched("realisasi", {"month": month})
            self.complete(
                self.me,
                "laporkan_realisasi",
                {"realisasi": 100, "bukti_dukung": f"Register layanan bulan {month}", "kendala": "TIDAK_ADA"},
                f"monthly report {month}",
            )
            self.complete(
                self.penilai,
                "beri_umpan_balik",
                {"umpan_balik_rhk": "Capaian sesuai target bulan ini.", "perlu_pembinaan": False},
                f"monthly feedback {month}",
            )
            if month % 3 == 0:
                launched("triwulan", {"quarter": month // 3})
                self.complete(self.penilai, "nilai_periodik", RATING, f"quarter {month // 3} rating")
                self.complete(
                    self.me, "baca_hasil_periodik", {"sudah_dibaca": True}, f"quarter {month // 3} read"
                )
        launched("tahunan", {})
        self.complete(self.penilai, "nilai_tahunan", RATING, "annual rating")
        self.complete(self.me, "tanggapi_hasil_tahunan", {"tanggapan": "TERIMA"}, "last: annual acceptance")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=7, help="employees walked through the year (<= 7)")
    args = parser.parse_args()
    staff = [p for p in demo.people() if p.supervisor_key and p.key != demo.ON_LEAVE]
    boss_of = {p.key: p for p in demo.people()}
    # one employee per unit: a launch starts the stage for the whole unit, once
    units = (
        "pkm-wanggar",
        "dukcapil",
        "sdn-wanggar-1",
        "smpn-wanggar-1",
        "distrik-wanggar",
        "bkpsdm",
        "disdik",
    )
    chosen = [next(p for p in staff if p.unit_id == u and p.supervisor_key != demo.ON_LEAVE) for u in units]
    chosen = chosen[: args.employees]
    with tempfile.TemporaryDirectory() as tmp:
        engine = Engine(f"sqlite:///{tmp}/year.db")
        engine.database.upgrade()
        library = [
            ModelSource(p.name, p.read_bytes())
            for p in sorted((ROOT / "processes").glob("*.*"))
            if p.suffix in (".bpmn", ".dmn")
        ]
        with engine.transaction() as tx:
            deploy.deploy(tx, library, users.SYSTEM, "bench")
            demo.seed(tx, password=None)
        years = []
        for person in chosen:
            penilai = boss_of[person.supervisor_key or ""]
            if penilai.key == demo.ON_LEAVE:
                continue
            year = Year(engine, person, penilai)

            def launched(stage: str, period: dict[str, int], year: Year = year) -> None:
                year.launch(stage, **period)

            year.run(launched)
            years.append(year)
        engine.close()
    steps = [label for label, _ in years[0].timings]
    median = {
        label: statistics.median(y.timings[i][1] for y in years) * 1000 for i, label in enumerate(steps)
    }
    print(f"one year per employee, {len(years)} employees, SQLite; median ms per completion:")
    for label in steps:
        print(f"  {label:<28} {median[label]:7.2f}")
    first, last = median[steps[0]], median[steps[-1]]
    print(f"last completion / first completion: {last / first:.2f}  (target <= 1.5)")
    print(
        "monthly report 12 / monthly report 1: "
        f"{median['monthly report 12'] / median['monthly report 1']:.2f}"
    )


if __name__ == "__main__":
    main()
