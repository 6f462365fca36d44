"""Who evaluates whom: the penilai and atasan penilai of an employee, from the organisation chart.

The rules (PermenPANRB 6/2022 and its table of pejabat penilai, domain brief 1.7 and D10):

- the penilai is the employee's direct supervisor (``atasan_langsung``);
- while a Plt or Plh carries out that supervisor's post, the acting official is the penilai
  (``plt`` / ``plh``): the post counts, not the person;
- a supervisor who is no longer active, or a pelaksana (below the pengawas floor), is passed over for
  the next one up (``atasan_berikutnya``), with every step recorded;
- the atasan penilai is found by the same rules from the penilai's *post*, so a Plt's own supervisor
  does not matter;
- nobody found is ``tidak_ada``: the task then waits in the role's queue.

Processes call these through expression helpers (``penilai_of(nip)``, ``atasan_penilai_of(nip)``,
``pimpinan_unit_of(unit)``) in ``camunda:assignee``; each answer carries the rule that chose the
person, which the task's assignment detail and its audit event repeat.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine.errors import BadRequest
from engine.runtime import Tx
from engine.store.records import ActingOfficialRecord, EmployeeRecord

PENILAI = "penilai"
ATASAN_PENILAI = "atasan_penilai"
PIMPINAN_UNIT = "pimpinan_unit"
BELOW_PENILAI_FLOOR = frozenset({"PELAKSANA"})  # a pelaksana never rates; a ketua tim (JF) may
MAX_CHAIN = 25  # a supervisor chain longer than this is a data error (a cycle), not an organisation


@dataclass(frozen=True)
class Choice:
    """One answer of the org chart: who holds a role for a subject, and the rule that chose them."""

    role: str  # penilai | atasan_penilai | pimpinan_unit
    subject: str  # the NIP (or unit) asked about
    nip: str | None  # the person chosen; None when nobody was found
    rule: str  # atasan_langsung | plt | plh | atasan_berikutnya | pimpinan_unit | tidak_ada | tidak_dikenal
    post: str | None = None  # the NIP of the post holder whose post decided it (differs under Plt/Plh)
    passed_over: tuple[tuple[str, str], ...] = ()  # (nip, reason) of supervisors skipped on the way
    decree: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "subject": self.subject,
            "nip": self.nip,
            "rule": self.rule,
            "post": self.post,
            "passed_over": [{"nip": n, "reason": r} for n, r in self.passed_over],
            "decree": self.decree,
        }


@dataclass
class Directory:
    """The org chart as of one day, read through one transaction and remembered for its length."""

    tx: Tx
    day: date
    _employees: dict[str, EmployeeRecord | None] = field(default_factory=dict)
    _acting: dict[str, ActingOfficialRecord | None] = field(default_factory=dict)

    def prefetch(self) -> None:
        """Read every employee and every appointment in force at once (before resolving many)."""
        for record in self.tx.store.org.employees(active_only=False):
            self._employees[record.nip] = record
            self._acting.setdefault(record.nip, None)
        for appointment in self.tx.store.org.acting_on(self.day):
            self._acting[appointment.official_nip] = appointment  # ordered by start: the newest wins

    def employee(self, nip: str) -> EmployeeRecord | None:
        if nip not in self._employees:
            self._employees[nip] = self.tx.store.org.employee(nip)
        return self._employees[nip]

    def acting(self, official_nip: str) -> ActingOfficialRecord | None:
        if official_nip not in self._acting:
            self._acting[official_nip] = self.tx.store.org.acting_for(official_nip, self.day)
        return self._acting[official_nip]

    # -- the rules ------------------------------------------------------------------------------
    def _superior(self, role: str, subject: str, start: str) -> Choice:
        """The first post above ``start`` that can rate: held, or carried out by a Plt/Plh."""
        me = self.employee(start)
        if me is None:
            return Choice(role, subject, None, "tidak_dikenal")
        skipped: list[tuple[str, str]] = []
        post = me.supervisor_nip
        while post is not None and len(skipped) < MAX_CHAIN:
            official = self.employee(post)
            if official is None:
                break
            acting = self.acting(post)
            if acting is not None:
                rule = acting.kind.lower()
                return Choice(role, subject, acting.acting_nip, rule, post, tuple(skipped), acting.decree)
            if official.active and official.jenis_jabatan not in BELOW_PENILAI_FLOOR:
                rule = "atasan_berikutnya" if skipped else "atasan_langsung"
                return Choice(role, subject, post, rule, post, tuple(skipped))
            skipped.append((post, "tidak aktif" if not official.active else "di bawah jenjang pengawas"))
            post = official.supervisor_nip
        return Choice(role, subject, None, "tidak_ada", None, tuple(skipped))

    def penilai(self, nip: str) -> Choice:
        """The pejabat penilai kinerja of an employee."""
        return self._superior(PENILAI, nip, nip)

    def atasan_penilai(self, nip: str) -> Choice:
        """The atasan pejabat penilai: the rater of the penilai's post."""
        penilai = self.penilai(nip)
        if penilai.post is None:
            return Choice(ATASAN_PENILAI, nip, None, "tidak_ada", None, penilai.passed_over)
        return self._superior(ATASAN_PENILAI, nip, penilai.post)

    def pimpinan_unit(self, unit_id: str) -> Choice:
        """The head of a work unit, or the Plt/Plh carrying out that post."""
        unit = self.tx.store.org.unit(unit_id)
        head = unit.head_nip if unit is not None else None
        if head is None:
            return Choice(PIMPINAN_UNIT, unit_id, None, "tidak_ada")
        acting = self.acting(head)
        if acting is not None:
            return Choice(
                PIMPINAN_UNIT, unit_id, acting.acting_nip, acting.kind.lower(), head, (), acting.decree
            )
        official = self.employee(head)
        if official is None or not official.active:
            return Choice(PIMPINAN_UNIT, unit_id, None, "tidak_ada", head, ((head, "tidak aktif"),))
        return Choice(PIMPINAN_UNIT, unit_id, head, "pimpinan_unit", head)

    def expression_helpers(self, log: list[Choice]) -> dict[str, Callable[[Any], str | None]]:
        """The functions an assignee expression may call; every answer is appended to ``log``."""

        def recorded(choice: Choice) -> str | None:
            log.append(choice)
            return choice.nip

        return {
            "penilai_of": lambda nip: recorded(self.penilai(str(nip))),
            "atasan_penilai_of": lambda nip: recorded(self.atasan_penilai(str(nip))),
            "pimpinan_unit_of": lambda unit: recorded(self.pimpinan_unit(str(unit))),
        }


