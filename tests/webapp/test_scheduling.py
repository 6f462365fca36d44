"""With KINERJA_SCHEDULER on (as ``make run`` sets it), the web process fires due timers by itself."""

from __future__ import annotations

import time

from tests.engine.test_workers import due_instances, fired_per_instance
from webapp import create_app


def test_the_web_process_fires_due_timers_when_the_scheduler_is_on(tmp_path, sqlite_template):
    url = f"sqlite:///{tmp_path / 'kinerja.db'}"
    (tmp_path / "kinerja.db").write_bytes(sqlite_template.read_bytes())
    [instance_id] = due_instances(url, 1)
    app = create_app({"DATABASE_URL": url, "SCHEDULER": True, "SCHEDULER_INTERVAL": 0.05})
    scheduler = app.extensions["kinerja_scheduler"]
    try:
        deadline = time.monotonic() + 30
        while fired_per_instance(url)[instance_id] == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        scheduler.stop()
        app.extensions["kinerja"].close()
    assert fired_per_instance(url) == {instance_id: 1}


def test_it_is_off_unless_asked_for(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'k.db'}"})
    assert "kinerja_scheduler" not in app.extensions
    app.extensions["kinerja"].close()
