"""Camunda generated forms (``camunda:formData``) as our own value types; coercion and validation.

SpiffWorkflow parses the fields but checks nothing: types, required, bounds, enum membership and
unknown fields are ours. A submission is checked as a whole and every problem is reported at once,
one or more messages per field.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from engine.errors import FieldError, ValidationFailed

FIELD_TYPES = ("string", "long", "boolean", "date", "enum")
TYPE_ALIASES = {"textarea": ("string", "textarea")}  # a type Camunda-drawn models use: (type, widget)
CONSTRAINTS = ("required", "min", "max", "minlength", "maxlength", "readonly")
_TRUE = {"true", "1", "on", "yes", "ya"}
_FALSE = {"false", "0", "off", "no", "tidak", ""}
_LONG = re.compile(r"^[+-]?\d{1,18}$")
MAX_TEXT = 20_000  # no free-text field holds more, whatever the model says


@dataclass(frozen=True)
class FormOption:
    """One choice of an enum field."""

    id: str
    name: str


@dataclass(frozen=True)
class FormField:
    """One field of a user task's form, as the model defines it."""

    id: str
    label: str
    type: str
    required: bool = False
    readonly: bool = False
    default: Any = None
    min: float | str | None = None  # a number, or an ISO date for date fields
    max: float | str | None = None
    minlength: int | None = None
    maxlength: int | None = None
    options: tuple[FormOption, ...] = ()
    properties: Mapping[str, str] = field(default_factory=dict)

    @property
    def widget(self) -> str:
        """The input that fits: textarea, select, checkbox, date, number or text."""
        if self.properties.get("widget"):
            return self.properties["widget"]
        if self.type == "enum":
            return "select"
        if self.type == "boolean":
            return "checkbox"
        if self.type == "date":
            return "date"
        if self.type == "long":
            return "number"
        if self.properties.get("textarea") in ("true", "1") or (self.maxlength or 0) > 255:
            return "textarea"
        return "text"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "type": self.type,
            "required": self.required,
            "readonly": self.readonly,
            "default": self.default,
            "min": self.min,
            "max": self.max,
            "minlength": self.minlength,
            "maxlength": self.maxlength,
            "options": [{"id": o.id, "name": o.name} for o in self.options],
            "widget": self.widget,
            "properties": dict(self.properties),
        }


class FormDefinitionError(ValueError):
    """A field definition in the model that the engine cannot honour."""


def field_from_spec(spec_field: Any) -> FormField:
    """Build our FormField from SpiffWorkflow's camunda form field (everything there is a string)."""
    ftype = (spec_field.type or "string").strip()
    widget = None
    if ftype in TYPE_ALIASES:
        ftype, widget = TYPE_ALIASES[ftype]
    if ftype not in FIELD_TYPES:
        raise FormDefinitionError(
            f"field {spec_field.id!r} has type {ftype!r}; known types are {', '.join(FIELD_TYPES)}"
        )
    limits: dict[str, Any] = {}
    flags = {"required": False, "readonly": False}
    for rule in spec_field.validation:
        name = (rule.name or "").strip()
        if name not in CONSTRAINTS:
            raise FormDefinitionError(f"field {spec_field.id!r} has unknown constraint {name!r}")
        if name in flags:
            flags[name] = (rule.config or "true").strip().lower() not in ("false", "0")
        else:
            limits[name] = _limit(spec_field.id, ftype, name, rule.config)
    options = tuple(FormOption(o.id, o.name or o.id) for o in getattr(spec_field, "options", []))
    # An enum drawn without values yet (Camunda Modeler allows it) deploys; it accepts no value.
    properties = {p.id: p.value for p in spec_field.properties if p.id}
    if widget and "widget" not in properties:
        properties["widget"] = widget
    draft = FormField(
        id=spec_field.id,
        label=spec_field.label or spec_field.id,
        type=ftype,
        options=options,
        properties=properties,
        **flags,
        **limits,
    )
    default = spec_field.default_value
    if default not in (None, ""):
        try:
            default = _coerce(draft, default)
        except ValueError as exc:
            raise FormDefinitionError(f"field {spec_field.id!r}: default value {default!r}: {exc}") from None
    else:
        default = None
    return FormField(**{**draft.__dict__, "default": default})


def _limit(field_id: str, ftype: str, name: str, config: str | None) -> Any:
    text = (config or "").strip()
    try:
        if name in ("minlength", "maxlength"):
            return int(text)
        if ftype == "date":
            return date.fromisoformat(text).isoformat()
        number = float(text)
        return int(number) if number.is_integer() else number
    except ValueError:
        raise FormDefinitionError(f"field {field_id!r}: constraint {name} has a bad value {text!r}") from None


