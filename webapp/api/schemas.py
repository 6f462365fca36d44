"""marshmallow schemas of the API: they dump the engine's value types and load request bodies.

Field names are those of DESIGN.md's API table. Every list comes in the same envelope: ``items`` and
the paging metadata ``page``, ``page_size``, ``total`` and ``pages``.
"""

from __future__ import annotations

from typing import Any

from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from engine.status import InstanceStatus, TaskScope
from engine.tasks import MAX_PAGE

_NAME = validate.Length(min=1, max=255)


def _scalar(value: Any) -> None:
    if not isinstance(value, str | int | float | bool):
        raise ValidationError("a correlation value is text, a number or true/false")


class ErrorSchema(Schema):
    """Every error: a stable code, a sentence for people, and per-field or per-element details."""

    error = fields.String(required=True, metadata={"description": "stable code, e.g. not_found"})
    message = fields.String(required=True)
    errors = fields.Raw(
        metadata={"description": "422: {field: [message]} for data, or [{element, message}] for a deployment"}
    )


class PageArgsSchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE))


class PageSchema(Schema):
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(required=True)


# -- auth -------------------------------------------------------------------------------------------


class TokenRequestSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=150))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    name = fields.String(validate=validate.Length(min=1, max=100), metadata={"description": "what for"})


class TokenSchema(Schema):
    token = fields.String(required=True, metadata={"description": "shown once; send as Bearer"})
    token_type = fields.String(required=True)
    prefix = fields.String(required=True)
    username = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)
    expires_at = fields.DateTime(required=True)


# -- tasks ------------------------------------------------------------------------------------------


class TaskListArgsSchema(PageArgsSchema):
    scope = fields.String(load_default=TaskScope.MINE.value, validate=validate.OneOf(list(TaskScope)))
    process_key = fields.String(validate=_NAME)
    q = fields.String(validate=validate.Length(max=100), metadata={"description": "words in title or name"})


class TaskSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    bpmn_id = fields.String(required=True)
    instance_id = fields.Integer(required=True)
    process_key = fields.String(required=True)
    lane = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    candidate_roles = fields.List(fields.String(), required=True)
    candidate_users = fields.List(fields.String(), required=True)
    status = fields.String(required=True)
    due_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime(required=True)
    priority = fields.Integer()
    subject_nip = fields.String(allow_none=True)
    subject_name = fields.String(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    completed_by = fields.String(allow_none=True)


class TaskPageSchema(PageSchema):
    items = fields.List(fields.Nested(TaskSchema), required=True)


class OptionSchema(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)


class FormFieldSchema(Schema):
    id = fields.String(required=True)
    label = fields.String(required=True)
    type = fields.String(required=True, metadata={"description": "string, long, boolean, date or enum"})
    required = fields.Boolean(required=True)
    readonly = fields.Boolean(required=True)
    options = fields.List(fields.Nested(OptionSchema), required=True)
    min = fields.Raw(allow_none=True, metadata={"description": "a number, or an ISO date"})
    max = fields.Raw(allow_none=True)
    minlength = fields.Integer(allow_none=True)
    maxlength = fields.Integer(allow_none=True)
    default = fields.Raw(allow_none=True)


class TaskDetailSchema(TaskSchema):
    documentation = fields.String(allow_none=True)
    form = fields.List(fields.Nested(FormFieldSchema), required=True)
    data = fields.Dict(required=True, metadata={"description": "the process data the task shows"})


class CompleteSchema(Schema):
    data = fields.Dict(keys=fields.String(), load_default=dict, metadata={"description": "form values"})


class OutcomeSchema(Schema):
    instance_id = fields.Integer(required=True)
    status = fields.String(required=True)
    open_tasks = fields.List(fields.Nested(TaskSchema), required=True)
    error = fields.String(allow_none=True)


# -- process definitions ----------------------------------------------------------------------------


class DefinitionSchema(Schema):
    id = fields.Integer(required=True)
    key = fields.String(required=True)
    version = fields.Integer(required=True)
    name = fields.String(allow_none=True)
    kind = fields.String(required=True)
    sha256 = fields.String(required=True)
    deployed_by = fields.String(allow_none=True)
    deployed_at = fields.DateTime(required=True)
    note = fields.String(allow_none=True)
    new = fields.Boolean(required=True, metadata={"description": "false: this content was deployed before"})


class DefinitionPageSchema(PageSchema):
    items = fields.List(fields.Nested(DefinitionSchema), required=True)


class DeploySchema(Schema):
    file = Upload(metadata={"description": "a .bpmn or .dmn file; repeat the field for several"})
    note = fields.String(validate=validate.Length(max=2000), metadata={"description": "what changed"})


class DeployedSchema(Schema):
    items = fields.List(fields.Nested(DefinitionSchema), required=True)


# -- process instances ------------------------------------------------------------------------------


class StartSchema(Schema):
    process_key = fields.String(required=True, validate=_NAME)
    business_key = fields.String(allow_none=True, validate=_NAME)
    data = fields.Dict(keys=fields.String(), load_default=dict)


class InstanceSearchArgsSchema(PageArgsSchema):
    process_key = fields.String(validate=_NAME)
    status = fields.String(validate=validate.OneOf(list(InstanceStatus)))
    subject = fields.String(validate=validate.Length(min=1, max=32), metadata={"description": "a NIP"})


class InstanceSchema(Schema):
    id = fields.Integer(required=True)
    process_key = fields.String(required=True)
    version = fields.Integer(required=True)
    business_key = fields.String(allow_none=True)
    subject_nip = fields.String(allow_none=True)
    subject_name = fields.String(allow_none=True)
    subject_unit = fields.String(allow_none=True)
    status = fields.String(required=True)
    started_by = fields.String(allow_none=True)
    started_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    ended_at = fields.DateTime(allow_none=True)
    error = fields.String(allow_none=True)


class InstancePageSchema(PageSchema):
    items = fields.List(fields.Nested(InstanceSchema), required=True)


class InstanceDetailSchema(InstanceSchema):
    data = fields.Dict(required=True)
    open_tasks = fields.List(fields.Nested(TaskSchema), required=True)


class HistoryEventSchema(Schema):
    seq = fields.Integer(required=True)
    type = fields.String(required=True)
    actor = fields.String(allow_none=True)
    at = fields.DateTime(required=True)
    data = fields.Dict(required=True, attribute="payload")
    summary = fields.String(required=True)
    prev_hash = fields.String(required=True)
    hash = fields.String(required=True)


class HistoryPageSchema(PageSchema):
    items = fields.List(fields.Nested(HistoryEventSchema), required=True)


# -- messages and audit -----------------------------------------------------------------------------


class MessageSchema(Schema):
    name = fields.String(required=True, validate=_NAME)
    correlation = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(validate=_scalar),
        load_default=dict,
        metadata={"description": "keys: business_key, instance_id or process variables"},
    )
    payload = fields.Raw(allow_none=True, metadata={"description": "an object: its keys become variables"})
    result_var = fields.String(validate=validate.Regexp(r"^[A-Za-z_][A-Za-z0-9_]*$"))
    key = fields.String(validate=_NAME, metadata={"description": "idempotency key: delivered once"})
    keep = fields.Boolean(
        load_default=False, metadata={"description": "true: keep it until something waits (202)"}
    )

    @validates_schema
    def _payload_fits(self, data: dict[str, Any], **_kw: Any) -> None:
        payload = data.get("payload")
        if "result_var" not in data and payload is not None and not isinstance(payload, dict):
            raise ValidationError("an object (its keys become variables), or name a result_var", "payload")


class DeliverySchema(Schema):
    message_id = fields.Integer(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "delivered or pending"})
    instance_ids = fields.List(fields.Integer(), required=True)
    started = fields.List(fields.Integer(), required=True)
    duplicate = fields.Boolean(required=True)


class BreakSchema(Schema):
    chain = fields.String(required=True)
    instance_id = fields.Integer(allow_none=True)
    seq = fields.Integer(required=True)
    reason = fields.String(required=True)


class VerificationSchema(Schema):
    ok = fields.Boolean(required=True)
    instances_checked = fields.Integer(required=True)
    chains_checked = fields.Integer(required=True)
    events_checked = fields.Integer(required=True)
    first_broken = fields.Nested(BreakSchema, allow_none=True, required=True)


def page(items: list[Any], total: int, number: int, size: int) -> dict[str, Any]:
    """A list in the paging envelope."""
    return {
        "items": items,
        "page": number,
        "page_size": size,
        "total": total,
        "pages": max(1, -(-total // size)),
    }
