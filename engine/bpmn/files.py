"""Model files as uploaded: their bytes, read as XML without DTDs or entities, with element lines."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from engine.errors import DeployProblem

MAX_FILE_BYTES = 5 * 1024 * 1024
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
DMN_NAMESPACES = (
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "https://www.omg.org/spec/DMN/20230324/MODEL/",
)
NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS}
_UNSAFE_MARKERS = (b"<!DOCTYPE", b"<!ENTITY", b"<!doctype", b"<!entity")


@dataclass(frozen=True)
class ModelSource:
    """One uploaded file: its name and its bytes."""

    name: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass
class ParsedFile:
    """A file that passed the XML checks."""

    source: ModelSource
    kind: str  # bpmn | dmn
    root: Any  # lxml element
    lines: dict[str, int] = field(default_factory=dict)  # element id -> source line


def content_hash(file_hashes: Iterable[str]) -> str:
    """The hash of a definition: over the sorted hashes of the files it needs (names do not count)."""
    return hashlib.sha256("\n".join(sorted(set(file_hashes))).encode()).hexdigest()


def read_file(source: ModelSource, problems: list[DeployProblem]) -> ParsedFile | None:
    """Parse one file as XML without ever loading a DTD or resolving an entity."""
    if len(source.content) > MAX_FILE_BYTES:
        problems.append(
            DeployProblem(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB", source.name)
        )
        return None
    if any(marker in source.content for marker in _UNSAFE_MARKERS):
        problems.append(
            DeployProblem("DOCTYPE and ENTITY declarations are not allowed in models", source.name)
        )
        return None
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )
    try:
        root = etree.fromstring(source.content, parser)
    except etree.XMLSyntaxError as exc:
        problems.append(DeployProblem(f"not well-formed XML: {exc.msg}", source.name, line=exc.lineno))
        return None
    if root.getroottree().docinfo.internalDTD is not None:
        problems.append(DeployProblem("DTDs are not allowed in models", source.name))
        return None
    namespace = etree.QName(root).namespace
    if namespace == BPMN_NS and etree.QName(root).localname == "definitions":
        kind = "bpmn"
    elif namespace in DMN_NAMESPACES and etree.QName(root).localname == "definitions":
        kind = "dmn"
    else:
        problems.append(DeployProblem("not a BPMN 2.0 or DMN document", source.name, line=root.sourceline))
        return None
    lines = {el.get("id"): el.sourceline for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    return ParsedFile(source, kind, root, lines)


def element_problem(pf: ParsedFile, element: Any, message: str) -> DeployProblem:
    """A problem at an element: the nearest element with an id names it, with its name and line."""
    owner = element
    while owner is not None and not owner.get("id"):
        owner = owner.getparent()
    return DeployProblem(
        message,
        pf.source.name,
        element=owner.get("id") if owner is not None else None,
        element_name=owner.get("name") if owner is not None else None,
        line=element.sourceline,
    )
