"""Email about tasks through an outbox: written with the change, sent after commit, retried with backoff.

A task created for someone, escalated to them, reminded or overdue gets a ``notification`` row in the
same transaction as the change, so an email is never sent for a change that rolled back and a
failing mail server never fails or slows a completion. ``dispatch`` (run by the scheduler or a
worker) sends what is due: the recipients are read at send time (the assignee, else the candidates),
so a task claimed meanwhile goes to whoever holds it; a task no longer open is skipped.
"""

from __future__ import annotations

import json
import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, Protocol

from engine.runtime import Engine, Settings, Tx
from engine.status import ACTIVE_TASK_STATUSES, NotificationStatus
from engine.store import TaskRow, dumps

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_RECIPIENTS = 50  # a queue for a large role is not worth an email to everyone in it
LEASE = timedelta(minutes=5)  # a claimed email is not taken by another worker for this long
_FIRST_RETRY = timedelta(minutes=1)
_LAST_RETRY = timedelta(hours=2)

_SUBJECTS = {
    "id": {
        "created": "Tugas baru: {title}",
        "escalated": "Tugas dieskalasi kepada Anda: {title}",
        "reminder": "Pengingat tugas: {title}",
        "overdue": "Tugas melewati batas waktu: {title}",
    },
    "en": {
        "created": "New task: {title}",
        "escalated": "Task escalated to you: {title}",
        "reminder": "Task reminder: {title}",
        "overdue": "Task overdue: {title}",
    },
}
_BODY = {
    "id": (
        "Yth. Bapak/Ibu,\n\n{opening}\n\n  {title}\n  Proses: {process}\n{subject}{due}\n"
        "Buka tugas: {link}\n\n-- \nKinerja, sistem manajemen kinerja ASN\n"
    ),
    "en": (
        "Dear colleague,\n\n{opening}\n\n  {title}\n  Process: {process}\n{subject}{due}\n"
        "Open the task: {link}\n\n-- \nKinerja, ASN performance management\n"
    ),
}
_OPENINGS = {
    "id": {
        "created": "Ada tugas baru untuk Anda di Kinerja:",
        "escalated": "Tugas berikut dieskalasi kepada Anda karena belum diselesaikan tepat waktu:",
        "reminder": "Tugas berikut masih menunggu Anda:",
        "overdue": "Tugas berikut telah melewati batas waktunya:",
    },
    "en": {
        "created": "There is a new task for you in Kinerja:",
        "escalated": "The following task was escalated to you because it was not done in time:",
        "reminder": "The following task is still waiting for you:",
        "overdue": "The following task is past its due date:",
    },
}
_LABELS = {"id": ("Pegawai", "Batas waktu"), "en": ("Employee", "Due")}


def enqueue(tx: Tx, kind: str, task: TaskRow, detail: dict[str, Any] | None = None) -> None:
    """Queue an email about a task in this transaction (nothing when no mail server is configured)."""
    if tx.settings.notifications:
        tx.store.queues.enqueue_notification(
            kind, task.id, task.instance_id, dumps(detail or {}), tx.clock.now()
        )


class Mailer(Protocol):
    """Sends one email to some recipients."""

    def send(self, recipients: Sequence[str], subject: str, body: str) -> None: ...


class SmtpMailer:
    """Sends through the SMTP server of the settings (plain, STARTTLS or SSL; login if a user is set)."""

    def __init__(self, settings: Settings, timeout: float = 20.0) -> None:
        self.settings = settings
        self.timeout = timeout

    def send(self, recipients: Sequence[str], subject: str, body: str) -> None:
        s = self.settings
        message = EmailMessage()
        message["From"] = s.mail_from
        message["To"] = recipients[0] if len(recipients) == 1 else "undisclosed-recipients:;"
        message["Subject"] = subject
        message.set_content(body)
        smtp_class = smtplib.SMTP_SSL if s.smtp_ssl else smtplib.SMTP
        with smtp_class(s.smtp_host or "localhost", s.smtp_port, timeout=self.timeout) as smtp:
            if s.smtp_starttls and not s.smtp_ssl:
                smtp.starttls()
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password or "")
            smtp.send_message(message, to_addrs=list(recipients))


@dataclass(frozen=True)
class Email:
    """One rendered email."""

    recipients: tuple[str, ...]
    subject: str
    body: str


