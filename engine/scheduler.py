"""The scheduler: fires what is due and sends the outbox, inside the web process or as a worker.

One round claims a batch of due instances (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so any number of
workers on any number of hosts each take different ones; on SQLite a writing transaction holds the
database), fires each and commits the batch once. A worker killed mid-batch loses
its transaction, and with it every change and every lock: the next worker takes the same items, so
each fires exactly once. An item that fails unexpectedly is put back a little later, not retried in
a tight loop. Then the due emails of the outbox are sent, each in its own claim.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

from engine import checkpoints, messages, notifications, timers
from engine.errors import Conflict
from engine.notifications import Mailer, SmtpMailer
from engine.runtime import Engine
from engine.timers import Firing
from engine.users import SYSTEM

log = logging.getLogger(__name__)

RETRY_AFTER = timedelta(minutes=1)  # an item that failed unexpectedly is due again after this


@dataclass(frozen=True)
class Round:
    """What one round did."""

    fired: int  # instances that had something due
    sent: int  # emails sent
    failed: int  # instances put back after an unexpected error
    full: bool  # the batch was full: more may be due right now


def run_due(engine: Engine, batch: int = 20) -> tuple[list[Firing], int]:
    """Claim and fire one batch of due instances in one transaction; return the firings and failures.

    Should one instance fail unexpectedly, the batch is rolled back and its instances are fired one
    per transaction, so that the others go ahead and the broken one is put back for later.
    """
    claimed: list[int] = []
    try:
        with engine.transaction() as tx:
            claimed = timers.claim_due(tx, batch)
            firings = [f for f in (timers.fire_due(tx, i) for i in claimed) if f is not None]
        return firings, 0
    except Exception:
        if not claimed:
            raise  # the claim itself failed: the database is away, nothing to isolate
        log.exception("a batch of %s failed; firing its instances one by one", len(claimed))
    return _one_by_one(engine, claimed)


def _one_by_one(engine: Engine, claimed: list[int]) -> tuple[list[Firing], int]:
    firings: list[Firing] = []
    failed = 0
    for instance_id in claimed:
        try:
            with engine.transaction() as tx:
                firing = timers.fire_due(tx, instance_id)
        except Exception:  # one broken instance must not stop the others; it is logged and put back
            log.exception("firing instance %s failed; retrying after %s", instance_id, RETRY_AFTER)
            with engine.transaction() as tx:
                tx.store.queues.postpone(instance_id, tx.clock.now() + RETRY_AFTER)
            failed += 1
            continue
        if firing is not None:
            firings.append(firing)
    return firings, failed


def checkpoint(engine: Engine) -> checkpoints.Checkpoint | None:
    """Record the audit chains' heads when the last checkpoint is older than the configured interval.

    Two workers that both find one due race to write the same checkpoint number; the loser's
    transaction fails on the key and changes nothing, which is what should happen.
    """
    minutes = engine.settings.checkpoint_minutes
    if minutes <= 0:
        return None
    try:
        with engine.transaction() as tx:
            if not checkpoints.due(tx, timedelta(minutes=minutes)):
                return None
            return checkpoints.create(tx, SYSTEM)
    except Conflict:
        log.info("another worker made this checkpoint (or the checkpoints need verifying)")
        return None


class Scheduler:
    """Runs rounds until stopped: in a thread of the web process (``start``) or a worker's main loop."""

    def __init__(
        self,
        engine: Engine,
        *,
        interval: float = 1.0,
        batch: int = 20,
        mailer: Mailer | None = None,
        send_mail: bool = True,
    ) -> None:
        self.engine = engine
        self.interval = interval
        self.batch = batch
        if mailer is None and send_mail and engine.settings.notifications:
            mailer = SmtpMailer(engine.settings)
        self.mailer = mailer
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.totals = Round(0, 0, 0, False)

    def run_once(self) -> Round:
        """Fire one batch of due instances, hand over late-matched messages, send the emails due, and
        record a checkpoint of the audit trail when one is due."""
        firings, failed = run_due(self.engine, self.batch)
        with self.engine.transaction() as tx:
            messages.hand_over_recent(tx)
        sent = notifications.dispatch(self.engine, self.mailer, self.batch) if self.mailer else 0
        checkpoint(self.engine)
        done = Round(len(firings), sent, failed, len(firings) + failed >= self.batch)
        self.totals = Round(
            self.totals.fired + done.fired,
            self.totals.sent + done.sent,
            self.totals.failed + done.failed,
            False,
        )
        return done

    def run_until_idle(self) -> Round:
        """Run rounds until nothing is due (for tests, ``kinerja worker --until-idle`` and benchmarks)."""
        while not self._stop.is_set():
            done = self.run_once()
            if not done.full and done.sent == 0:
                break
        return self.totals

    def run_forever(self) -> Round:
        """Run rounds until ``stop``: straight on while batches are full, else every ``interval`` seconds."""
        while not self._stop.is_set():
            try:
                done = self.run_once()
            except Exception:  # the database may be away for a moment; the next round tries again
                log.exception("scheduler round failed")
                done = Round(0, 0, 0, False)
            if not done.full:
                self._stop.wait(self.interval)
        return self.totals

    def start(self) -> None:
        """Run in a background thread of this process (the in-process scheduler of ``make run``)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self.run_forever, name="kinerja-scheduler", daemon=True)
        self._thread.start()

    def request_stop(self) -> None:
        """Ask the loop to end after its current round (safe from a signal handler)."""
        self._stop.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the loop to finish its round and wait for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
