"""What changed between two versions of a model, read from their files: elements added, removed and
changed (by id, with name and type), and the form fields of each user task.

An element is anything the diagram draws (it has a shape or an edge) and, in DMN, each decision and
rule. It counts as changed when its own XML differs, its drawn children aside: a renamed task, a new
due date, a changed condition; moving a shape is layout, not a change of the element.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree

from engine.bpmn.files import NS, ModelSource, ParsedFile, read_file
from engine.errors import DeployProblem

_DI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
_DMN_ELEMENTS = ("decision", "rule", "inputData", "businessKnowledgeModel")
# Attributes whose default value editors write or leave out as they please (dmn-js drops these).
_DEFAULTS = {
    ("decisionTable", "hitPolicy"): "UNIQUE",
    ("decisionTable", "preferredOrientation"): "Rule-as-Row",
    ("boundaryEvent", "cancelActivity"): "true",
    ("startEvent", "isInterrupting"): "true",
}


@dataclass(frozen=True)
class ElementChange:
    """One element added, removed or changed."""

    id: str
    name: str | None
    type: str  # the BPMN or DMN element name: userTask, exclusiveGateway, decision, rule ...
    file: str


@dataclass(frozen=True)
class FormChange:
    """The form fields of one user task that were added, removed or changed."""

    task_id: str
    task_name: str | None
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]


@dataclass(frozen=True)
class ChangeSummary:
    """Everything that differs between two versions' files."""

    added: tuple[ElementChange, ...] = ()
    removed: tuple[ElementChange, ...] = ()
    changed: tuple[ElementChange, ...] = ()
    forms: tuple[FormChange, ...] = ()
    files: tuple[str, ...] = ()  # names of the files whose content differs

    @property
    def layout_only(self) -> bool:
        """The files differ, but only in how the diagram is drawn."""
        return bool(self.files) and not (self.added or self.removed or self.changed or self.forms)


@dataclass(frozen=True)
class _Element:
    change: ElementChange
    signature: tuple[Any, ...]
    fields: dict[str, tuple[Any, ...]] | None  # user tasks: form field id -> its XML


def summarize(before: Sequence[ModelSource], after: Sequence[ModelSource]) -> ChangeSummary:
    """The changes from the files of one version to those of the next."""
    old, new = _elements(before), _elements(after)
    changed = [new[k].change for k in sorted(old.keys() & new.keys()) if old[k].signature != new[k].signature]
    forms = [
        f for k in sorted(old.keys() | new.keys()) if (f := _form_change(old.get(k), new.get(k))) is not None
    ]
    old_hashes = {s.name: s.sha256 for s in before}
    files = sorted(s.name for s in after if old_hashes.get(s.name) != s.sha256)
    files += sorted(name for name in old_hashes if name not in {s.name for s in after})
    return ChangeSummary(
        added=tuple(new[k].change for k in sorted(new.keys() - old.keys())),
        removed=tuple(old[k].change for k in sorted(old.keys() - new.keys())),
        changed=tuple(changed),
        forms=tuple(forms),
        files=tuple(files),
    )


def _form_change(old: _Element | None, new: _Element | None) -> FormChange | None:
    before = (old.fields if old else None) or {}
    after = (new.fields if new else None) or {}
    added = tuple(sorted(after.keys() - before.keys()))
    removed = tuple(sorted(before.keys() - after.keys()))
    changed = tuple(sorted(k for k in before.keys() & after.keys() if before[k] != after[k]))
    if not (added or removed or changed):
        return None
    element = (new or old).change  # type: ignore[union-attr]
    return FormChange(element.id, element.name, added, removed, changed)


def _parsed(sources: Iterable[ModelSource]) -> list[ParsedFile]:
    problems: list[DeployProblem] = []
    return [pf for s in sources if (pf := read_file(s, problems)) is not None]


def _elements(sources: Sequence[ModelSource]) -> dict[tuple[str, str], _Element]:
    found: dict[tuple[str, str], _Element] = {}
    for pf in _parsed(sources):
        drawn = _drawn(pf)
        for el in pf.root.iter():
            if not isinstance(el.tag, str) or el.get("id") not in drawn:
                continue
            kind = etree.QName(el).localname
            change = ElementChange(el.get("id"), el.get("name"), kind, pf.source.name)
            fields = _fields(el) if kind == "userTask" else None
            found[(kind if pf.kind == "dmn" else "bpmn", change.id)] = _Element(
                change, _signature(el, drawn), fields
            )
    return found


def _drawn(pf: ParsedFile) -> set[str]:
    """The ids of the elements this file draws (BPMN) or defines as decisions and rules (DMN)."""
    if pf.kind == "dmn":
        return {
            el.get("id")
            for el in pf.root.iter()
            if isinstance(el.tag, str) and etree.QName(el).localname in _DMN_ELEMENTS and el.get("id")
        }
    return {
        el.get("bpmnElement")
        for el in pf.root.iter(f"{{{_DI_NS}}}BPMNShape", f"{{{_DI_NS}}}BPMNEdge")
        if el.get("bpmnElement")
    }


def _signature(el: Any, drawn: set[str]) -> tuple[Any, ...]:
    """What the element says, without the drawn elements nested in it (they are compared themselves).

    Namespace prefixes, attribute order, indentation, comments and the order of children of
    different kinds do not count (the order of same-kind children, like enum values, does): another
    editor writing the same model its own way is not a change.
    """
    kept = [c for c in el if isinstance(c.tag, str) and c.get("id") not in drawn]
    children = tuple(_signature(c, drawn) for c in sorted(kept, key=lambda c: str(c.tag)))
    kind = etree.QName(el).localname
    attributes = tuple(
        sorted((str(k), str(v)) for k, v in el.attrib.items() if _DEFAULTS.get((kind, str(k))) != v)
    )
    return (str(el.tag), attributes, (el.text or "").strip(), children)


def _fields(el: Any) -> dict[str, tuple[Any, ...]]:
    return {f.get("id") or "": _signature(f, set()) for f in el.iterfind(".//camunda:formField", NS)}


def diagram_element(content: bytes, element_id: str | None, line: int | None = None) -> str | None:
    """The drawn element a problem belongs to: the element itself, or the nearest drawn one around it
    (a form field's problem belongs to its user task; the line tells apart fields of the same id)."""
    if not element_id:
        return None
    pf = read_file(ModelSource("model", content), [])
    if pf is None:
        return None
    drawn = _drawn(pf)
    matches = [el for el in pf.root.iter() if isinstance(el.tag, str) and el.get("id") == element_id]
    matches.sort(key=lambda el: el.sourceline != line)  # the one on the problem's line first
    if not matches:
        return None
    owner = matches[0]
    while owner is not None and owner.get("id") not in drawn:
        owner = owner.getparent()
    return owner.get("id") if owner is not None else None
