"""Running SKP plans moved to a new version of the process: a renamed proposal and a new field on
the penilai's form. The waiting proposal keeps its id, its person and its 7-day escalation timer's
moment (not 7 days from the move); the penilai's form is the new one; and the escalation still fires."""

from __future__ import annotations

from engine import migration, modeling
from tests.processes.regency import PROCESSES
from tests.processes.test_skp import PROPOSAL, REVIEW, start_skp
from tests.processes.test_tenggat import later

KEY, FILE = "skp_perencanaan", "skp_perencanaan.bpmn"
FIELD = '<camunda:formField id="catatan_penilai" label="Catatan penilai" type="string" />'


def version_2() -> str:
    xml = (PROCESSES / FILE).read_text()
    xml = xml.replace('id="usulkan_skp" name="Usulkan SKP"', 'id="usulkan_skp" name="Usulkan SKP tahunan"')
    start = xml.index('<bpmn:userTask id="reviu_skp"')
    at = xml.index("<camunda:formData>", start) + len("<camunda:formData>")
    return xml[:at] + FIELD + xml[at:]


def next_due(regency, instance_id):
    with regency.engine.transaction(write=False) as tx:
        return tx.store.lean.instance(instance_id).next_due_at


def test_running_plans_move_with_their_tasks_and_timers(regency):
    owner = regency.actor("prakom")
    first = start_skp(regency, "bidan-1")
    second = start_skp(regency, "bidan-2")
    [proposal] = regency.inbox("bidan-1")
    due = next_due(regency, first.instance_id)
    later(regency, 2)
    with regency.engine.transaction() as tx:
        modeling.deploy_edit(tx, owner, KEY, 1, FILE, version_2(), "catatan penilai")

    moved = migration.migrate_each(regency.engine, owner, KEY, 2)
    assert [(m.instance_id, m.ok) for m in moved] == [(first.instance_id, True), (second.instance_id, True)]
    [renamed] = regency.inbox("bidan-1")
    assert (renamed.id, renamed.title, renamed.assignee) == (
        proposal.id,
        "Usulkan SKP tahunan",
        proposal.assignee,
    )
    assert next_due(regency, first.instance_id) == due  # the timer kept its moment

    # the penilai's review now has the new field
    regency.complete("bidan-1", "usulkan_skp", PROPOSAL)
    review = regency.task("kapus", "reviu_skp", "queue")
    assert "catatan_penilai" in [f["id"] for f in regency.detail(review.id, "kapus")["form"]]
    regency.complete("kapus", "reviu_skp", {**REVIEW, "keputusan_skp": "SETUJU", "catatan_penilai": "Baik."})
    assert regency.final_data(first.instance_id)["status_skp"] == "DITETAPKAN"

    # the other plan's proposal is still escalated 7 days after it began, as before the move
    later(regency, 4.9)
    assert [t.bpmn_id for t in regency.inbox("bidan-2")] == ["usulkan_skp"]
    later(regency, 0.2)
    assert regency.inbox("bidan-2") == []
