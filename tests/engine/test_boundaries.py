"""The architecture's arrows, checked: engine imports no web framework; SpiffWorkflow stays in
engine/bpmn; SQLAlchemy stays in engine/store."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def offenders(module: str, allowed_under: Path) -> list[str]:
    return [
        str(p.relative_to(ROOT))
        for p in sorted((ROOT / "engine").rglob("*.py"))
        if module in imported_modules(p) and allowed_under not in p.parents
    ]


def test_engine_imports_no_web_framework():
    code = (
        "import sys, engine.cli, engine.instances, engine.deploy, engine.audit, engine.tasks; "
        "print(sorted(m for m in ('flask', 'werkzeug', 'marshmallow', 'flask_babel') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
    assert offenders("flask", ROOT / "nowhere") == []


def test_only_engine_bpmn_imports_spiffworkflow():
    assert offenders("SpiffWorkflow", ROOT / "engine" / "bpmn") == []


def test_only_engine_store_imports_sqlalchemy():
    assert offenders("sqlalchemy", ROOT / "engine" / "store") == []
    assert offenders("alembic", ROOT / "engine" / "store") == []


def test_the_checks_would_notice_an_offender(tmp_path):
    sample = tmp_path / "bad.py"
    sample.write_text("import sqlalchemy.orm\nfrom SpiffWorkflow.bpmn import BpmnWorkflow\n")
    assert imported_modules(sample) == {"sqlalchemy", "SpiffWorkflow"}
