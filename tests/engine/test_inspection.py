"""What auditors read: searching evaluations, one instance's trail with its path, model and proof, and
the log of every look, which is written in the look's own transaction."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from engine import inspection
from engine.errors import NotFound, PermissionDenied, ValidationFailed
from engine.status import InstanceStatus
from tests.support import GOOD_PROPOSAL, add_people, claim, complete, deploy_files, inbox, start


@pytest.fixture
def reworked(engine, clock):
    """Ani's plan, sent back once by Budi and then approved; and a second plan about someone else."""
    deploy_files(engine, "two_lane_approval.bpmn")
    people = add_people(engine)
    ani, budi = people["ani"], people["budi"]
    outcome = start(
        engine,
        "rencana_kerja",
        {"nip": ani.nip, "nama": "Ani Wulandari", "unit": "pkm"},
        business_key=f"{ani.nip}/2027",
    )
    for decision in (False, True):
        [task] = inbox(engine, ani, "queue")
        complete(engine, ani, task.id, GOOD_PROPOSAL)
        [review] = inbox(engine, budi, "queue")
        claim(engine, budi, review.id)
        complete(engine, budi, review.id, {"disetujui": decision, "catatan": f"keputusan {decision}"})
    clock.advance(timedelta(days=40))
    start(
        engine,
        "rencana_kerja",
        {"nip": "197001012000011001", "nama": "Yosef"},
        business_key="197001012000011001/2028",
    )
    return people, outcome.instance_id


def look(engine, fn, *args, **kw):
    with engine.transaction() as tx:
        return fn(tx, *args, **kw)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        (inspection.Query(), ["Yosef", "Ani Wulandari"]),
        (inspection.Query(name="wulan"), ["Ani Wulandari"]),
        (inspection.Query(nip="197001012000011001"), ["Yosef"]),
        (inspection.Query(unit="pkm"), ["Ani Wulandari"]),
        (inspection.Query(period="2028"), ["Yosef"]),
        (inspection.Query(status="completed"), ["Ani Wulandari"]),
        (inspection.Query(process_key="skp_perencanaan"), []),
        (inspection.Query(started_from=date(2027, 2, 1)), ["Yosef"]),
        (inspection.Query(started_to=date(2027, 1, 31)), ["Ani Wulandari"]),
    ],
)
def test_search_by_each_criterion(engine, reworked, query, found):
    people, _ = reworked
    rows, total = look(engine, inspection.search, people["dedi"], query)
    assert [r.name for r in rows] == found and total == len(found)


def test_every_search_is_logged_with_what_was_asked(engine, reworked):
    people, _ = reworked
    look(engine, inspection.search, people["dedi"], inspection.Query(name="ani", period="2027"))
    with engine.transaction(write=False) as tx:
        [entry] = tx.store.audit.accesses()
    assert (entry.actor, entry.action, json.loads(entry.params)) == (
        "dedi",
        "search",
        {"name": "ani", "period": "2027"},
    )


def test_a_bad_search_is_refused_and_logs_nothing(engine, reworked):
    people, _ = reworked
    with pytest.raises(ValidationFailed) as refused:
        look(engine, inspection.search, people["dedi"], inspection.Query(status="bogus"))
    assert refused.value.errors == {"status": [f"status must be one of {', '.join(InstanceStatus)}"]}
    with pytest.raises(ValidationFailed) as refused:
        inspection.Query.parse({"started_from": "2027-02-30", "started_to": "x", "name": " Ani  W "})
    assert sorted(refused.value.errors) == ["started_from", "started_to"]
    parsed = inspection.Query.parse({"name": " Ani  W ", "started_from": "2027-02-01", "bogus": "1"})
    assert (parsed.name, parsed.started_from) == ("Ani W", date(2027, 2, 1))
    with engine.transaction(write=False) as tx:
        assert tx.store.audit.accesses() == []


@pytest.mark.parametrize("who", ["ani", "budi", "citra"])
def test_only_auditors_and_hr_read_the_trail(engine, reworked, who):
    people, instance_id = reworked
    with pytest.raises(PermissionDenied):
        look(engine, inspection.search, people[who], inspection.Query())
    with pytest.raises(PermissionDenied):
        look(engine, inspection.trail, people[who], instance_id)


def test_the_trail_says_who_in_which_role_by_which_rule_sent_what(engine, reworked):
    people, instance_id = reworked
    trail = look(engine, inspection.trail, people["dedi"], instance_id)
    completed = [e for e in trail.entries if e.type == "task_completed"]
    assert [(e.actor, e.roles, e.rule) for e in completed] == [
        ("ani", ("pegawai",), "lane"),
        ("budi", ("penilai",), "lane"),
    ] * 2
    decision = completed[1]
    assert decision.actor_name == "Budi" and decision.title == "Setujui rencana kerja"
    assert {a.field_id: a.value for a in decision.answers} == {
        "disetujui": False,
        "catatan": "keputusan False",
    }
    assert decision.changes["disetujui"] == {"from": None, "to": False}
    assert [e.seq for e in trail.entries] == list(range(1, len(trail.entries) + 1))
    assert trail.broken is None and trail.instance.status == "completed"
    assert (trail.model.key, trail.model.version) == ("rencana_kerja", 1)
    assert 'id="rencana_kerja"' in trail.model.diagram.content


def test_the_path_counts_each_step_and_flow_taken(engine, reworked):
    people, instance_id = reworked
    trace = look(engine, inspection.trail, people["dedi"], instance_id).trace
    assert trace.runs == {
        "mulai": 1,
        "usulkan_rencana": 2,
        "setujui_rencana": 2,
        "gw_disetujui": 2,
        "selesai": 1,
    }
    assert trace.flows == {"f_mulai": 1, "f_usul": 2, "f_keputusan": 2, "f_revisi": 1, "f_setuju": 1}
    assert trace.active == ()


def test_an_unknown_instance_is_not_found(engine, reworked):
    people, _ = reworked
    with pytest.raises(NotFound):
        look(engine, inspection.trail, people["dedi"], 999)