def _coerce(f: FormField, value: Any) -> Any:
    """Turn a submitted value (JSON or HTML form text) into the field's type, or raise ValueError."""
    if f.type == "string":
        if isinstance(value, bool | dict | list):
            raise ValueError("expected text")
        text = str(value)
        if len(text) > MAX_TEXT:
            raise ValueError(f"text longer than {MAX_TEXT} characters")
        return text
    if f.type == "long":
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
            number = int(value)
        elif isinstance(value, str) and _LONG.match(value.strip()):
            number = int(value.strip())
        if number is None or not -(2**63) <= number < 2**63:
            raise ValueError("expected a whole number")
        return number
    if f.type == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise ValueError("expected true or false")
    if f.type == "date":
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, str):
            text = value.strip()
            for parse in (date.fromisoformat, lambda t: datetime.fromisoformat(t).date()):
                try:
                    return parse(text).isoformat()
                except ValueError:
                    continue
        raise ValueError("expected a date (YYYY-MM-DD)")
    if f.type == "enum":
        choice = str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None
        if choice is None or choice not in {o.id for o in f.options}:
            raise ValueError("not one of the allowed values")
        return choice
    raise ValueError(f"unknown type {f.type}")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def validate_submission(
    fields: tuple[FormField, ...],
    data: Mapping[str, Any],
    current: Mapping[str, Any] | None = None,
    undeclared: bool = False,
) -> dict[str, Any]:
    """Check a submission against the form; return the coerced values or raise ValidationFailed.

    ``current`` is the data the task shows. A field left out keeps its current value, or takes its
    default; a read-only field may be sent back unchanged, not altered. A form with no fields takes no
    data, unless ``undeclared`` lets values the form does not declare through as they are (Camunda's
    ``complete(task, variables)``, for models whose forms live outside the diagram).
    """
    current = current or {}
    by_id = {f.id: f for f in fields}
    errors: dict[str, list[FieldError]] = {}
    clean: dict[str, Any] = {}

    for name in data:
        if name not in by_id:
            if undeclared:
                clean[name] = data[name]
            else:
                errors[name] = [FieldError("unknown", "this field is not on the form")]

    for f in fields:
        problems: list[FieldError] = []
        if f.id not in data and not f.readonly:
            # Left out: the value the task already shows stands; failing that, the field's default.
            if not _blank(current.get(f.id)):
                continue
            if f.default is not None:
                clean[f.id] = f.default
                continue
        raw = data.get(f.id)
        if f.readonly:
            if f.id in data and not _blank(raw) and _same(f, raw, current.get(f.id, f.default)) is False:
                problems.append(FieldError("readonly", "this field is read-only"))
            if problems:
                errors[f.id] = problems
            continue
        if f.type == "boolean" and f.id in data and _blank(raw):
            raw = False  # an unticked box is sent as an empty value
        if _blank(raw):
            if f.required:
                problems.append(FieldError("required", "this field is required"))
            elif f.id in data:
                # an optional text left empty is the empty text (conditions compare with ""); else none
                clean[f.id] = "" if f.type == "string" and isinstance(raw, str) else None
            if problems:
                errors[f.id] = problems
            continue
        try:
            value = _coerce(f, raw)
        except ValueError as exc:
            errors[f.id] = [FieldError("type" if f.type != "enum" else "enum", str(exc))]
            continue
        problems.extend(_check_limits(f, value))
        if problems:
            errors[f.id] = problems
        else:
            clean[f.id] = value
    if errors:
        raise ValidationFailed(errors)
    return clean


def _same(f: FormField, raw: Any, existing: Any) -> bool:
    try:
        return bool(_coerce(f, raw) == existing)
    except ValueError:
        return False


def _check_limits(f: FormField, value: Any) -> list[FieldError]:
    problems: list[FieldError] = []
    if f.type in ("long", "date"):
        if f.min is not None and value < f.min:  # type: ignore[operator]
            problems.append(FieldError("min", f"must be at least {f.min}", {"min": f.min}))
        if f.max is not None and value > f.max:  # type: ignore[operator]
            problems.append(FieldError("max", f"must be at most {f.max}", {"max": f.max}))
    if f.type == "string":
        if f.minlength is not None and len(value) < f.minlength:
            problems.append(
                FieldError("minlength", f"must have at least {f.minlength} characters", {"min": f.minlength})
            )
        if f.maxlength is not None and len(value) > f.maxlength:
            problems.append(
                FieldError("maxlength", f"must have at most {f.maxlength} characters", {"max": f.maxlength})
            )
    return problems
