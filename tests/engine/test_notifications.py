"""Emails about tasks, received by a real SMTP server (aiosmtpd): sent after commit from the outbox,
with the task's title and a link to it; a mail server that is down fails nothing and is retried."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from engine import instances, notifications, users
from engine.runtime import Engine, Settings
from engine.scheduler import Scheduler
from engine.status import NotificationStatus
from tests.support import NIP_ANI, complete, deploy_files, start

BASE_URL = "https://kinerja.nabirekab.go.id"


class Mailbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(
            (list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def mailbox(smtp_port: int) -> Iterator[Mailbox]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def mail_engine(database_url: str, clock, smtp_port: int) -> Iterator[Engine]:
    settings = Settings(
        smtp_host="127.0.0.1", smtp_port=smtp_port, base_url=BASE_URL, mail_from="kinerja@nabire.test"
    )
    engine = Engine(database_url, clock=clock, settings=settings)
    yield engine
    engine.close()


def people(engine: Engine) -> dict[str, users.Actor]:
    with engine.transaction() as tx:
        return {
            "ani": users.add_user(tx, "ani", ["pegawai"], nip=NIP_ANI, email="ani@nabire.test"),
            "eka": users.add_user(tx, "eka", ["atasan_penilai"], email="eka@nabire.test"),
            "fani": users.add_user(tx, "fani", ["atasan_penilai"], email="fani@nabire.test"),
        }


def outbox(engine: Engine) -> list[dict[str, Any]]:
    with engine.transaction(write=False) as tx:
        return tx.store.queues.notifications(100)


def test_the_assignee_gets_an_email_with_the_title_and_a_link_and_the_next_level_on_escalation(
    mail_engine, mailbox, clock
):
    people(mail_engine)
    deploy_files(mail_engine, "skp_tenggat.bpmn")
    scheduler = Scheduler(mail_engine)
    outcome = start(mail_engine, "skp_tenggat", {"nip": NIP_ANI, "nama": "Ani"})
    [task] = outcome.open_tasks
    assert mailbox.received == []  # the transaction only wrote the outbox
    assert scheduler.run_once().sent == 1
    [(to, mail)] = mailbox.received
    assert to == ["ani@nabire.test"]
    assert mail["Subject"] == "Tugas baru: Susun SKP"
    body = mail.get_content()
    assert f"{BASE_URL}/tasks/{task.id}" in body
    assert "Susun SKP" in body and "WIT" in body  # the due date, in the business time zone

    clock.advance(timedelta(days=3))  # the reminder
    clock.advance(timedelta(days=2))  # overdue
    for _ in range(2):
        scheduler.run_once()
    clock.advance(timedelta(days=2))  # escalated to the atasan penilai
    scheduler.run_once()
    subjects = [(to, m["Subject"]) for to, m in mailbox.received[1:]]
    assert subjects[:2] == [
        (["ani@nabire.test"], "Pengingat tugas: Susun SKP"),
        (["ani@nabire.test"], "Tugas melewati batas waktu: Susun SKP"),
    ]
    to, subject = subjects[2]
    assert sorted(to) == ["eka@nabire.test", "fani@nabire.test"]  # the queue of the next level
    assert subject == "Tugas dieskalasi kepada Anda: Tindak lanjut SKP terlambat"
    escalated = mailbox.received[3][1].get_content()
    with mail_engine.transaction(write=False) as tx:
        [next_task] = tx.store.active_tasks(outcome.instance_id)
    assert f"{BASE_URL}/tasks/{next_task.id}" in escalated
    assert {n["status"] for n in outbox(mail_engine)} == {NotificationStatus.SENT}


def test_a_mail_server_that_is_down_fails_nothing_and_the_email_is_retried(mail_engine, smtp_port, clock):
    who = people(mail_engine)
    deploy_files(mail_engine, "skp_tenggat.bpmn")
    outcome = start(mail_engine, "skp_tenggat", {"nip": NIP_ANI})
    scheduler = Scheduler(mail_engine)
    assert scheduler.run_once().sent == 0  # nobody listens on the port yet
    [item] = outbox(mail_engine)
    assert (item["status"], item["attempts"]) == (NotificationStatus.PENDING, 1)
    assert item["next_attempt_at"] == clock.now() + notifications.backoff(1)
    assert "Connection refused" in item["last_error"] or "Errno" in item["last_error"]
    done = complete(mail_engine, who["ani"], outcome.open_tasks[0].id, {"rencana": "20 laporan"})
    assert done.status == "completed"  # the completion does not wait for or depend on the mail server
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        clock.advance(notifications.backoff(1))
        scheduler.run_once()
    finally:
        controller.stop()
    assert box.received == []  # the task was done meanwhile: nothing to tell anyone any more
    [item] = outbox(mail_engine)
    assert item["status"] == NotificationStatus.SKIPPED


def test_a_change_that_rolls_back_leaves_no_email(mail_engine, mailbox):
    people(mail_engine)
    deploy_files(mail_engine, "skp_tenggat.bpmn")
    with pytest.raises(RuntimeError), mail_engine.transaction() as tx:
        instances.start(tx, "skp_tenggat", users.SYSTEM, {"nip": NIP_ANI})
        raise RuntimeError("the request failed after the start")
    assert outbox(mail_engine) == []
    assert Scheduler(mail_engine).run_once().sent == 0
    assert mailbox.received == []


def test_retries_back_off_and_stop():
    delays = [notifications.backoff(n) for n in range(1, notifications.MAX_ATTEMPTS + 1)]
    assert delays[:3] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert max(delays) == timedelta(hours=2)


def test_no_mail_server_no_outbox(engine):
    with engine.transaction() as tx:
        users.add_user(tx, "ani", ["pegawai"], nip=NIP_ANI, email="ani@nabire.test")
    deploy_files(engine, "skp_tenggat.bpmn")
    start(engine, "skp_tenggat", {"nip": NIP_ANI})
    assert outbox(engine) == []
