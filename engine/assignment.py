"""Who may work on a task: assignee expressions, candidate users and groups, lanes; and who may act.

The rules, in order: an assignee expression that yields someone puts the task in that person's inbox;
otherwise candidate users and candidate groups (role names) put it in a queue; otherwise the lane's
name is the role. Each task records the rule that chose its people, and the audit trail repeats it.
An assignee expression may ask the organisation chart (``${penilai_of(nip)}``); the org chart's own
rule (direct supervisor, Plt, next one up) is then recorded with it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from engine.bpmn.runner import ReadyTask
from engine.bpmn.scripting import evaluate
from engine.errors import PermissionDenied, ProcessFailed
from engine.status import AssignmentRule, TaskStatus
from engine.users import Actor

if TYPE_CHECKING:
    from engine.orgchart import Choice, Directory


class TaskLike(Protocol):
    """What the permission rules read of a task (an ORM record or a lean row)."""

    @property
    def status(self) -> str: ...
    @property
    def assignee(self) -> str | None: ...
    @property
    def completed_by(self) -> str | None: ...
    @property
    def assignment_rule(self) -> str: ...


@dataclass(frozen=True)
class Assignment:
    """The people a task is for, and the rule that chose them."""

    rule: AssignmentRule
    assignee: str | None = None
    candidate_roles: tuple[str, ...] = ()
    candidate_users: tuple[str, ...] = ()
    detail: Mapping[str, Any] = field(default_factory=dict)


def role_of_lane(lane: str) -> str:
    """A lane named 'Pejabat Penilai' stands for the role 'pejabat_penilai'."""
    return re.sub(r"[^a-z0-9]+", "_", lane.strip().lower()).strip("_")


def _names(value: Any) -> tuple[str, ...]:
    """An expression result as a list of names: 'a, b' or ['a', 'b'] or a single value."""
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple | set | frozenset):
        items = [items]
    return tuple(dict.fromkeys(str(i).strip() for i in items if i is not None and str(i).strip()))


def _evaluate(task: ReadyTask, attribute: str, scope: Mapping[str, Any]) -> Any:
    expression = task.extensions.get(f"camunda:{attribute}")
    if expression is None:
        return None
    try:
        return evaluate(expression, {**task.data, **scope} if scope else task.data)
    except Exception as exc:  # any failure of a model's expression is the model's, reported as such
        source = task.extensions.get(f"source:{attribute}", expression)
        raise ProcessFailed(
            f"{attribute} {source!r} failed: {type(exc).__name__}: {exc}", task.bpmn_id
        ) from None


def resolve(task: ReadyTask, org: Directory | None = None) -> Assignment:
    """Apply the assignment rules to a task that has just become ready.

    With an org ``Directory``, expressions may call its helpers (``penilai_of``, ...).
    """
    asked: list[Choice] = []
    scope = org.expression_helpers(asked) if org is not None else {}
    groups = _names(_evaluate(task, "candidateGroups", scope))
    users = _names(_evaluate(task, "candidateUsers", scope))
    lane_role = role_of_lane(task.lane) if task.lane else None

    assignee_value = _evaluate(task, "assignee", scope)
    assignee = _names(assignee_value)
    if len(assignee) > 1:
        raise ProcessFailed(
            f"assignee yields several people {list(assignee)}; use candidateUsers", task.bpmn_id
        )
    org_detail = {"org": [c.to_dict() for c in asked]} if asked else {}
    if assignee:
        source = task.extensions.get("source:assignee", task.extensions.get("camunda:assignee"))
        return Assignment(
            AssignmentRule.ORG_CHART
            if _chosen_by_org(asked, assignee[0])
            else AssignmentRule.ASSIGNEE_EXPRESSION,
            assignee=assignee[0],
            candidate_roles=groups or ((lane_role,) if lane_role else ()),
            candidate_users=users,
            detail={"expression": source, "value": assignee[0], **org_detail},
        )
    if users or groups:
        rule = AssignmentRule.CANDIDATE_USERS if users and not groups else AssignmentRule.CANDIDATE_GROUPS
        detail = {
            "candidate_groups": task.extensions.get("source:candidateGroups"),
            "candidate_users": task.extensions.get("source:candidateUsers"),
        }
        return Assignment(rule, None, groups, users, {**{k: v for k, v in detail.items() if v}, **org_detail})
    if lane_role:
        return Assignment(AssignmentRule.LANE, None, (lane_role,), (), {"lane": task.lane, **org_detail})
    return Assignment(AssignmentRule.UNASSIGNED, None, ("admin",), (), org_detail)


def _chosen_by_org(asked: list[Choice], assignee: str) -> bool:
    return any(choice.nip == assignee for choice in asked)


def is_candidate(task: TaskLike, roles: tuple[str, ...], users: tuple[str, ...], actor: Actor) -> bool:
    """Whether the task was offered to this person through a queue (never true for a rule-assigned task)."""
    if task.assignment_rule in (AssignmentRule.ASSIGNEE_EXPRESSION, AssignmentRule.ORG_CHART):
        return False
    return actor.username in users or bool(actor.roles.intersection(roles))


def check_may_claim(task: TaskLike, roles: tuple[str, ...], users: tuple[str, ...], actor: Actor) -> None:
    if not is_candidate(task, roles, users, actor):
        raise PermissionDenied("you hold none of the roles this task is offered to")


def check_may_complete(task: TaskLike, roles: tuple[str, ...], users: tuple[str, ...], actor: Actor) -> None:
    """Only the assignee completes an assigned or claimed task; a candidate may complete an open one."""
    if task.status in (TaskStatus.ASSIGNED, TaskStatus.CLAIMED):
        if task.assignee not in actor.identities:
            raise PermissionDenied("this task is assigned to someone else")
        return
    check_may_claim(task, roles, users, actor)


def may_see(task: TaskLike, roles: tuple[str, ...], users: tuple[str, ...], actor: Actor) -> bool:
    """Whether a person may look at a task: its assignee, a candidate while it is open, who completed it."""
    if task.assignee in actor.identities or task.completed_by == actor.username:
        return True
    return task.status == TaskStatus.OPEN and is_candidate(task, roles, users, actor)
