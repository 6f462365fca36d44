"""The inbox: the three lists with counts, due-date order, overdue marks, filter, search, paging,
claim and release; and its weight over the wire."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.support import NIP_ANI, NIP_BUDI, start
from tests.webapp.conftest import post
from webapp import create_app

BROWSER_ENCODINGS = "gzip, deflate, br, zstd"  # what Chromium sends
ROW = re.compile(r'<a href="/tasks/(\d+)">')


def ids(page: str) -> list[int]:
    return [int(i) for i in ROW.findall(page)]


def tab_counts(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<span class="count">(\d+)</span>', page)]


@pytest.fixture
def proposals(engine, clock, deployed, people):
    """Three SKP proposals in the pegawai queue, started a day apart (so due a day apart)."""
    started = []
    for name in ("Ani Wulandari", "Yosef Worabai", "Maria Kambu"):
        started.append(start(engine, "rencana_kerja", {"nama": name, "periode": "2027"}).open_tasks[0].id)
        clock.advance(timedelta(days=1))
    return started


def test_queue_sorted_by_due_date_with_overdue_marked(as_user, clock, proposals):
    ani = as_user("ani")
    clock.advance(timedelta(days=5))  # the first is due 7 days after it was started: now 8 days ago
    page = ani.get("/?scope=queue").get_data(as_text=True)
    assert ids(page) == proposals
    assert tab_counts(page) == [0, 3, 0]
    assert page.count("Terlambat") == 1
    assert re.search(rf'<tr class="late">\s*<td><a href="/tasks/{proposals[0]}">', page)
    assert "11 Januari 2027 09.00 WIT" in page  # due 7 days after 4 January 00:00 UTC, in WIT


def test_claim_moves_a_task_to_my_tasks_and_release_gives_it_back(as_user, proposals):
    ani = as_user("ani")
    response = post(ani, f"/tasks/{proposals[1]}/claim")
    assert response.status_code == 303 and response.headers["Location"] == f"/tasks/{proposals[1]}"
    mine = ani.get("/").get_data(as_text=True)
    assert ids(mine) == [proposals[1]] and tab_counts(mine) == [1, 2, 0]
    assert "Anda mengambil tugas “Usulkan rencana kerja”." in mine
    assert ids(ani.get("/?scope=queue").get_data(as_text=True)) == [proposals[0], proposals[2]]
    response = post(ani, f"/tasks/{proposals[1]}/release", {"next": "/?scope=queue"})
    assert response.headers["Location"] == "/?scope=queue"
    assert tab_counts(ani.get("/").get_data(as_text=True)) == [0, 3, 0]


def test_a_task_taken_by_someone_else_is_a_conflict(app, as_user, engine, proposals):
    from engine import users

    with engine.transaction() as tx:
        users.add_user(tx, "yosef", ["pegawai"], password="kata-sandi-rahasia")
    ani, yosef = as_user("ani"), as_user("yosef")
    post(ani, f"/tasks/{proposals[0]}/claim")
    response = post(yosef, f"/tasks/{proposals[0]}/claim")
    assert response.status_code == 409
    assert "Sudah didahului orang lain" in response.get_data(as_text=True)


def test_filter_by_process_and_search_by_title_or_employee(as_user, engine, proposals):
    start(engine, "assigned_review", {"penilai_nip": NIP_BUDI, "nama": "Ani Wulandari", "nip": NIP_ANI})
    start(engine, "assigned_review", {"penilai_nip": NIP_BUDI, "nama": "Yosef Worabai"})
    budi = as_user("budi")
    assert len(ids(budi.get("/").get_data(as_text=True))) == 2
    assert len(ids(budi.get("/?process=rencana_kerja").get_data(as_text=True))) == 0
    assert len(ids(budi.get("/?process=assigned_review&q=yosef").get_data(as_text=True))) == 1
    assert len(ids(budi.get(f"/?q={NIP_ANI[:8]}").get_data(as_text=True))) == 1
    ani = as_user("ani")
    assert len(ids(ani.get("/?scope=queue&q=KAMBU").get_data(as_text=True))) == 1
    assert len(ids(ani.get("/?scope=queue&q=usulkan").get_data(as_text=True))) == 3
    assert len(ids(ani.get("/?scope=queue&q=50%25_").get_data(as_text=True))) == 0  # wildcards are literal
    fragment = ani.get("/?scope=queue&q=kambu", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and len(ids(fragment)) == 1  # htmx gets only the list


def test_paging(engine, people, proposals):
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "PAGE_SIZE": 2}, engine=engine)
    from tests.webapp.conftest import login

    client = app.test_client()
    login(client, "ani")
    first = client.get("/?scope=queue").get_data(as_text=True)
    assert ids(first) == proposals[:2] and "Halaman 1 dari 2" in first
    second = client.get("/?scope=queue&page=2").get_data(as_text=True)
    assert ids(second) == proposals[2:] and 'rel="prev"' in second
    assert client.get("/?scope=nonsense&page=x&process=zzz").status_code == 200  # nonsense is ignored
    assert client.get("/?q=%00").status_code == 400  # a NUL is refused, never sent to the database


def test_archive_lists_what_i_completed(as_user, proposals):
    ani = as_user("ani")
    post(ani, f"/tasks/{proposals[0]}/claim")
    response = post(ani, f"/tasks/{proposals[0]}", {"target": "20 laporan", "jumlah": "20", "jenis": "UTAMA"})
    assert response.status_code == 303
    page = ani.get("/?scope=archive").get_data(as_text=True)
    assert ids(page) == [proposals[0]] and tab_counts(page) == [0, 2, 1]


def test_inbox_with_50_tasks_weighs_at_most_60_kb_compressed(engine, app, people, deployed):
    """Everything a first visit loads over the wire: the page, its stylesheet and its script."""
    for i in range(50):
        start(
            engine,
            "assigned_review",
            {"penilai_nip": NIP_BUDI, "nama": f"Pegawai Nomor {i:02d}", "nip": f"1990010120200120{i:02d}"},
        )
    from tests.webapp.conftest import login

    client = app.test_client()
    login(client, "budi")
    html = client.get("/").get_data(as_text=True)
    assert len(ids(html)) == 50
    sizes = {}
    for path in ["/", *re.findall(r'(?:href|src)="(/(?:static|vendor)/[^"]+)"', html)]:
        response = client.get(path, headers={"Accept-Encoding": BROWSER_ENCODINGS})
        assert response.status_code == 200 and response.headers["Content-Encoding"], path
        sizes[path] = len(response.get_data())
        response.close()
    total = sum(sizes.values())
    print(f"inbox with 50 tasks, bytes over the wire: {sizes}, total {total}")
    assert total <= 60 * 1024
