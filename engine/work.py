"""An instance opened for change in one transaction, and what moved it when no person did."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.audit import InstanceChain
from engine.bpmn.runner import Execution, WaitingEvent, clock
from engine.deploy import definition_ref, model_of
from engine.runtime import Tx
from engine.status import LIVE_INSTANCE_STATUSES
from engine.store import InstanceRow


@dataclass(frozen=True)
class Cause:
    """What moved an instance when no person did: a timer that fired or a message that arrived."""

    event: WaitingEvent
    withdraws: frozenset[str] = frozenset()  # spiff ids of the human tasks it interrupted
    message_id: int | None = None

    def describe(self) -> dict[str, Any]:
        """The event as the audit trail names it."""
        described = dict(self.event.label)
        if self.message_id is not None:
            described["message_id"] = self.message_id
        return described


@dataclass
class Work:
    """An instance being changed in this transaction: its row, execution, new audit events, causes."""

    row: InstanceRow
    execution: Execution
    chain: InstanceChain
    subscribed: frozenset[tuple[str, str]] = frozenset()  # (message, spiff task) the index holds now
    causes: list[Cause] = field(default_factory=list)
    offered: set[tuple[str, str]] = field(default_factory=set)  # waits already matched to kept messages


def message_waits(waits: list[WaitingEvent]) -> frozenset[tuple[str, str]]:
    """The (message name, waiting task) pairs among an instance's waits."""
    return frozenset((w.name or "", w.spiff_id) for w in waits if w.kind == "message")


def load(tx: Tx, row: InstanceRow) -> Work:
    """Load a (locked) instance for change, noting the message subscriptions the index holds for it."""
    execution = Execution.load(model_of(tx, definition_ref(tx, row.definition_id)), row.state)
    subscribed: frozenset[tuple[str, str]] = frozenset()
    if row.status in LIVE_INSTANCE_STATUSES:
        with clock(tx.clock.now, tx.settings.tz):
            subscribed = message_waits(execution.waiting_events())
    return Work(row, execution, InstanceChain(tx, row), subscribed)
