"""Messages from outside: an IKM survey result, a new regulation, a transfer, delivered to processes."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from werkzeug.exceptions import NotFound

from engine import messages
from engine.status import MessageStatus
from webapp.api.common import blueprint, caller, fails, json_only
from webapp.api.schemas import DeliverySchema, MessageSchema
from webapp.transaction import commit, tx

bp: Blueprint = blueprint("api_messages", "/messages", "Messages to waiting processes (e.g. IKM results)")


@bp.post("")
@json_only
@bp.arguments(MessageSchema)
@bp.response(200, DeliverySchema)
@bp.alt_response(202, schema=DeliverySchema, description="kept until something waits for it (keep: true)")
@fails(bp, 403, 404, 409, 413, 415)
def deliver(body: dict[str, Any]) -> Any:
    """Deliver a message by name and correlation keys to the instances waiting for it.

    If none waits and no process starts with it: 404 and nothing is stored, unless ``keep`` is true,
    then it is kept (202) and handed over when a matching event begins to wait. With ``key`` it is
    delivered once however often it is sent.
    """
    delivery = messages.deliver(
        tx(),
        body["name"],
        body["correlation"],
        body.get("payload"),
        actor=caller(),
        result_var=body.get("result_var"),
        idempotency_key=body.get("key"),
    )
    if delivery.status == MessageStatus.PENDING and not delivery.duplicate:
        if not body["keep"]:
            raise NotFound(f"nothing waits for message {delivery.name!r} with this correlation")
        commit()
        return delivery, 202
    commit()
    return delivery
