"""The floor under http_load.py: a Flask app that answers a completion without doing one.

It serves ``POST /api/v1/tasks/<id>/complete`` under the same gunicorn settings, reads the JSON body
and the bearer header as the real API does, and answers the same shape (the "next" task is id + 1).
With ``KINERJA_FLOOR_STATEMENTS`` = N > 0 it also runs N small INSERTs and a COMMIT on PostgreSQL
(``KINERJA_FLOOR_DSN``) per request, one connection per thread: the round trips of a completion
without any of its work. What this reaches on a machine is what no completion can beat there.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import psycopg
from flask import Flask, abort, jsonify, request

app = Flask(__name__)
_local = threading.local()
_STATEMENTS = int(os.environ.get("KINERJA_FLOOR_STATEMENTS", "0"))


def _connection() -> psycopg.Connection[Any]:
    found = getattr(_local, "connection", None)
    if found is None:
        found = _local.connection = psycopg.connect(os.environ["KINERJA_FLOOR_DSN"])
    return found


@app.get("/health")
def health() -> Any:
    return jsonify({"status": "ok"})


@app.post("/api/v1/tasks/<int:task_id>/complete")
def complete(task_id: int) -> Any:
    if not request.headers.get("Authorization", "").startswith("Bearer "):
        abort(401)
    body = request.get_json()
    if _STATEMENTS:
        connection = _connection()
        with connection.transaction():
            for n in range(_STATEMENTS):
                connection.execute(
                    "INSERT INTO floor_event (task_id, n, payload) VALUES (%s, %s, %s)",
                    (task_id, n, str(body)[:200]),
                )
    return jsonify({"instance_id": task_id, "status": "running", "open_tasks": [{"id": task_id + 1}]})
