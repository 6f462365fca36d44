"""The read side of performance: what an employee's evaluations contain, and who may see them.

An evaluation is a process instance about an employee (its subject NIP): the SKP of a year, a month's
realisation, a periodic or annual evaluation. What it holds is read from the instance's data and its
audit trail, through the names of processes/README.md:

- targets: ``rencana_hasil_kerja``, ``iki``, ``target`` and ``satuan`` (with ``status_skp``);
- realisations: ``realisasi`` (and ``bukti_dukung``, ``capaian_persen``) of a ``periode``;
- feedback: the fields named ``umpan_balik*``, ``ekspektasi*``, ``saran*``, ``catatan*`` or
  ``pertimbangan`` that someone other than the employee submitted;
- ratings: the ``predikat_final`` (annual, after any objection) or ``predikat`` of a ``periode``, as
  the codes of ``predikat_kinerja.dmn`` (SANGAT_BAIK ... SANGAT_KURANG).

Who may see an employee's evaluations: the employee; the assessor chain (the penilai and the atasan
penilai the org chart names today); HR (``bkpsdm``, ``pengelola_kinerja``) and ``auditor``. For anyone
else they do not exist (NotFound), so ids and NIPs reveal nothing. An auditor's every look is logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine import orgchart
from engine.access_log import log_access
from engine.bpmn.runner import Execution
from engine.context import PERIOD_KEYS, Answer, Step, steps_of
from engine.deploy import definition_ref, model_of
from engine.errors import NotFound
from engine.runtime import Tx
from engine.status import ACTIVE_TASK_STATUSES
from engine.store.records import ProcessInstanceRecord
from engine.tasks import TaskSummary
from engine.users import Actor

SEE_ALL_ROLES = frozenset({"bkpsdm", "pengelola_kinerja", "auditor"})
TARGET_KEYS = ("rencana_hasil_kerja", "iki", "target", "satuan", "rhk_tambahan", "status_skp")
REALISATION_KEYS = ("realisasi", "bukti_dukung", "capaian_persen")
FEEDBACK_PREFIXES = ("umpan_balik", "ekspektasi", "saran", "catatan", "pertimbangan")
# The predikat scale of PermenPANRB 6/2022, best first, as the decision table names it; the rank (5 for
# the best) is what the chart draws, the name what people read.
PREDIKAT = {
    "SANGAT_BAIK": "Sangat Baik",
    "BAIK": "Baik",
    "BUTUH_PERBAIKAN": "Butuh Perbaikan",
    "KURANG_MISCONDUCT": "Kurang/Misconduct",
    "SANGAT_KURANG": "Sangat Kurang",
}


@dataclass(frozen=True)
class Feedback:
    """What a supervisor (or anyone but the employee) wrote to the employee."""

    instance_id: int
    task_title: str
    author: str | None
    author_name: str | None
    at: datetime
    answer: Answer


@dataclass(frozen=True)
class Evaluation:
    """One instance about an employee, as its pages show it."""

    instance_id: int
    process_key: str
    process_name: str | None
    business_key: str | None
    period: str | None
    status: str
    started_at: datetime
    data: dict[str, Any]
    steps: tuple[Step, ...]
    open_tasks: tuple[TaskSummary, ...]

    def values(self, keys: tuple[str, ...]) -> dict[str, Any]:
        return {k: self.data[k] for k in keys if self.data.get(k) not in (None, "")}

    @property
    def predikat(self) -> str | None:
        value = self.data.get("predikat_final") or self.data.get("predikat")
        return str(value) if value else None


@dataclass(frozen=True)
class Employee:
    """Who the evaluations are about."""

    nip: str
    name: str
    jabatan: str | None
    unit_id: str | None


@dataclass(frozen=True)
class Record:
    """An employee's evaluations, newest first, with the feedback they received and their ratings."""

    employee: Employee
    evaluations: tuple[Evaluation, ...]

    @property
    def feedback(self) -> list[Feedback]:
        found = []
        for evaluation in self.evaluations:
            for step in evaluation.steps:
                if step.actor_nip == self.employee.nip:
                    continue
                for answer in step.answers:
                    if answer.field_id.startswith(FEEDBACK_PREFIXES) and answer.value not in (None, ""):
                        found.append(
                            Feedback(
                                evaluation.instance_id,
                                step.title,
                                step.actor,
                                step.actor_name,
                                step.at,
                                answer,
                            )
                        )
        return sorted(found, key=lambda f: f.at, reverse=True)

    @property
    def ratings(self) -> list[tuple[str, str, int]]:
        """(period, predikat as people read it, rank 5 best .. 1 worst) in the order of the periods."""
        codes = list(PREDIKAT)
        rated = sorted((e.period or e.business_key or "", e.predikat) for e in self.evaluations if e.predikat)
        return [
            (period, PREDIKAT.get(code, code), len(codes) - codes.index(code) if code in PREDIKAT else 0)
            for period, code in rated
            if code is not None
        ]


def assessors(tx: Tx, nip: str) -> set[str]:
    """The NIPs of the employee's penilai and atasan penilai, as the org chart names them today."""
    chart = orgchart.directory(tx)
    return {c.nip for c in (chart.penilai(nip), chart.atasan_penilai(nip)) if c.nip}


def may_see(tx: Tx, actor: Actor, nip: str) -> bool:
    """Whether this person may see the evaluations of the employee with this NIP."""
    if actor.nip == nip or actor.roles & SEE_ALL_ROLES:
        return True
    return actor.nip is not None and actor.nip in assessors(tx, nip)


def _employee(tx: Tx, nip: str) -> Employee:
    record = tx.store.org.employee(nip)
    if record is not None:
        return Employee(record.nip, record.name, record.jabatan, record.unit_id)
    user = tx.store.user_by_nip(nip)
    return Employee(nip, user.display_name if user else nip, None, None)


def _evaluation(tx: Tx, instance: ProcessInstanceRecord) -> Evaluation:
    model = model_of(tx, definition_ref(tx, instance.definition_id))
    data = Execution.load(model, instance.state).data
    period = next((str(data[k]) for k in PERIOD_KEYS if data.get(k) not in (None, "")), None)
    active = [t for t in tx.store.tasks_of_instance(instance.id) if t.status in ACTIVE_TASK_STATUSES]
    return Evaluation(
        instance.id,
        instance.process_key,
        model.name,
        instance.business_key,
        period,
        instance.status,
        instance.started_at,
        data,
        steps_of(tx, instance.id, model),
        tuple(TaskSummary.of(t) for t in active),
    )


def of_employee(tx: Tx, actor: Actor, nip: str, limit: int = 50) -> Record:
    """An employee's evaluations, newest first; NotFound for anyone who may not see them."""
    if not nip or not may_see(tx, actor, nip):
        raise NotFound(f"no evaluations of {nip}")
    if actor.read_only:  # an auditor's every look is logged (the caller commits it with the page)
        log_access(tx, actor, "record", None, nip=nip)
    rows, _total = tx.store.instances(subject=nip, limit=limit)
    return Record(_employee(tx, nip), tuple(_evaluation(tx, row) for row in rows))


def evaluation(tx: Tx, actor: Actor, instance_id: int) -> tuple[Employee, Evaluation]:
    """One evaluation by id; NotFound unless the actor may see its employee's evaluations."""
    instance = tx.store.instance(instance_id)
    if instance is None or not instance.subject_nip or not may_see(tx, actor, instance.subject_nip):
        raise NotFound(f"no evaluation {instance_id}")
    if actor.read_only:
        log_access(tx, actor, "evaluation", instance_id)
    return _employee(tx, instance.subject_nip), _evaluation(tx, instance)
