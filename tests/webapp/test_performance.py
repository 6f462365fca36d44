""" "Kinerja saya" and "Tim saya" in the demo regency: what an employee sees of their evaluations, what a
supervisor sees of the team, and who may open whose evaluation (by NIP or by id)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from engine import demo
from tests.processes.conftest import regency, regency_template  # noqa: F401 (fixtures)
from tests.processes.test_evaluasi import FEEDBACK, A, S, ratings
from tests.processes.test_jp import policy_training
from tests.processes.test_skp import PROPOSAL, REVIEW, start_skp
from tests.webapp.conftest import give_password, login
from webapp import create_app

KAPUS_STAFF = [p for p in demo.people() if p.supervisor_key == "kapus" and p.key != demo.ON_LEAVE]
WHO = [
    "bidan-1",
    "kapus",
    "kabid-yankes",
    "kadinkes",
    "perawat-1",
    "kepsek-sd",
    "analis-sdm",
    "auditor",
    "prakom",
]
MAY_SEE = {"bidan-1", "kapus", "kabid-yankes", "analis-sdm", "auditor"}  # herself, assessors, HR, auditor


@pytest.fixture
def site(regency, password_hash):  # noqa: F811 (the fixture imported above)
    """The app on the regency, with passwords for the people these tests sign in as."""
    with regency.engine.transaction() as tx:
        for key in [*WHO, "sekdistrik"]:
            give_password(tx, regency.actor(key).username, password_hash)
        give_password(tx, "admin", password_hash)
    app = create_app({"TESTING": True, "SECRET_KEY": "k"}, engine=regency.engine)

    def client(key):
        c = app.test_client()
        assert login(c, regency.actor(key).username).status_code == 303
        return c

    regency.client = client
    return regency


@pytest.fixture
def reviewed(site):
    """Bidan-1's SKP proposed, and sent back by the Kepala Puskesmas with feedback."""
    started = start_skp(site, "bidan-1")
    site.complete("bidan-1", "usulkan_skp", PROPOSAL)
    site.complete("kapus", "reviu_skp", {**REVIEW, "keputusan_skp": "REVISI"})
    return started.instance_id


def test_kinerja_saya_shows_targets_feedback_and_open_tasks(site, reviewed):
    page = site.client("bidan-1").get("/performance").get_data(as_text=True)
    assert "Kinerja saya" in page and site.nip("bidan-1") in page
    assert PROPOSAL["rencana_hasil_kerja"] in page and "95 persen" in page and ">REVISI<" in page
    assert REVIEW["umpan_balik_skp"] in page and REVIEW["ekspektasi_pimpinan"] in page
    assert site.actor("kapus").display_name in page  # who wrote the feedback
    assert (
        PROPOSAL["catatan_dialog"] not in page.split('id="feedback"')[1].split("</section>")[0]
    )  # not her own
    assert "Usulkan SKP" in page.split('id="open"')[1]  # the rework waits in her tasks
    assert "Belum ada penilaian." in page  # no ratings yet: said, no chart


def test_ratings_over_time_as_a_table_and_a_chart(site):
    # two quarterly evaluations of bidan-1 by the Kepala Puskesmas, through the real process
    for period, hasil, perilaku in [("2027-TW1", S, S), ("2027-TW2", A, A)]:
        site.start("evaluasi_periodik", {**site.subject("bidan-1"), "tahun": 2027, "periode": period})
        site.complete("kapus", "nilai_periodik", ratings(hasil, perilaku))
        site.complete("bidan-1", "baca_hasil_periodik", {"sudah_dibaca": True})
    page = site.client("bidan-1").get("/performance").get_data(as_text=True)
    rows = re.findall(r'<tr data-rank="(\d)"><td>([^<]+)</td><td>([^<]+)</td></tr>', page)
    assert rows == [("4", "2027-TW1", "Baik"), ("5", "2027-TW2", "Sangat Baik")]
    assert (
        '<canvas id="ratings-chart"' in page
        and "/vendor/chart.umd.js" in page
        and "/static/ratings.js" in page
    )
    assert FEEDBACK["umpan_balik_hasil"] in page  # the penilai's feedback of the evaluation too
    script = site.client("bidan-1").get("/vendor/chart.umd.js")
    assert script.status_code == 200 and b"Chart" in script.get_data()
    script.close()


@pytest.mark.parametrize("who", WHO)
def test_who_may_see_an_employees_evaluations_by_nip_and_by_id(site, reviewed, who):
    client = site.client(who)
    expected = 200 if who in MAY_SEE else 404
    by_nip = client.get(f"/performance/{site.nip('bidan-1')}")
    by_id = client.get(f"/evaluations/{reviewed}")
    assert (by_nip.status_code, by_id.status_code) == (expected, expected)
    if expected == 404:
        for response in (by_nip, by_id):
            body = response.get_data(as_text=True)
            assert REVIEW["umpan_balik_skp"] not in body and site.actor("bidan-1").display_name not in body
    else:
        assert REVIEW["umpan_balik_skp"] in by_id.get_data(as_text=True)


def test_tim_saya_lists_the_team_with_stage_and_what_is_late(site, reviewed):
    start_skp(site, "perawat-1")
    site.clock.advance(timedelta(days=8))  # perawat-1's proposal was due after 7 days
    page = site.client("kapus").get("/team").get_data(as_text=True)
    names = re.findall(r'<a href="/performance/(\d{18})">', page)
    assert names[0] == site.nip("perawat-1")  # late work first
    assert site.nip("bidan-1") in names and site.nip("dokter") in names and len(names) == len(KAPUS_STAFF)
    late_row = page.split(f"/performance/{site.nip('perawat-1')}")[1].split("</tr>")[0]
    assert "Terlambat" in late_row and "Usulkan SKP" in late_row
    # the team link shows only for supervisors; others find an empty team
    staff = site.client("perawat-1")
    assert 'href="/team"' not in staff.get("/").get_data(as_text=True)
    assert "Tidak ada anggota tim." in staff.get("/team").get_data(as_text=True)


def test_an_acting_official_rates_the_team_of_the_post(site):
    # the Sekretaris Distrik is Plt of Kepala Seksi Pelayanan Umum: its staff are in the Plt's team
    page = site.client("sekdistrik").get("/team").get_data(as_text=True)
    for key in ("staf-yan-1", "staf-yan-2", "staf-yan-3", "staf-umum"):
        assert site.nip(key) in page


def test_an_account_without_nip_has_no_record(site):
    app = create_app({"TESTING": True, "SECRET_KEY": "k"}, engine=site.engine)
    client = app.test_client()
    login(client, "admin")
    assert "tidak memiliki NIP" in client.get("/performance").get_data(as_text=True)


def test_kinerja_saya_counts_the_jp_of_the_year(site, password_hash):
    policy_training(site, {"staf-yan-1": 4})
    with site.engine.transaction() as tx:
        give_password(tx, site.actor("staf-yan-1").username, password_hash)
    page = site.client("staf-yan-1").get("/performance").get_data(as_text=True)
    section = page.split('id="jp"')[1].split("</section>")[0]
    assert "4 dari sekurang-kurangnya 20 JP pada tahun 2027." in section and "Belum terpenuhi" in section
    assert "Sosialisasi Perbup 7/2027" in section
