"""Competency development (pengembangan kompetensi): the JP ledger.

PermenPANRB 6/2022 and PP 11/2017 expect every ASN to receive at least 20 JP (jam pelajaran,
hours of learning) of competency development a year. A process marks the form field where an
employee reports hours earned with the field property ``jp`` (value ``true``); completing such a task
credits those hours to the employee in the ledger, for the year of the completion's business date.
The ledger is what the annual evaluation starts from (``jp_tahun_berjalan``) and what "Kinerja saya"
shows, whichever process the training came from (annual follow-up, IKM retraining, a new policy).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from engine.bpmn.forms import FormField
from engine.runtime import Tx
from engine.store import InstanceRow, TaskRow
from engine.store.records import JpCreditRecord
from engine.users import Actor

JP_PER_YEAR = 20
JP_PROPERTY = "jp"
TITLE_FIELD = "nama_pelatihan"  # the training's name, when the task's data has one


@dataclass(frozen=True)
class Credit:
    jp: int
    title: str
    credited_on: date
    instance_id: int


@dataclass(frozen=True)
class Ledger:
    """One employee's JP in one year."""

    year: int
    credits: tuple[Credit, ...]

    @property
    def total(self) -> int:
        return sum(c.jp for c in self.credits)

    @property
    def met(self) -> bool:
        return self.total >= JP_PER_YEAR


def credit(
    tx: Tx,
    form: Sequence[FormField],
    submitted: Mapping[str, Any],
    data: Mapping[str, Any],
    task: TaskRow,
    instance: InstanceRow,
    actor: Actor,
) -> int:
    """Credit the hours a completed task reported; returns them (0 when its form reports none).

    The hours go to the person who reported them, or, when someone without an employee number
    completed the task for them, to the employee the instance is about.
    """
    hours = sum(
        value
        for f in form
        if f.properties.get(JP_PROPERTY) == "true"
        and isinstance(value := submitted.get(f.id), int)
        and not isinstance(value, bool)
        and value > 0
    )
    nip = actor.nip or instance.subject_nip
    if not hours or not nip:
        return 0
    now = tx.clock.now()
    title = submitted.get(TITLE_FIELD) or data.get(TITLE_FIELD) or task.title
    tx.store.training.add(
        JpCreditRecord(
            nip=nip,
            year=now.astimezone(tx.settings.tz).year,
            jp=hours,
            title=str(title)[:255],
            instance_id=instance.id,
            task_id=task.id,
            credited_at=now,
        )
    )
    return hours


def total(tx: Tx, nip: str, year: int) -> int:
    return tx.store.training.total(nip, year)


def ledger(tx: Tx, nip: str, year: int) -> Ledger:
    tz = tx.settings.tz
    return Ledger(
        year,
        tuple(
            Credit(r.jp, r.title, r.credited_at.astimezone(tz).date(), r.instance_id)
            for r in tx.store.training.credits(nip, year)
        ),
    )
