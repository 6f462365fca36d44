"""Process definitions: the newest version of each, a key's versions, deploying .bpmn and .dmn files."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import Blueprint

from engine import deploy
from engine.bpmn.parser import ModelSource
from engine.errors import DeploymentFailed, DeployProblem
from webapp.api.common import blueprint, caller, fails
from webapp.api.schemas import (
    DefinitionPageSchema,
    DeployedSchema,
    DeploySchema,
    PageArgsSchema,
    page,
)
from webapp.transaction import commit, tx

bp: Blueprint = blueprint("api_process_definitions", "/process-definitions", "Deployed BPMN and DMN models")
MAX_FILE_BYTES = 5 * 1024 * 1024


@bp.get("")
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, DefinitionPageSchema)
@fails(bp)
def index(args: dict[str, Any]) -> dict[str, Any]:
    """The newest version of every deployed process and decision."""
    caller()
    return _paged(deploy.definitions(tx()), args)


@bp.get("/<key>/versions")
@bp.arguments(PageArgsSchema, location="query")
@bp.response(200, DefinitionPageSchema)
@fails(bp, 404)
def versions(args: dict[str, Any], key: str) -> dict[str, Any]:
    """Every version of one key, newest first."""
    caller()
    return _paged(deploy.versions(tx(), key), args)


@bp.post("")
@bp.arguments(DeploySchema, location="form", content_type="multipart/form-data")
@bp.response(201, DeployedSchema)
@fails(bp, 403, 413)
def create(form: dict[str, Any]) -> dict[str, Any]:
    """Deploy a bundle (multipart ``file``, .bpmn or .dmn, several allowed): a new version per changed key."""
    actor = caller()
    deployed = deploy.deploy(tx(), _sources(), actor, form.get("note") or None)
    commit()
    return {"items": deployed}


def _sources() -> list[ModelSource]:
    """The uploaded files; a missing, empty, oversized or unknown kind of file is a deployment problem."""
    uploads = request.files.getlist("file")
    if not uploads:
        raise DeploymentFailed([DeployProblem("send one or more .bpmn or .dmn files as the field 'file'")])
    sources, problems = [], []
    for upload in uploads:
        name = (upload.filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255]
        content = upload.read(MAX_FILE_BYTES + 1)
        if "\x00" in name or not name.lower().endswith((".bpmn", ".dmn")):
            name = name.replace("\x00", "")
            problems.append(DeployProblem("only .bpmn and .dmn files can be deployed", name or None))
        elif not content or len(content) > MAX_FILE_BYTES:
            problems.append(DeployProblem(f"a file has 1 byte to {MAX_FILE_BYTES // 2**20} MB", name))
        else:
            sources.append(ModelSource(name, content))
    if problems:
        raise DeploymentFailed(problems)
    return sources


def _paged(items: list[deploy.DeployedDefinition], args: dict[str, Any]) -> dict[str, Any]:
    size, number = args["page_size"], args["page"]
    return page(items[(number - 1) * size : number * size], len(items), number, size)
