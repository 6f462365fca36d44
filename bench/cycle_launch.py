"""Cycle launch: SKP planning started for 5,000 generated employees in one batch, on SQLite.

Builds a regency of generated units (a head and staff each, heads reporting to one Sekda), with a
login per employee, deploys processes/, then times ``cycle.launch`` for every employee (one
instance and one inbox task each, one commit at the end). Target: at most 10 s.

    python bench/cycle_launch.py [--employees 5000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, insert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import cycle, deploy, users  # noqa: E402
from engine.bpmn.parser import ModelSource  # noqa: E402
from engine.runtime import Engine  # noqa: E402
from engine.store.records import EmployeeRecord, OrgUnitRecord, UserRecord, UserRoleRecord  # noqa: E402

PER_UNIT = 50


def nip(i: int) -> str:
    """An 18-digit NIP-shaped id: birth date, CPNS TMT, sex, then a sequence that keeps it unique."""
    return (
        f"{1970 + i % 30}{1 + i % 12:02d}{1 + i % 28:02d}{2000 + i % 24}{1 + i % 12:02d}{1 + i % 2}{i:03d}"[
            :14
        ]
        + f"{i:04d}"
    )


def build(url: str, count: int) -> Engine:
    engine = Engine(url)
    engine.database.upgrade()
    library = [
        ModelSource(p.name, p.read_bytes())
        for p in sorted((ROOT / "processes").glob("*.*"))
        if p.suffix in (".bpmn", ".dmn")
    ]
    with engine.transaction() as tx:
        deploy.deploy(tx, library, users.SYSTEM, "bench")
        now = tx.clock.now()
    nips = [nip(i) for i in range(count)]
    units = [
        {
            "id": "pemda",
            "name": "Pemerintah Kabupaten",
            "kind": "pemda",
            "parent_id": None,
            "head_nip": nips[0],
            "service_unit": False,
        }
    ]
    employees = [
        {
            "nip": nips[0],
            "name": "Sekretaris Daerah",
            "jabatan": "Sekretaris Daerah",
            "jenis_jabatan": "JPT",
            "jenis_asn": "PNS",
            "unit_id": "pemda",
            "supervisor_nip": None,
            "active": True,
            "frontline": False,
        }
    ]
    for start in range(1, count, PER_UNIT):
        unit = f"unit-{start // PER_UNIT:03d}"
        head = nips[start]
        units.append(
            {
                "id": unit,
                "name": f"Unit {unit}",
                "kind": "opd",
                "parent_id": "pemda",
                "head_nip": head,
                "service_unit": False,
            }
        )
        for i in range(start, min(start + PER_UNIT, count)):
            employees.append(
                {
                    "nip": nips[i],
                    "name": f"Pegawai {i}",
                    "jabatan": "Kepala Unit" if i == start else "Pelaksana",
                    "jenis_jabatan": "ADMINISTRATOR" if i == start else "PELAKSANA",
                    "jenis_asn": "PNS",
                    "unit_id": unit,
                    "supervisor_nip": nips[0] if i == start else head,
                    "active": True,
                    "frontline": False,
                }
            )
    db = create_engine(url)
    with db.begin() as conn:
        conn.execute(insert(OrgUnitRecord.__table__), units)
        conn.execute(insert(EmployeeRecord.__table__), employees)
        conn.execute(
            insert(UserRecord.__table__),
            [
                {
                    "username": f"p{i}",
                    "display_name": e["name"],
                    "password_hash": None,
                    "nip": e["nip"],
                    "email": None,
                    "active": True,
                    "is_service": False,
                    "created_at": now,
                }
                for i, e in enumerate(employees)
            ],
        )
        conn.execute(
            insert(UserRoleRecord.__table__),
            [{"user_id": i + 1, "role": "pegawai"} for i in range(len(employees))],
        )
    db.dispose()
    return engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=2, help="fresh databases, each launched once")
    args = parser.parse_args()
    timings = []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            engine = build(f"sqlite:///{tmp}/launch{r}.db", args.employees)
            began = time.perf_counter()
            with engine.transaction() as tx:
                done = cycle.launch(tx, 2027, "perencanaan")
            timings.append(time.perf_counter() - began)
            with engine.transaction(write=False) as tx:
                first = tx.store.task(1)
                assert first is not None and first.assignee == "p0" and first.bpmn_id == "usulkan_skp"
            engine.close()
            print(
                f"round {r + 1}: {len(done.started)} instances started in {timings[-1]:.2f} s "
                f"({len(done.started) / timings[-1]:.0f} per second)"
            )
    print(
        f"launch of {args.employees} employees, SQLite, one transaction: "
        f"median {statistics.median(timings):.2f} s (target <= 10 s)"
    )


if __name__ == "__main__":
    main()
