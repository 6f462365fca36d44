"""Deploying bundles: versions per key, and every kind of bad upload refused with nothing stored."""

from __future__ import annotations

import pytest

from engine import deploy, users
from engine.bpmn.parser import MAX_FILE_BYTES
from engine.errors import DeploymentFailed, PermissionDenied
from tests.support import FIXTURES, deploy_files, source

GOOD = (FIXTURES / "two_lane_approval.bpmn").read_bytes()


def refused(engine, *sources):
    with engine.transaction() as tx, pytest.raises(DeploymentFailed) as caught:
        deploy.deploy(tx, list(sources), users.SYSTEM)
    with engine.transaction(write=False) as tx:
        assert tx.store.latest_definitions() == []  # nothing stored
    return caught.value.problems


def test_identical_content_makes_no_new_version_and_a_change_does(engine):
    first = deploy_files(engine, "two_lane_approval.bpmn")
    assert all(d.new and d.version == 1 for d in first)
    again = deploy_files(engine, "two_lane_approval.bpmn")
    assert [(d.version, d.new) for d in again] == [(1, False), (1, False)]
    changed = GOOD.replace(b"Setujui rencana kerja", b"Setujui rencana")
    with engine.transaction() as tx:
        third = deploy.deploy(tx, [source("renamed.bpmn", changed)], users.SYSTEM, "ganti judul")
    assert {d.key: (d.version, d.new) for d in third} == {
        "Collaboration_rencana": (2, True),
        "rencana_kerja": (2, True),
    }
    with engine.transaction(write=False) as tx:
        assert [v.version for v in deploy.versions(tx, "rencana_kerja")] == [2, 1]
        [stored] = tx.store.definition_files(deploy.latest(tx, "rencana_kerja").id)
        assert stored.content.encode() == changed


def test_a_key_gets_a_version_only_when_its_own_files_change(engine):
    deploy_files(engine, "two_lane_approval.bpmn", "assigned_review.bpmn")
    changed = (FIXTURES / "assigned_review.bpmn").read_bytes().replace(b'name="Nilai"', b'name="Beri nilai"')
    with engine.transaction() as tx:
        result = deploy.deploy(
            tx, [source("two_lane_approval.bpmn"), source("assigned_review.bpmn", changed)], users.SYSTEM
        )
    assert {d.key: d.version for d in result} == {
        "Collaboration_rencana": 1,
        "rencana_kerja": 1,
        "assigned_review": 2,
    }


def test_only_a_process_owner_deploys(engine):
    with engine.transaction() as tx:
        ani = users.add_user(tx, "ani", ["pegawai"])
    with engine.transaction() as tx, pytest.raises(PermissionDenied):
        deploy.deploy(tx, [source("two_lane_approval.bpmn")], ani)


def test_not_xml_is_refused_with_the_line(engine):
    [problem] = refused(
        engine, source("broken.bpmn", b"<?xml version='1.0'?>\n<definitions>\n<oops></definitions>")
    )
    assert problem.file == "broken.bpmn" and problem.line == 3
    assert "not well-formed" in problem.message


@pytest.mark.parametrize(
    "payload",
    [
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&xxe;</bpmn:definitions>',
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol2;</bpmn:definitions>',
        b'<?xml version="1.0"?><!DOCTYPE d SYSTEM "http://example.com/evil.dtd">'
        b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"/>',
    ],
    ids=["external-entity", "entity-expansion", "external-dtd"],
)
def test_dtds_and_entities_are_refused_before_parsing(engine, payload):
    [problem] = refused(engine, source("evil.bpmn", payload))
    assert "not allowed" in problem.message


def test_a_file_over_5_mb_is_refused(engine):
    huge = GOOD.replace(b"</bpmn:definitions>", b"<!--" + b"x" * MAX_FILE_BYTES + b"--></bpmn:definitions>")
    [problem] = refused(engine, source("huge.bpmn", huge))
    assert "larger than 5 MB" in problem.message


def test_a_bundle_with_no_executable_process_is_refused(engine):
    [problem] = refused(
        engine, source("draft.bpmn", GOOD.replace(b'isExecutable="true"', b'isExecutable="false"'))
    )
    assert "no executable process" in problem.message


def test_an_element_the_engine_cannot_run_is_named(engine):
    complex_gateway = GOOD.replace(b"<bpmn:exclusiveGateway", b"<bpmn:complexGateway").replace(
        b"</bpmn:exclusiveGateway>", b"</bpmn:complexGateway>"
    )
    [problem] = refused(engine, source("complex.bpmn", complex_gateway))
    assert problem.element == "gw_disetujui"
    assert problem.element_name == "Disetujui?"
    assert problem.file == "complex.bpmn" and problem.line is not None
    assert "no support" in problem.message


def test_a_bad_expression_is_refused_with_its_element(engine):
    bad = GOOD.replace(b"${disetujui}", b"${disetujui &amp;&amp;}")
    [problem] = refused(engine, source("bad.bpmn", bad))
    assert problem.element == "f_setuju" and problem.line is not None


def test_a_document_that_is_not_bpmn_is_refused(engine):
    [problem] = refused(engine, source("x.bpmn", b"<html><body>hi</body></html>"))
    assert "not a BPMN 2.0 or DMN document" in problem.message


def test_every_problem_of_a_bundle_comes_back_at_once(engine):
    problems = refused(
        engine,
        source("a.bpmn", b"not xml"),
        source("b.bpmn", GOOD.replace(b"${disetujui}", b"${a instanceof b}")),
    )
    assert [p.file for p in problems] == ["a.bpmn", "b.bpmn"]