def directory(tx: Tx) -> Directory:
    """The transaction's directory, made on first use (so a batch resolves from one read of the chart)."""
    found = tx.memo.get("org_directory")
    if not isinstance(found, Directory):
        found = Directory(tx, tx.clock.now().astimezone(tx.settings.tz).date())
        tx.memo["org_directory"] = found
    return found


def _listed(value: Any) -> list[str]:
    """A list of names from a message or form value: a list, or one comma-separated string."""
    items = value.split(",") if isinstance(value, str) else value or []
    if not isinstance(items, list | tuple):
        raise BadRequest(f"expected a list of names, got {type(value).__name__}")
    return [str(i).strip() for i in items if str(i).strip()]


def affected_employees(tx: Tx, units: Any, posts: Any = None, named: Any = None) -> list[str]:
    """The NIPs a change applies to: active employees of the units (and the units below them) whose
    post is one of ``posts`` (any post when none is given), with the employees ``named`` added.

    Unknown units or NIPs are refused by name; so is a change that reaches nobody.
    """
    unit_ids, post_names, nips = _listed(units), {p.casefold() for p in _listed(posts)}, _listed(named)
    children: dict[str | None, list[str]] = {}
    for unit in tx.store.org.units():
        children.setdefault(unit.parent_id, []).append(unit.id)
    known = {u for ids in children.values() for u in ids}
    unknown = [u for u in unit_ids if u not in known]
    if unknown:
        raise BadRequest(f"unknown unit(s): {', '.join(unknown)}")
    reached, stack = set(), list(unit_ids)
    while stack:
        unit_id = stack.pop()
        if unit_id not in reached:
            reached.add(unit_id)
            stack.extend(children.get(unit_id, []))
    found = {
        e.nip
        for unit_id in reached
        for e in tx.store.org.employees(unit_id)
        if not post_names or e.jabatan.casefold() in post_names
    }
    missing = [n for n in nips if tx.store.org.employee(n) is None]
    if missing:
        raise BadRequest(f"unknown employee(s): {', '.join(missing)}")
    found.update(nips)
    if not found:
        raise BadRequest("no active employee holds the affected posts in the affected units")
    return sorted(found)
