"""The status vocabulary shared by every layer: instances, tasks, audit events."""

from enum import StrEnum


class InstanceStatus(StrEnum):
    """Where a process instance is in its life."""

    SCHEDULED = "scheduled"  # waiting for its start timer: nothing has happened yet
    RUNNING = "running"  # waiting for people, timers or messages
    COMPLETED = "completed"  # reached an end event
    CANCELLED = "cancelled"  # stopped by a person
    ERRORED = "errored"  # a script, expression or decision failed; needs attention


class TaskStatus(StrEnum):
    """Where a human task is in its life."""

    OPEN = "open"  # in a queue; anyone holding a candidate role may claim it
    ASSIGNED = "assigned"  # put in one person's inbox by an assignee rule
    CLAIMED = "claimed"  # taken from a queue by one person
    COMPLETED = "completed"
    CANCELLED = "cancelled"  # withdrawn by the process (boundary event, cancellation)


ACTIVE_TASK_STATUSES = (TaskStatus.OPEN, TaskStatus.ASSIGNED, TaskStatus.CLAIMED)


class TaskScope(StrEnum):
    """The three views of an inbox."""

    MINE = "mine"  # assigned to me or claimed by me
    QUEUE = "queue"  # open tasks I may claim through a role or as a candidate user
    ARCHIVE = "archive"  # tasks I completed


class AssignmentRule(StrEnum):
    """Which rule decided who may work on a task (recorded on the task and in the audit trail)."""

    ASSIGNEE_EXPRESSION = "assignee_expression"
    ORG_CHART = "org_chart"  # an assignee expression that asked the org chart (penilai_of, ...)
    CANDIDATE_USERS = "candidate_users"
    CANDIDATE_GROUPS = "candidate_groups"
    LANE = "lane"
    UNASSIGNED = "unassigned"  # no rule: only administrators may act


class AuditType(StrEnum):
    """The kinds of audit events."""

    DEFINITION_DEPLOYED = "definition_deployed"
    INSTANCE_STARTED = "instance_started"
    TASK_CREATED = "task_created"
    TASK_CLAIMED = "task_claimed"
    TASK_RELEASED = "task_released"
    TASK_COMPLETED = "task_completed"
    TASK_CANCELLED = "task_cancelled"
    INSTANCE_CANCELLED = "instance_cancelled"
    INSTANCE_COMPLETED = "instance_completed"
    INSTANCE_ERRORED = "instance_errored"
    INSTANCE_MIGRATED = "instance_migrated"  # moved onto another version of its process
    EVENT_THROWN = "event_thrown"  # a BPMN error or escalation thrown at a waiting task
    TIMER_FIRED = "timer_fired"
    MESSAGE_RECEIVED = "message_received"
    TASK_REMINDED = "task_reminded"  # a non-interrupting boundary timer fired on it
    TASK_ESCALATED = "task_escalated"  # an interrupting boundary timer withdrew it (the next level acts)
    TASK_OVERDUE = "task_overdue"  # its due date passed while it was still open


class MessageStatus(StrEnum):
    """Where a received message is."""

    PENDING = "pending"  # nothing waited for it yet; kept until something does
    DELIVERED = "delivered"


class NotificationStatus(StrEnum):
    """Where an outbox email is."""

    PENDING = "pending"  # to be sent (again) at next_attempt_at
    SENT = "sent"
    SKIPPED = "skipped"  # nobody to send it to, or the task is no longer open
    FAILED = "failed"  # gave up after the last retry


LIVE_INSTANCE_STATUSES = (InstanceStatus.SCHEDULED, InstanceStatus.RUNNING)
