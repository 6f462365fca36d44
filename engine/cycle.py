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

from engine import batch, instances, orgchart, training
from engine.bpmn.runner import Execution
from engine.deploy import definition_ref, model_of
from engine.errors import BadRequest, NotFound
from engine.runtime import Tx
from engine.store.records import EmployeeRecord
from engine.users import SYSTEM, Actor

STAGES = {
    "analisis": "asesmen_kompetensi",  # before the year: each employee's self-assessment (AKPK)
    "perencanaan": "skp_perencanaan",  # January: every employee proposes an SKP
    "realisasi": "realisasi_bulanan",  # each month: realisation, evidence, feedback
    "triwulan": "evaluasi_periodik",  # each quarter: periodic evaluation
    "tahunan": "evaluasi_tahunan",  # December: annual evaluation, keberatan, follow-up
}
SKP_DEADLINE = "{year}-01-31T23:59:00+09:00"  # PermenPANRB 8/2021: end of January, WIT (configurable)
STANDARD_LEVEL = 3  # the post's standard competency level until Anjab data is imported
UNIT_PROCESSES = {"analisis": "analisis_kebutuhan", "penetapan": "penetapan_predikat_unit"}


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
    skipped: list[str] = []
    per_unit: dict[str, int] = {}
    shared = {"tahun": year, "periode": periode, **_shared_data(stage, year, month, quarter)}
    items: list[tuple[dict[str, Any], str]] = []
    for employee in employees_of(tx, units):
        business_key = f"{employee.nip}/{periode}"
        if tx.store.lean.business_key_taken(process_key, business_key):
            skipped.append(employee.nip)
            continue
        own = {**subject_data(org, employee), **_own_data(tx, stage, employee, year)}
        items.append((own, business_key))
        per_unit[employee.unit_id] = per_unit.get(employee.unit_id, 0) + 1
    outcomes = batch.start_many(tx, process_key, actor, shared, items) if items else []
    return Launch(
        stage, process_key, periode, tuple(o.instance_id for o in outcomes), tuple(skipped), per_unit
    )


def subject_data(org: orgchart.Directory, employee: EmployeeRecord) -> dict[str, Any]:
    """The start data that names the employee in every per-employee process (processes/README.md)."""
    return {
        "nip": employee.nip,
        "nama": employee.name,
        "unit": employee.unit_id,
        "jabatan": employee.jabatan,
        "jenis_jabatan": employee.jenis_jabatan,
        "penilai_nip": org.penilai(employee.nip).nip,
        "atasan_penilai_nip": org.atasan_penilai(employee.nip).nip,
    }


def _shared_data(stage: str, year: int, month: int | None, quarter: int | None) -> dict[str, Any]:
    """Start data the same for every employee of a stage."""
    if stage == "perencanaan":
        return {"batas_skp": SKP_DEADLINE.format(year=year)}
    if stage == "analisis":
        return {"level_standar": STANDARD_LEVEL}
    if stage == "triwulan":
        return {"triwulan": quarter}
    if stage == "realisasi":
        return {"bulan": month}
    return {}


def _own_data(tx: Tx, stage: str, employee: EmployeeRecord, year: int) -> dict[str, Any]:
    """Start data of one employee beyond their name: the post's competency, the SKP's targets."""
    if stage == "analisis":
        return {"kompetensi": f"Kompetensi teknis {employee.jabatan}"}
    if stage == "realisasi":
        return skp_targets(tx, employee.nip, year)
    if stage == "tahunan":  # the JP the ledger holds for the year so far
        return {"jp_tahun_berjalan": training.total(tx, employee.nip, year)}
    return {}


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


def start_unit_process(tx: Tx, stage: str, unit_id: str, year: int, actor: Actor = SYSTEM) -> int | None:
    """Start a unit-level stage (needs analysis, setting the unit's predikat); None if it exists."""
    process_key = UNIT_PROCESSES[stage]
    business_key = f"{unit_id}/{year}"
    if tx.store.lean.business_key_taken(process_key, business_key):
        return None
    unit = tx.store.org.unit(unit_id)
    if unit is None:
        raise NotFound(f"no unit {unit_id!r}")
    staff = tx.store.org.employees(unit_id)
    data: dict[str, Any] = {"unit": unit_id, "nama_unit": unit.name, "tahun": year, "periode": str(year)}
    if stage == "analisis":
        data["bezetting"] = len(staff)
    else:
        data.update(predikat_counts(tx, [e.nip for e in staff], year))
    return instances.start(tx, process_key, actor, data, business_key).instance_id


