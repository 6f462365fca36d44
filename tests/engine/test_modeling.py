"""The process owner's modeling commands: drafts of one's own, validation that marks each problem on
its drawn element, a refused deployment that stores nothing, and the version history with changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import deploy, modeling, users
from engine.bpmn.parser import ModelSource
from engine.errors import BadRequest, DeploymentFailed, NotFound
from tests.engine.test_migration import FILE, KEY, V1, V2
from tests.support import deploy_files

# the approval loses its lane: nobody could receive it
UNASSIGNED = V1.replace("<bpmn:flowNodeRef>setujui_rencana</bpmn:flowNodeRef>", "")
FIELD_TYPE = ('id="catatan" label="Catatan" type="string"', 'id="catatan" label="Catatan" type="money"')


@pytest.fixture
def owners(engine):
    deploy_files(engine, FILE)
    with engine.transaction() as tx:
        return (
            users.add_user(tx, "pemilik", ["pemilik_proses"], display_name="Pemilik"),
            users.add_user(tx, "pemilik2", ["pemilik_proses"], display_name="Pemilik Dua"),
        )


def test_drafts_are_each_owners_own(engine, owners):
    mine, theirs = owners
    with engine.transaction() as tx:
        draft = modeling.save_draft(tx, mine, KEY, 1, FILE, V2)
        again = modeling.save_draft(tx, mine, KEY, 1, FILE, V2 + "\n")  # the same draft, replaced
    assert again.id == draft.id
    with engine.transaction(write=False) as tx:
        assert [d.id for d in modeling.drafts(tx, mine, KEY)] == [draft.id]
        assert modeling.drafts(tx, theirs, KEY) == []
        assert modeling.draft_content(tx, mine, draft.id)[1] == V2 + "\n"
        with pytest.raises(NotFound):
            modeling.draft_content(tx, theirs, draft.id)
    with engine.transaction() as tx, pytest.raises(NotFound):
        modeling.discard_draft(tx, theirs, draft.id)
    with engine.transaction() as tx:  # deploying the file clears its author's draft
        modeling.deploy_edit(tx, mine, KEY, 1, FILE, V2, "kolom alasan")
    with engine.transaction(write=False) as tx:
        assert modeling.drafts(tx, mine, KEY) == []


@pytest.mark.parametrize("content", ["", "   ", "x" * (5 * 1024 * 1024 + 1)])
def test_empty_or_huge_drafts_are_refused(engine, owners, content):
    with engine.transaction() as tx, pytest.raises(BadRequest, match="content"):
        modeling.save_draft(tx, owners[0], KEY, 1, FILE, content)


def test_validation_marks_each_problem_on_its_element(engine, owners):
    owner = owners[0]
    with engine.transaction(write=False) as tx:
        assert modeling.validate(tx, owner, KEY, 1, FILE, V2) == []
        problems = modeling.validate(tx, owner, KEY, 1, FILE, UNASSIGNED.replace(*FIELD_TYPE))
    assert [(p["element"], p["shape"]) for p in problems] == [
        ("setujui_rencana", "setujui_rencana"),
        ("catatan", "setujui_rencana"),  # a form field's problem is shown on its task
    ]
    assert "no lane, candidate group" in problems[0]["message"]
    assert "'money'" in problems[1]["message"]


def test_refused_deployment_stores_nothing(engine, owners):
    with engine.transaction() as tx, pytest.raises(DeploymentFailed) as refused:
        modeling.deploy_edit(tx, owners[0], KEY, 1, FILE, UNASSIGNED, "tanpa lajur")
    assert refused.value.problems[0].element == "setujui_rencana"
    with engine.transaction(write=False) as tx:
        assert [v.definition.version for v in modeling.history(tx, owners[0], KEY)] == [1]
    with engine.transaction(write=False) as tx, pytest.raises(DeploymentFailed):
        modeling.deploy_edit(tx, owners[0], KEY, 1, FILE, "<not xml", None)


def test_history_says_what_changed_between_versions(engine, owners):
    owner = owners[0]
    with engine.transaction() as tx:
        modeling.deploy_edit(tx, owner, KEY, 1, FILE, V2, "usulan berganti nama, kolom alasan")
    with engine.transaction(write=False) as tx:
        newest, first = modeling.history(tx, owner, KEY)
    assert (newest.definition.version, newest.definition.deployed_by) == (2, "pemilik")
    assert newest.definition.note == "usulan berganti nama, kolom alasan"
    assert first.changes is None
    changes = newest.changes
    assert [(c.id, c.name, c.type) for c in changes.changed] == [
        ("usulkan_rencana", "Usulkan rencana kerja tahunan", "userTask")
    ]
    assert changes.added == () and changes.removed == ()
    assert [(f.task_id, f.added, f.removed, f.changed) for f in changes.forms] == [
        ("usulkan_rencana", ("alasan",), (), ())
    ]


def test_a_decision_table_is_deployed_with_the_process_it_was_opened_from(engine, owners):
    owner = owners[0]
    library = Path(__file__).resolve().parents[2] / "processes"
    with engine.transaction() as tx:
        sources = [
            ModelSource(n, (library / n).read_bytes())
            for n in ("evaluasi_periodik.bpmn", "predikat_kinerja.dmn")
        ]
        deploy.deploy(tx, sources, users.SYSTEM, "library")
    table = (library / "predikat_kinerja.dmn").read_text()
    edited = table.replace('<text>"BAIK"</text></outputEntry>', '<text>"SANGAT_BAIK"</text></outputEntry>', 1)
    broken = table.replace('<text>"BAIK"</text></outputEntry>', "<text>BAIK +</text></outputEntry>", 1)
    with engine.transaction(write=False) as tx:
        assert modeling.validate(tx, owner, "evaluasi_periodik", 1, "predikat_kinerja.dmn", edited) == []
        [problem] = modeling.validate(tx, owner, "evaluasi_periodik", 1, "predikat_kinerja.dmn", broken)
    assert problem["file"] == "predikat_kinerja.dmn" and problem["shape"] == "Rule_predikat_kinerja_1"
    with engine.transaction() as tx:
        deployed = modeling.deploy_edit(
            tx, owner, "evaluasi_periodik", 1, "predikat_kinerja.dmn", edited, "kuadran diubah"
        )
    assert {(d.key, d.version) for d in deployed if d.new} >= {("evaluasi_periodik", 2)}
    with engine.transaction(write=False) as tx:
        newest = modeling.history(tx, owner, "evaluasi_periodik")[0]
    assert [(c.id, c.type) for c in newest.changes.changed] == [("Rule_predikat_kinerja_1", "rule")]
