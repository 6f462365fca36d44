"""Typed table definitions (SQLAlchemy 2 ``Mapped``); every change to them is an Alembic migration."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from engine.status import InstanceStatus, MessageStatus, NotificationStatus, TaskStatus


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone, so we add it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of every record."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class ModelFileRecord(Base):
    """A BPMN or DMN file, stored once by the SHA-256 of its content."""

    __tablename__ = "model_file"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(8))  # bpmn | dmn
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class ProcessDefinitionRecord(Base):
    """One deployed version of a process (or collaboration) key."""

    __tablename__ = "process_definition"
    __table_args__ = (
        UniqueConstraint("key", "version", name="uq_process_definition_key_version"),
        Index("ix_process_definition_key_sha256", "key", "sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16), default="process")  # process | collaboration
    sha256: Mapped[str] = mapped_column(String(64))  # over the content of every file this key needs
    main_file: Mapped[str] = mapped_column(ForeignKey("model_file.sha256"))
    deployed_by: Mapped[str | None] = mapped_column(String(150))
    deployed_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(Text)


class DefinitionFileRecord(Base):
    """The files a definition needs: its own, the processes it calls, the decisions it uses."""

    __tablename__ = "definition_file"

    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"), primary_key=True)
    file_sha256: Mapped[str] = mapped_column(ForeignKey("model_file.sha256"), primary_key=True)


class ModelDraftRecord(Base):
    """A process owner's draft of one model file: kept per author, process key and file name."""

    __tablename__ = "model_draft"
    __table_args__ = (
        UniqueConstraint("author", "process_key", "file_name", name="uq_model_draft_author_file"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(255))
    author: Mapped[str] = mapped_column(String(150))
    file_name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(8))  # bpmn | dmn
    content: Mapped[str] = mapped_column(Text)
    base_version: Mapped[int | None] = mapped_column(Integer)  # the version it was opened from
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ProcessInstanceRecord(Base):
    """One running or finished process instance with its state-only JSON."""

    __tablename__ = "process_instance"
    __table_args__ = (
        UniqueConstraint("process_key", "business_key", name="uq_process_instance_business_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(255), index=True)
    business_key: Mapped[str | None] = mapped_column(String(255))
    subject_nip: Mapped[str | None] = mapped_column(String(32), index=True)
    subject_name: Mapped[str | None] = mapped_column(String(255))
    subject_unit: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[InstanceStatus] = mapped_column(String(16), index=True)
    state: Mapped[str] = mapped_column(Text)
    next_due_at: Mapped[datetime | None] = mapped_column(index=True)
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    started_by: Mapped[str | None] = mapped_column(String(150))
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    audit_seq: Mapped[int] = mapped_column(Integer, default=0)  # sequence of the newest audit event
    audit_head: Mapped[str | None] = mapped_column(String(64))  # its hash

    __mapper_args__ = {"version_id_col": row_version}  # noqa: RUF012 (SQLAlchemy reads it as is)


class HumanTaskRecord(Base):
    """The inbox index: one row per human task the engine ever offered to people."""

    __tablename__ = "human_task"
    __table_args__ = (
        # Partial indexes: each holds only the rows its query reads, so writing a task touches fewer pages.
        Index(
            "ix_human_task_mine",
            "assignee",
            "due_at",
            sqlite_where=text("status IN ('assigned', 'claimed')"),
            postgresql_where=text("status IN ('assigned', 'claimed')"),
        ),
        Index(
            "ix_human_task_archive",
            "completed_by",
            "completed_at",
            sqlite_where=text("status = 'completed'"),
            postgresql_where=text("status = 'completed'"),
        ),
        Index("ix_human_task_instance_status", "instance_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(255))
    process_key: Mapped[str] = mapped_column(String(255))
    lane: Mapped[str | None] = mapped_column(String(255))
    candidate_roles: Mapped[str] = mapped_column(Text, default="[]")  # JSON list, for display
    candidate_users: Mapped[str] = mapped_column(Text, default="[]")  # JSON list, for display
    assignee: Mapped[str | None] = mapped_column(String(150))
    assignment_rule: Mapped[str] = mapped_column(String(32))
    assignment_detail: Mapped[str] = mapped_column(Text, default="{}")  # JSON: expression, value, ...
    status: Mapped[TaskStatus] = mapped_column(String(16))
    priority: Mapped[int] = mapped_column(Integer, default=50)
    due_at: Mapped[datetime | None]
    follow_up_at: Mapped[datetime | None]
    subject_nip: Mapped[str | None] = mapped_column(String(32))
    subject_name: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(150))
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(150))
    overdue_at: Mapped[datetime | None]  # when the engine noticed it was past due_at (and said so)


class TaskCandidateRecord(Base):
    """Who may claim an open task: one row per candidate role or user, there while the task waits in
    a queue (removed when it is claimed or ends, put back when it is released).

    ``who`` is ``role:<name>`` or ``user:<username>``; with the task's due date beside it, a queue in
    due-date order is one range of ``ix_task_candidate_queue``, read without touching human_task.
    """

    __tablename__ = "task_candidate"
    __table_args__ = (Index("ix_task_candidate_queue", "who", "due_at", "task_id"),)

    who: Mapped[str] = mapped_column(String(160), primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("human_task.id"), primary_key=True, index=True)
    due_at: Mapped[datetime | None]  # the task's, copied: it never changes


class AuditEventRecord(Base):
    """One append-only, hash-chained audit event. Never updated, never deleted."""

    __tablename__ = "audit_event"
    __table_args__ = (UniqueConstraint("chain", "seq", name="uq_audit_event_chain_seq"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    chain: Mapped[str] = mapped_column(String(128))  # "instance/42", "definition/skp_planning"
    seq: Mapped[int] = mapped_column(Integer)
    instance_id: Mapped[int | None] = mapped_column(Integer)  # no FK: outlives its instance
    type: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str | None] = mapped_column(String(150))
    at: Mapped[datetime]
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON, hashed as stored
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpointRecord(Base):
    """A checkpoint of the audit trail: the heads of the chains that moved since the one before, hashed
    together with that one's hash, so that losing a whole chain (or its newest events) is noticed."""

    __tablename__ = "audit_checkpoint"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # 1, 2, 3 ...
    at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(String(150))
    chains: Mapped[int] = mapped_column(Integer)  # how many chains existed then, in all
    heads: Mapped[str] = mapped_column(Text)  # canonical JSON {chain: [seq, hash]}: the changed heads
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditAccessRecord(Base):
    """One look at the audit trail (a search, an instance's history, an evidence pack, a verification),
    written in the transaction of the look itself."""

    __tablename__ = "audit_access"
    __table_args__ = (Index("ix_audit_access_instance", "instance_id", "at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    actor: Mapped[str] = mapped_column(String(150), index=True)
    at: Mapped[datetime] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(16))  # search | export | instance | pack | verify | log
    instance_id: Mapped[int | None] = mapped_column(Integer)  # no FK: the log outlives instances
    params: Mapped[str] = mapped_column(Text, default="{}")  # JSON: what was asked for


class MessageSubscriptionRecord(Base):
    """A message an instance waits for, kept in step with its waiting catch events; for routing."""

    __tablename__ = "message_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    message_name: Mapped[str] = mapped_column(String(255), index=True)
    bpmn_id: Mapped[str] = mapped_column(String(255))
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    keys: Mapped[str] = mapped_column(Text, default="{}")  # JSON: the waiting event's scalar data
    created_at: Mapped[datetime]


class MessageRecord(Base):
    """A message from outside: delivered at once, or kept (pending) until something waits for it."""

    __tablename__ = "message"
    __table_args__ = (
        Index(
            "ix_message_pending",
            "name",
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    correlation: Mapped[str] = mapped_column(Text, default="{}")  # JSON object
    payload: Mapped[str] = mapped_column(Text, default="null")  # JSON
    result_var: Mapped[str | None] = mapped_column(String(255))
    idempotency_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    status: Mapped[MessageStatus] = mapped_column(String(16))
    sent_by: Mapped[str | None] = mapped_column(String(150))
    received_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    delivered_to: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of instance ids


class NotificationRecord(Base):
    """The outbox: an email about a task, written with the change and sent after commit, with retries."""

    __tablename__ = "notification"
    __table_args__ = (
        Index(
            "ix_notification_pending",
            "next_attempt_at",
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # created | escalated | reminder | overdue
    task_id: Mapped[int] = mapped_column(ForeignKey("human_task.id"), index=True)
    instance_id: Mapped[int] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(Text, default="{}")  # JSON: the event behind it
    status: Mapped[NotificationStatus] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    recipients: Mapped[str | None] = mapped_column(Text)  # JSON list, filled when sent
    last_error: Mapped[str | None] = mapped_column(Text)


class UserRecord(Base):
    """A person or a service account that may log in."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    display_name: Mapped[str] = mapped_column(String(255))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    nip: Mapped[str | None] = mapped_column(String(32), unique=True)
    email: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_service: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]


class UserRoleRecord(Base):
    """One role held by one user."""

    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


# -- the organisation chart: units, employees, acting officials ---------------------------------------


class OrgUnitRecord(Base):
    """A work unit of the regency (perangkat daerah, bidang, distrik, puskesmas, school), as a tree."""

    __tablename__ = "org_unit"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # a short code: "pkm-wanggar"
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32))  # pemda | opd | bidang | distrik | puskesmas | sekolah
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    head_nip: Mapped[str | None] = mapped_column(String(32))  # the post of pimpinan unit (no FK: a cycle)
    service_unit: Mapped[bool] = mapped_column(Boolean, default=False)  # serves the public: runs IKM


class EmployeeRecord(Base):
    """An ASN employee: NIP, name, post, unit and direct supervisor (atasan langsung)."""

    __tablename__ = "employee"

    nip: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    jabatan: Mapped[str] = mapped_column(String(255))
    jenis_jabatan: Mapped[str] = mapped_column(String(16))  # JPT | ADMINISTRATOR | PENGAWAS | ...
    jenis_asn: Mapped[str] = mapped_column(String(8), default="PNS")  # PNS | PPPK
    unit_id: Mapped[str] = mapped_column(ForeignKey("org_unit.id"), index=True)
    supervisor_nip: Mapped[str | None] = mapped_column(ForeignKey("employee.nip"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # False: left, tugas belajar, CLTN
    frontline: Mapped[bool] = mapped_column(Boolean, default=False)  # serves the public directly


class ActingOfficialRecord(Base):
    """A Plt or Plh: someone carrying out another official's post between two dates."""

    __tablename__ = "acting_official"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(3))  # PLT (vacant or long absence) | PLH (short absence)
    official_nip: Mapped[str] = mapped_column(ForeignKey("employee.nip"), index=True)
    acting_nip: Mapped[str] = mapped_column(ForeignKey("employee.nip"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)  # None: until revoked
    decree: Mapped[str | None] = mapped_column(String(255))  # the surat perintah that appoints


class JpCreditRecord(Base):
    """Hours of competency development (jam pelajaran, JP) credited to an employee in one year.

    One row per completed task that reported them (a form field with the property ``jp``); the task's
    completion event in the audit trail holds the same figure, so the ledger can be checked against it.
    """

    __tablename__ = "jp_credit"
    __table_args__ = (Index("ix_jp_credit_nip_year", "nip", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nip: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    jp: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(255))  # the training, or the task that reported it
    instance_id: Mapped[int] = mapped_column(Integer)
    task_id: Mapped[int] = mapped_column(Integer, unique=True)  # a task credits once
    credited_at: Mapped[datetime]


class ApiTokenRecord(Base):
    """A bearer token of the HTTP API: only its SHA-256 is kept, with a short prefix people can read."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))  # what it is for: "login", "ikm-survey"
    prefix: Mapped[str] = mapped_column(String(16))  # the token's first characters, to tell tokens apart
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # hex SHA-256 of the whole token
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
