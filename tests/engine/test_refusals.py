"""A refused command changes nothing: state, inbox and audit trail are exactly as before."""

from __future__ import annotations

import pytest

from engine import instances
from engine.errors import ValidationFailed
from tests.support import GOOD_PROPOSAL, add_people, deploy_files, start


def snapshot(engine, instance_id):
    with engine.transaction(write=False) as tx:
        instance = tx.store.instance(instance_id)
        return (
            instance.state,
            instance.row_version,
            instance.audit_seq,
            [(t.id, t.status, t.assignee) for t in tx.store.tasks_of_instance(instance_id)],
            [(e.seq, e.hash) for e in tx.store.instance_events(instance_id)],
        )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({k: v for k, v in GOOD_PROPOSAL.items() if k != "target"}, {"target": ["this field is required"]}),
        ({**GOOD_PROPOSAL, "jumlah": "dua puluh"}, {"jumlah": ["expected a whole number"]}),
        ({**GOOD_PROPOSAL, "jumlah": 101}, {"jumlah": ["must be at most 100"]}),
        ({**GOOD_PROPOSAL, "jenis": "SAMPINGAN"}, {"jenis": ["not one of the allowed values"]}),
        ({**GOOD_PROPOSAL, "bonus": 1}, {"bonus": ["this field is not on the form"]}),
        (
            {"jumlah": 0, "jenis": "X", "bonus": 1},
            {
                "target": ["this field is required"],
                "jumlah": ["must be at least 1"],
                "jenis": ["not one of the allowed values"],
                "bonus": ["this field is not on the form"],
            },
        ),
    ],
    ids=["missing-required", "wrong-type", "out-of-range", "unknown-enum", "unknown-field", "all-at-once"],
)
def test_bad_submission_is_refused_per_field_and_changes_nothing(engine, data, expected):
    deploy_files(engine, "two_lane_approval.bpmn")
    people = add_people(engine)
    outcome = start(engine, "rencana_kerja")
    [task] = outcome.open_tasks
    before = snapshot(engine, outcome.instance_id)
    with engine.transaction() as tx, pytest.raises(ValidationFailed) as caught:
        instances.complete(tx, task.id, data, people["ani"])
    assert caught.value.errors == expected
    assert snapshot(engine, outcome.instance_id) == before
