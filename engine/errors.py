"""EngineError and its children: every refusal the engine makes, with a message a person can read.

Each error has a stable ``code`` (used by the API's error body and by translations) and an English
``message``. Callers map the class to an HTTP status or an exit code; the engine never does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class EngineError(Exception):
    """Base of all refusals: a stable code and a human message."""

    code = "engine_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message}


class NotFound(EngineError):
    """The thing does not exist, or the caller may not know that it exists."""

    code = "not_found"


class PermissionDenied(EngineError):
    """The caller is known but may not do this."""

    code = "forbidden"


class ReadOnly(PermissionDenied):
    """The caller's roles only read (an auditor): no command that changes anything is theirs to run."""

    code = "read_only"


class Conflict(EngineError):
    """The state changed under the caller: the task is no longer open, a duplicate key, a lost race."""

    code = "conflict"


class MigrationRefused(Conflict):
    """A running instance cannot move to another version; it stays as it was."""

    code = "migration_refused"


class BadRequest(EngineError):
    """The request itself is malformed (not JSON, wrong shape)."""

    code = "bad_request"


@dataclass(frozen=True)
class FieldError:
    """One problem with one submitted field."""

    code: str  # required, type, min, max, minlength, maxlength, enum, unknown, readonly
    message: str
    params: dict[str, Any] = field(default_factory=dict)


class ValidationFailed(EngineError):
    """Submitted data does not fit the form: one or more messages per field."""

    code = "validation_failed"

    def __init__(self, errors: dict[str, list[FieldError]]) -> None:
        fields = ", ".join(sorted(errors))
        super().__init__(f"invalid data in {fields}")
        self.field_errors = errors

    @property
    def errors(self) -> dict[str, list[str]]:
        return {name: [e.message for e in problems] for name, problems in self.field_errors.items()}

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "errors": self.errors}


@dataclass(frozen=True)
class DeployProblem:
    """One reason a deployment is refused, pointing at the file, element and line."""

    message: str
    file: str | None = None
    element: str | None = None
    element_name: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file + (f":{self.line}" if self.line else ""))
        if self.element:
            label = self.element + (f" ({self.element_name})" if self.element_name else "")
            where.append(f"element {label}")
        return (", ".join(where) + ": " if where else "") + self.message

    def to_dict(self) -> dict[str, Any]:
        return {
            "element": self.element,
            "element_name": self.element_name,
            "file": self.file,
            "line": self.line,
            "message": self.message,
        }


class DeploymentFailed(EngineError):
    """A bundle of BPMN/DMN files cannot be deployed; every problem found is listed."""

    code = "deployment_failed"

    def __init__(self, problems: list[DeployProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems) or "deployment refused")
        self.problems = problems

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "errors": [p.to_dict() for p in self.problems]}


class ProcessFailed(EngineError):
    """A script, expression or decision failed while the engine ran the process."""

    code = "process_error"

    def __init__(self, message: str, element: str | None = None, line: int | None = None) -> None:
        super().__init__(message if element is None else f"{element}: {message}")
        self.element = element
        self.line = line