def render(settings: Settings, kind: str, task: TaskRow, recipients: Sequence[str]) -> Email:
    """The email about a task, in the deployment's language, with a link to the task."""
    language = settings.language if settings.language in _SUBJECTS else "id"
    employee_label, due_label = _LABELS[language]
    subject_line = ""
    if task.subject_name or task.subject_nip:
        who = " ".join(
            p for p in (task.subject_name, f"({task.subject_nip})" if task.subject_nip else None) if p
        )
        subject_line = f"  {employee_label}: {who}\n"
    due = ""
    if task.due_at is not None:
        local = task.due_at.astimezone(settings.tz)
        due = f"  {due_label}: {local:%d-%m-%Y %H:%M} {local.tzname()}\n"
    body = _BODY[language].format(
        opening=_OPENINGS[language][kind],
        title=task.title,
        process=task.process_key,
        subject=subject_line,
        due=due,
        link=f"{settings.base_url.rstrip('/')}/tasks/{task.id}",
    )
    return Email(tuple(recipients), _SUBJECTS[language][kind].format(title=task.title), body)


def recipients(tx: Tx, task: TaskRow) -> list[str]:
    """Whom an email about a task goes to: its assignee, else its candidate users and roles."""
    if task.assignee:
        return tx.store.queues.emails([task.assignee], [], 1)
    return tx.store.queues.emails(
        json.loads(task.candidate_users), json.loads(task.candidate_roles), MAX_RECIPIENTS
    )


def backoff(attempts: int) -> timedelta:
    """How long to wait before the next try after ``attempts`` failures: doubling, capped."""
    delay: timedelta = _FIRST_RETRY * 2 ** max(attempts - 1, 0)
    return min(delay, _LAST_RETRY)


def dispatch(engine: Engine, mailer: Mailer, limit: int = 20) -> int:
    """Send the emails that are due; return how many were sent. Failures are retried later.

    The due rows are claimed in one short transaction (their next attempt moved a lease ahead, so no
    other worker takes them), the mail server is talked to outside any transaction, and each result
    is written in its own. A worker that dies while sending leaves the rows to be tried again when
    the lease ends: an email may then go twice, but is never lost.
    """
    with engine.transaction() as tx:
        now = tx.clock.now()
        batch = [_prepare(tx, item, now) for item in tx.store.queues.claim_notifications(now, limit)]
    sent = 0
    for item, email in batch:
        if email is None:
            continue
        error = _try_send(mailer, email)
        with engine.transaction() as tx:
            _record(tx, item, email, error)
        sent += error is None
    return sent


def _prepare(tx: Tx, item: dict[str, Any], now: datetime) -> tuple[dict[str, Any], Email | None]:
    """Render a claimed row's email and take a lease on it; skip it if there is nothing to tell."""
    queues = tx.store.queues
    task = tx.store.lean.task(item["task_id"])
    to = recipients(tx, task) if task is not None and task.status in ACTIVE_TASK_STATUSES else []
    if task is None or not to:
        reason = "nobody has an email" if task is not None and task.status in ACTIVE_TASK_STATUSES else None
        queues.finish_notification(
            item["id"], status=NotificationStatus.SKIPPED, last_error=reason or "the task is closed"
        )
        return item, None
    item["attempts"] = int(item["attempts"]) + 1
    queues.finish_notification(item["id"], attempts=item["attempts"], next_attempt_at=now + LEASE)
    return item, render(tx.settings, item["kind"], task, to)


def _try_send(mailer: Mailer, email: Email) -> Exception | None:
    try:
        mailer.send(email.recipients, email.subject, email.body)
    except (OSError, smtplib.SMTPException) as exc:  # the server's trouble, not ours: try again later
        return exc
    return None


def _record(tx: Tx, item: dict[str, Any], email: Email, error: Exception | None) -> None:
    attempts, now = item["attempts"], tx.clock.now()
    if error is None:
        tx.store.queues.finish_notification(
            item["id"],
            status=NotificationStatus.SENT,
            sent_at=now,
            recipients=dumps(list(email.recipients)),
            last_error=None,
        )
        return
    give_up = attempts >= MAX_ATTEMPTS
    log.warning(
        "email %s about task %s failed (attempt %s): %s", item["id"], item["task_id"], attempts, error
    )
    tx.store.queues.finish_notification(
        item["id"],
        status=NotificationStatus.FAILED if give_up else NotificationStatus.PENDING,
        next_attempt_at=now + backoff(attempts),
        last_error=f"{type(error).__name__}: {error}"[:2000],
    )