def predikat_counts(tx: Tx, nips: list[str], year: int) -> dict[str, int]:
    """How many of these employees ended the year with each predikat (final annual evaluations)."""
    fields = {
        "SANGAT_BAIK": "jumlah_sangat_baik",
        "BAIK": "jumlah_baik",
        "BUTUH_PERBAIKAN": "jumlah_butuh_perbaikan",
        "KURANG_MISCONDUCT": "jumlah_kurang_misconduct",
        "SANGAT_KURANG": "jumlah_sangat_kurang",
    }
    counts = dict.fromkeys(fields.values(), 0)
    for nip in nips:
        row = tx.store.instance_by_business_key("evaluasi_tahunan", f"{nip}/{year}")
        if row is None or row.status != "completed":
            continue
        data = Execution.load(model_of(tx, definition_ref(tx, row.definition_id)), row.state).data
        name = fields.get(str(data.get("predikat_final")))
        if name:
            counts[name] += 1
    return counts


def start_cycle(tx: Tx, year: int, units: Iterable[str] | None = None, actor: Actor = SYSTEM) -> list[Launch]:
    """Start the year for units: the needs analysis and SKP planning, then their orchestrators.

    The orchestrator (processes/siklus_kinerja.bpmn) launches every stage itself through its
    ``kinerja.tahap.<tahap>`` service tasks (the handler is ``run_stage``, registered by
    ``engine.services.product_services``). The first stages are launched here before it starts, so
    that this report counts them; its own first tasks then find them launched, and launching twice
    starts nothing twice. Later stages can also be launched by hand with ``kinerja cycle start --stage``.
    """
    unit_ids = (
        [u.id for u in tx.store.org.units() if tx.store.org.employees(u.id)] if units is None else list(units)
    )
    for unit_id in unit_ids:
        start_unit_process(tx, "analisis", unit_id, year, actor)
    launches = [launch(tx, year, stage, unit_ids, actor=actor) for stage in ("perencanaan", "analisis")]
    for unit_id in unit_ids:
        if not tx.store.lean.business_key_taken("siklus_kinerja", f"{unit_id}/{year}"):
            instances.start(
                tx, "siklus_kinerja", actor, orchestrator_data(unit_id, year), f"{unit_id}/{year}"
            )
    return launches


def orchestrator_data(unit_id: str, year: int) -> dict[str, Any]:
    """The dates the orchestrator waits for (WIT; configurable defaults of domain brief 7.13)."""
    return {
        "unit": unit_id,
        "tahun": year,
        "periode": str(year),
        "tanggal_evaluasi_tahunan": f"{year}-12-15T08:00:00+09:00",
        "batas_penetapan": f"{year + 1}-01-10T08:00:00+09:00",
    }


def run_stage(tx: Tx, data: Mapping[str, Any], tahap: str, actor: Actor = SYSTEM) -> dict[str, Any]:
    """What the orchestrator's ``kinerja.tahap.<tahap>`` service task does, given the instance's data.

    Meant to be registered as the handler of those service-task types; returns what it started.
    """
    unit_id, year = str(data["unit"]), int(data["tahun"])
    if tahap in UNIT_PROCESSES:
        started = start_unit_process(tx, tahap, unit_id, year, actor)
        extra = launch(tx, year, "analisis", [unit_id], actor=actor).started if tahap == "analisis" else ()
        return {"tahap": tahap, "dimulai": (0 if started is None else 1) + len(extra)}
    stage = {
        "perencanaan": "perencanaan",
        "realisasi": "realisasi",
        "triwulan": "triwulan",
        "tahunan": "tahunan",
    }
    bulan = data.get("bulan")
    done = launch(
        tx,
        year,
        stage[tahap],
        [unit_id],
        month=bulan,
        quarter=(bulan // 3) if isinstance(bulan, int) else None,
        actor=actor,
    )
    return {"tahap": tahap, "dimulai": len(done.started)}
