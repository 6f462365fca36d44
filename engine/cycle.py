"""Launching a stage of the performance cycle: one small instance per employee, in batch.

DESIGN.md keeps instances small: the cycle of a unit is not one instance holding its staff, but one
instance per employee per stage and period (SKP planning per year, realisation per month, evaluation
per quarter and per year). A launch starts them for one unit or for the whole regency inside the
caller's transaction; business keys (``<nip>/<period>``) make a repeated launch skip what exists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine import instances, orgchart
from engine.bpmn.runner import Execution
from engine.deploy import definition_ref, model_of
from engine.errors import BadRequest, NotFound
from engine.runtime import Tx
from engine.store.records import EmployeeRecord
from engine.users import SYSTEM, Actor

STAGES = {
    "perencanaan": "skp_perencanaan",  # January: every employee proposes an SKP
    "realisasi": "realisasi_bulanan",  # each month: realisation, evidence, feedback
    "triwulan": "evaluasi_periodik",  # each quarter: periodic evaluation
    "tahunan": "evaluasi_tahunan",  # December: annual evaluation, keberatan, follow-up
}
SKP_DEADLINE = "{year}-01-31T23:59:00+09:00"  # PermenPANRB 8/2021: end of January, WIT (configurable)


@dataclass(frozen=True)
class Launch:
    """What a launch did: the instances it started and the employees it skipped (already started)."""

    stage: str
    process_key: str
    periode: str
    started: tuple[int, ...] = ()
    skipped: tuple[str, ...] = ()
    per_unit: Mapping[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "process_key": self.process_key,
            "periode": self.periode,
            "started": len(self.started),
            "skipped": len(self.skipped),
            "per_unit": dict(self.per_unit),
        }


def periode_of(stage: str, year: int, month: int | None = None, quarter: int | None = None) -> str:
    """The period a stage runs for: 2027, 2027-03 or 2027-TW1."""
    if stage == "realisasi":
        if month is None or not 1 <= month <= 12:
            raise BadRequest("the realisasi stage needs --month 1..12")
        return f"{year}-{month:02d}"
    if stage == "triwulan":
        if quarter is None or not 1 <= quarter <= 4:
            raise BadRequest("the triwulan stage needs --quarter 1..4")
        return f"{year}-TW{quarter}"
    return str(year)


def employees_of(tx: Tx, units: Iterable[str] | None) -> list[EmployeeRecord]:
    """The active employees of the given units (all units when None), in NIP order per unit."""
    if units is None:
        return list(tx.store.org.employees())
    found: list[EmployeeRecord] = []
    for unit_id in units:
        if tx.store.org.unit(unit_id) is None:
            raise NotFound(f"no unit {unit_id!r}")
        found.extend(tx.store.org.employees(unit_id))
    return found


def launch(
    tx: Tx,
    year: int,
    stage: str = "perencanaan",
    units: Iterable[str] | None = None,
    *,
    month: int | None = None,
    quarter: int | None = None,
    actor: Actor = SYSTEM,
) -> Launch:
    """Start the stage's process for every active employee of the units (or of the regency)."""
    if stage not in STAGES:
        raise BadRequest(f"unknown stage {stage!r}; stages: {', '.join(STAGES)}")
    process_key, periode = STAGES[stage], periode_of(stage, year, month, quarter)
    org = orgchart.directory(tx)
    org.prefetch()  # one read of the chart for the whole batch
    started: list[int] = []
    skipped: list[str] = []
    per_unit: dict[str, int] = {}
    for employee in employees_of(tx, units):
        business_key = f"{employee.nip}/{periode}"
        if tx.store.lean.business_key_taken(process_key, business_key):
            skipped.append(employee.nip)
            continue
        data = {
            **subject_data(org, employee, year, periode),
            **_stage_data(tx, stage, employee, year, month, quarter),
        }
        outcome = instances.start(tx, process_key, actor, data, business_key)
        started.append(outcome.instance_id)
        per_unit[employee.unit_id] = per_unit.get(employee.unit_id, 0) + 1
    return Launch(stage, process_key, periode, tuple(started), tuple(skipped), per_unit)


def subject_data(
    org: orgchart.Directory, employee: EmployeeRecord, year: int, periode: str
) -> dict[str, Any]:
    """The start data every per-employee process shares (see processes/README.md)."""
    return {
        "nip": employee.nip,
        "nama": employee.name,
        "unit": employee.unit_id,
        "jabatan": employee.jabatan,
        "jenis_jabatan": employee.jenis_jabatan,
        "tahun": year,
        "periode": periode,
        "penilai_nip": org.penilai(employee.nip).nip,
        "atasan_penilai_nip": org.atasan_penilai(employee.nip).nip,
    }


def _stage_data(
    tx: Tx, stage: str, employee: EmployeeRecord, year: int, month: int | None, quarter: int | None
) -> dict[str, Any]:
    if stage == "perencanaan":
        return {"batas_skp": SKP_DEADLINE.format(year=year)}
    if stage == "realisasi":
        return {"bulan": month, **skp_targets(tx, employee.nip, year)}
    if stage == "triwulan":
        return {"triwulan": quarter}
    return {"jp_tahun_berjalan": 0}


def skp_targets(tx: Tx, nip: str, year: int) -> dict[str, Any]:
    """What a monthly report measures against: the IKI and target of the employee's agreed SKP."""
    row = tx.store.instance_by_business_key("skp_perencanaan", f"{nip}/{year}")
    data: dict[str, Any] = {}
    if row is not None and row.status == "completed":
        data = Execution.load(model_of(tx, definition_ref(tx, row.definition_id)), row.state).data
    target = data.get("target")
    return {
        "iki": data.get("iki") or "(SKP belum ditetapkan)",
        "satuan": data.get("satuan") or "-",
        "target_bulan": -(-int(target) // 12) if isinstance(target, int) else 0,
    }


def survey_data(tx: Tx, unit_id: str, periode: str) -> dict[str, Any]:
    """Start data of an IKM survey of a service unit: its front-line staff are who retrain."""
    unit = tx.store.org.unit(unit_id)
    if unit is None:
        raise NotFound(f"no unit {unit_id!r}")
    if not unit.service_unit:
        raise BadRequest(f"{unit.name} does not serve the public; it runs no IKM survey")
    staff = tx.store.org.employees(unit_id, frontline=True)
    return {
        "unit": unit_id,
        "nama_unit": unit.name,
        "periode": periode,
        "staf_garda_depan": [e.nip for e in staff],
    }
